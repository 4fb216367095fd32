"""The worker's stages as pure rules (DESIGN §5): quiz stages and stages within a project.

registered → trained (training finished) → qualified (exam passed), or closed when every exam
attempt failed (``exam_refusal``, ``exam_verdict``); then per project:
probation (the first ``PROBATION_CONTROLS`` control items, at double gold ratio) → worker; a worker
whose control accuracy is ≥ ``REVIEWER_MIN`` over ≥ ``REVIEWER_MIN_CONTROLS`` control items is
offered the reviewer role; a reviewer falling below ``REVIEWER_KEEP`` is demoted to worker.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

__all__ = [
    "PROBATION_CONTROLS",
    "REVIEWER_KEEP",
    "REVIEWER_MIN",
    "REVIEWER_MIN_CONTROLS",
    "ExamVerdict",
    "ProjectStage",
    "QuizStage",
    "StageChange",
    "StageInput",
    "exam_pool",
    "exam_refusal",
    "exam_verdict",
    "project_stage_change",
]

PROBATION_CONTROLS = 20
REVIEWER_MIN = 0.9
REVIEWER_KEEP = 0.8
REVIEWER_MIN_CONTROLS = 50


class ProjectStage(StrEnum):
    """Stage inside one project (mirrors models.SkillStage)."""

    PROBATION = "probation"
    WORKER = "worker"
    REVIEWER = "reviewer"


class StageChange(StrEnum):
    """What should happen to the worker after a control answer."""

    NONE = "none"
    PASSED_PROBATION = "passed_probation"
    OFFER_REVIEWER = "offer_reviewer"
    DEMOTE_REVIEWER = "demote_reviewer"


@dataclass(frozen=True, slots=True)
class StageInput:
    """What the stage rules look at."""

    stage: ProjectStage
    control_count: int
    accuracy: float  # share of control answers right (raw, not the Beta mean)
    min_accuracy: float
    offered: bool  # the reviewer role was offered already (pending or declined)


def project_stage_change(s: StageInput) -> StageChange:
    """The change of stage due after a control answer, if any."""
    if s.stage is ProjectStage.PROBATION:
        if s.control_count >= PROBATION_CONTROLS and s.accuracy >= s.min_accuracy:
            return StageChange.PASSED_PROBATION
        return StageChange.NONE
    if s.stage is ProjectStage.WORKER:
        if (
            not s.offered
            and s.control_count >= REVIEWER_MIN_CONTROLS
            and s.accuracy >= REVIEWER_MIN
        ):
            return StageChange.OFFER_REVIEWER
        return StageChange.NONE
    if s.accuracy < REVIEWER_KEEP:
        return StageChange.DEMOTE_REVIEWER
    return StageChange.NONE


# ----- the quiz stage machine (DESIGN §5 steps 1-3) ---------------------------------------------


class QuizStage(StrEnum):
    """Stage in a qualification quiz (mirrors models.QualStage)."""

    REGISTERED = "registered"
    TRAINED = "trained"
    QUALIFIED = "qualified"
    CLOSED = "closed"


def exam_refusal(
    stage: QuizStage,
    attempts_used: int,
    max_attempts: int,
    next_attempt_at: dt.datetime | None,
    now: dt.datetime,
) -> str | None:
    """Why a new exam attempt cannot start now (a ``quiz.*`` locale key), or None."""
    if stage is QuizStage.QUALIFIED:
        return "quiz.already_qualified"
    if stage is QuizStage.CLOSED or attempts_used >= max_attempts:
        return "quiz.closed"
    if stage is QuizStage.REGISTERED:
        return "quiz.train_first"
    if next_attempt_at is not None and next_attempt_at > now:
        return "quiz.cooldown"
    return None


@dataclass(frozen=True, slots=True)
class ExamVerdict:
    """The worker's quiz standing after one more finished (or expired) exam attempt."""

    passed: bool
    stage: QuizStage
    attempts_used: int
    next_attempt_at: dt.datetime | None  # None: passed, or closed


def exam_verdict(
    *,
    stage: QuizStage,
    score: float,
    pass_score: float,
    attempts_used: int,
    max_attempts: int,
    cooldown_hours: float,
    ended_at: dt.datetime,
    expired: bool = False,
) -> ExamVerdict:
    """Pass at ``score >= pass_score`` (an expired attempt never passes); a fail counts an
    attempt and opens the next after the cooldown, or closes the quiz after the last one."""
    used = attempts_used + 1
    passed = not expired and score + 1e-9 >= pass_score
    if passed or stage is QuizStage.QUALIFIED:
        return ExamVerdict(passed, QuizStage.QUALIFIED, used, None)
    if used >= max_attempts:
        return ExamVerdict(False, QuizStage.CLOSED, used, None)
    return ExamVerdict(False, stage, used, ended_at + dt.timedelta(hours=cooldown_hours))


def exam_pool(kind: str, items: Iterable[tuple[int, Any]]) -> dict[str, list[int]]:
    """Exam item ids grouped for the balanced draw (tasks/draw.py) from (id, gold) pairs: by gold
    label, by the first gold label for multi-label, all in one group for transcription."""
    pool: dict[str, list[int]] = {}
    for item_id, gold in items:
        if kind == "transcription":
            label = ""
        elif isinstance(gold, list):
            label = str(gold[0]) if gold else ""
        else:
            label = str(gold)
        pool.setdefault(label, []).append(item_id)
    return pool
