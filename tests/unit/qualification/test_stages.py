"""The stage machines (pure): project stages after control answers, and the quiz stages."""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter

import pytest

from gigbot.qualification.draw import balanced_draw, can_draw_balanced
from gigbot.qualification.stages import (
    PROBATION_CONTROLS,
    REVIEWER_KEEP,
    REVIEWER_MIN,
    REVIEWER_MIN_CONTROLS,
    ExamVerdict,
    ProjectStage,
    QuizStage,
    StageChange,
    StageInput,
    exam_pool,
    exam_refusal,
    exam_verdict,
    project_stage_change,
)

P, W, R = ProjectStage.PROBATION, ProjectStage.WORKER, ProjectStage.REVIEWER
NOW = dt.datetime(2025, 3, 1, 12, 0, tzinfo=dt.UTC)


def change(stage: ProjectStage, count: int, accuracy: float, *, min_accuracy: float = 0.8,
           offered: bool = False) -> StageChange:
    return project_stage_change(StageInput(stage, count, accuracy, min_accuracy, offered))


@pytest.mark.parametrize(
    ("stage", "count", "accuracy", "offered", "expected"),
    [
        # probation ends at exactly 20 control items, at the project's min_accuracy or above
        (P, PROBATION_CONTROLS - 1, 1.0, False, StageChange.NONE),
        (P, PROBATION_CONTROLS, 0.8, False, StageChange.PASSED_PROBATION),
        (P, PROBATION_CONTROLS, 0.79, False, StageChange.NONE),
        (P, 200, 1.0, False, StageChange.PASSED_PROBATION),
        # probation never jumps straight to the reviewer offer
        (P, REVIEWER_MIN_CONTROLS, 1.0, False, StageChange.PASSED_PROBATION),
        # the offer needs both 50 control items and 0.9, once
        (W, REVIEWER_MIN_CONTROLS - 1, 1.0, False, StageChange.NONE),
        (W, REVIEWER_MIN_CONTROLS, REVIEWER_MIN, False, StageChange.OFFER_REVIEWER),
        (W, REVIEWER_MIN_CONTROLS, 0.89, False, StageChange.NONE),
        (W, 500, 0.99, True, StageChange.NONE),
        # reviewers keep the role down to 0.8 and lose it below
        (R, 500, REVIEWER_KEEP, True, StageChange.NONE),
        (R, 500, 0.79, True, StageChange.DEMOTE_REVIEWER),
        (R, 60, 1.0, True, StageChange.NONE),
    ],
)
def test_project_stage_change(stage: ProjectStage, count: int, accuracy: float, offered: bool,
                              expected: StageChange) -> None:
    assert change(stage, count, accuracy, offered=offered) is expected


def test_probation_uses_the_project_threshold() -> None:
    assert change(P, 20, 0.7, min_accuracy=0.7) is StageChange.PASSED_PROBATION
    assert change(P, 20, 0.85, min_accuracy=0.9) is StageChange.NONE


@pytest.mark.parametrize(
    ("stage", "used", "next_at", "expected"),
    [
        (QuizStage.REGISTERED, 0, None, "quiz.train_first"),
        (QuizStage.TRAINED, 0, None, None),
        (QuizStage.TRAINED, 1, NOW + dt.timedelta(seconds=1), "quiz.cooldown"),
        (QuizStage.TRAINED, 1, NOW, None),  # the cooldown ends at that very moment
        (QuizStage.TRAINED, 3, None, "quiz.closed"),
        (QuizStage.CLOSED, 1, None, "quiz.closed"),
        (QuizStage.QUALIFIED, 1, None, "quiz.already_qualified"),
    ],
)
def test_exam_refusal(stage: QuizStage, used: int, next_at: dt.datetime | None,
                      expected: str | None) -> None:
    assert exam_refusal(stage, used, 3, next_at, NOW) == expected


def verdict(score: float, used: int, *, expired: bool = False) -> ExamVerdict:
    return exam_verdict(stage=QuizStage.TRAINED, score=score, pass_score=0.8, attempts_used=used,
                        max_attempts=3, cooldown_hours=24, ended_at=NOW, expired=expired)


def test_exam_verdicts() -> None:
    assert verdict(0.8, 0) == ExamVerdict(True, QuizStage.QUALIFIED, 1, None)
    assert verdict(5 / 6, 2) == ExamVerdict(True, QuizStage.QUALIFIED, 3, None)
    assert verdict(0.79, 0) == ExamVerdict(
        False, QuizStage.TRAINED, 1, NOW + dt.timedelta(hours=24)
    )
    assert verdict(0.5, 2) == ExamVerdict(False, QuizStage.CLOSED, 3, None)
    # an abandoned exam counts as a failed attempt whatever was answered
    assert verdict(1.0, 0, expired=True).passed is False
    assert verdict(1.0, 2, expired=True).stage is QuizStage.CLOSED


def test_pass_mark_is_not_missed_by_rounding() -> None:
    # 4 of 5 is 0.8 exactly in decimal but not in binary floating point
    assert exam_verdict(stage=QuizStage.TRAINED, score=4 / 5, pass_score=0.8, attempts_used=0,
                        max_attempts=1, cooldown_hours=1, ended_at=NOW).passed
    assert exam_verdict(stage=QuizStage.TRAINED, score=(1 - 0.3) / 0.875, pass_score=0.8,
                        attempts_used=0, max_attempts=1, cooldown_hours=1, ended_at=NOW).passed


def test_exam_pool_groups_items_for_the_balanced_draw() -> None:
    single = exam_pool("classification", [(1, "pos"), (2, "neg"), (3, "pos")])
    assert single == {"pos": [1, 3], "neg": [2]}
    multi = exam_pool("classification", [(1, ["cat", "dog"]), (2, ["dog"]), (3, [])])
    assert multi == {"cat": [1], "dog": [2], "": [3]}
    text = exam_pool("transcription", [(1, "안녕"), (2, "hello")])
    assert text == {"": [1, 2]}


def test_the_quiz_draw_is_balanced_distinct_and_random() -> None:
    pool = exam_pool("classification", [(i, "pos" if i % 3 else "neg") for i in range(30)])
    assert can_draw_balanced({k: len(v) for k, v in pool.items()}, 10)
    drawn = {tuple(balanced_draw(pool, 10, random.Random(seed))) for seed in range(5)}
    assert len(drawn) == 5  # different workers see different exams
    for draw in drawn:
        assert len(set(draw)) == 10
        assert Counter("neg" if i % 3 == 0 else "pos" for i in draw) == {"pos": 5, "neg": 5}


def test_a_pool_too_small_for_a_balanced_draw() -> None:
    pool = exam_pool("classification", [(1, "pos"), (2, "pos"), (3, "pos"), (4, "neg")])
    assert not can_draw_balanced({k: len(v) for k, v in pool.items()}, 4)
    with pytest.raises(ValueError, match="neg"):
        balanced_draw(pool, 4, random.Random(1))
