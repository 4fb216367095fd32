"""Live quality (DESIGN §7): every answer is scored in its own transaction.

``on_answer`` is called by tasks/answers.py INSIDE the answer's transaction, right after the
Answer row is written. In order, it:

1. scores a control answer against gold (``scoring.compare``: exact, set/Jaccard, CER) and stores
   ``Answer.correct`` and ``Answer.score``; the worker's ``Skill`` (Beta posterior, prior 2 right
   and 1 wrong) takes the score as partial credit: ``right += score``, ``wrong += 1 - score``;
2. applies the stage rules (onboarding/stages.py) after each counted control answer and returns
   the worker's notices (probation passed, reviewer offered, reviewer demoted);
3. audits the gold of a control item the worker got wrong (tasks/audit.py): trusted workers who
   agree against it put it in quarantine, and the penalties it caused are recomputed away;
4. settles a normal item that holds the answers it needs (tasks/completion.py: dynamic overlap),
   and returns what settling did: the caller, the task engine, sets ``Item.returned`` from it;
5. applies the worker rules (tasks/verdicts.py): accuracy and speed suspend, same-label flags.

Nothing here talks to Telegram: notices go back to the caller, who sends them after commit.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient, TransactionalDBClient

from gigbot import scoring
from gigbot.db.models import (
    Answer,
    Item,
    ItemFacts,
    Project,
    ProjectFacts,
    Skill,
    SkillStage,
    User,
)
from gigbot.db.statements import connection
from gigbot.notices import Notice, NoticeButton
from gigbot.qualification.stages import ProjectStage, StageChange, StageInput, project_stage_change
from gigbot.quality import audit, completion, store, verdicts
from gigbot.quality.alerts import worker_notice
from gigbot.quality.suspensions import ActiveSuspension
from gigbot.quality.verdicts import Standing

__all__ = ["AnswerFacts", "QualityOutcome", "on_answer"]


@dataclass(frozen=True, slots=True)
class AnswerFacts:
    """What quality needs to know about an answer just recorded."""

    answer_id: int
    worker_id: int
    project_id: int
    item_id: int
    value: Any  # label value, list of values (multi-label), or transcription text
    seconds: float  # lease served -> answer recorded, from the injected clock
    is_control: bool
    now: dt.datetime
    # Telegram ids of GIGBOT_ADMINS (settings.admins); the admin table is read here as well.
    admins: frozenset[int] = field(default_factory=frozenset)


@dataclass(frozen=True, slots=True)
class QualityOutcome:
    """What the answer changed, for the caller to act on after commit."""

    correct: bool | None  # control answers: scored against gold
    suspended: ActiveSuspension | None  # the answering worker was just suspended (stop serving)
    notices: tuple[Notice, ...] = ()  # for anyone: stage change, reviewer offer, admin alerts
    skill: store.SkillRow | None = None  # the worker's row as the answer left it
    # what settling did to the answer's item (here or in a quarantine): for the task engine,
    # the owner of ``Item.returned``, to set the flag in the same transaction
    settled: completion.Settled = completion.Settled.WAITING


async def on_answer(
    facts: AnswerFacts, *, project: ProjectFacts | None = None,
    standing: Standing | None = None, item: ItemFacts | None = None,
) -> QualityOutcome:
    """Score, update skill, settle the item, apply the rules: in the answer's transaction.

    ``project``: the answer's project row, when the caller has it (saves reading it again);
    ``standing``: the worker's suspensions, read by the caller in this transaction; ``item``:
    the item's row as the caller read it in this transaction with its lock taken (on
    PostgreSQL) and the answer counted. Called inside that transaction (not a savepoint of
    its own: two statements more on every tap).
    """
    db = connection()
    if not isinstance(db, TransactionalDBClient):
        raise RuntimeError("on_answer runs inside the answer's transaction")
    if project is None or project.id != facts.project_id:
        project = await Project.get(id=facts.project_id)
    if item is None or item.id != facts.item_id:
        item = await Item.filter(id=facts.item_id).select_for_update().get()
    skill = await _count_in_skill(db, facts.worker_id, facts.project_id, facts.now)
    notices: list[Notice] = []
    correct: bool | None = None
    in_force = item.is_control and item.gold is not None and item.quarantined_at is None
    if in_force:
        result = scoring.compare(
            project.kind,
            facts.value,
            item.gold,
            multi_label=project.multi_label,
            cer_threshold=verdicts.project_rules(project).cer_threshold,
        )
        correct = result.correct
        await Answer.filter(id=facts.answer_id).update(
            correct=result.correct, score=result.score, counted=True
        )
        beta = scoring.Skill(right=skill.control_right, wrong=skill.control_wrong)
        beta = beta.update(result)
        skill = dataclasses.replace(skill, control_right=beta.right, control_wrong=beta.wrong,
                                    control_count=skill.control_count + 1)
        skill, stage_notices = await _stage_change(skill, project, facts.worker_id, facts.now)
        notices.extend(stage_notices)
        # scored: the Beta counts, and the stage rules may have moved it
        await store.save_scores(db, skill, facts.now)
    elif item.is_control:
        # gold in quarantine: the answer is an ordinary vote and counts for nobody's skill
        await Answer.filter(id=facts.answer_id).update(counted=False)

    counted = in_force
    settled = completion.Settled.WAITING
    if in_force and not correct:
        quarantine = await audit.audit_item(item.id, now=facts.now, admins=facts.admins)
        if quarantine is not None:
            notices.extend(quarantine.notices)
            settled = quarantine.settled
            correct, counted = None, False
            skill = await store.skill_row(db, facts.worker_id, facts.project_id) or skill
        standing = None  # the audit may have lifted suspensions: read them afresh
    elif not in_force:
        settled = await completion.settle_item(item, project, facts.now)

    suspended, rule_notices = await verdicts.apply_rules(
        facts.worker_id,
        project,
        skill,
        now=facts.now,
        control_item_id=item.id if counted else None,
        admins=facts.admins,
        standing=standing,
    )
    notices.extend(rule_notices)
    return QualityOutcome(correct=correct, suspended=suspended, notices=tuple(notices),
                          skill=skill, settled=settled)


async def _count_in_skill(db: BaseDBAsyncClient, worker_id: int, project_id: int,
                         now: dt.datetime) -> store.SkillRow:
    """Count the answer in the worker's skill row, created on the first answer; the row after.

    One hand-written statement on every answer but a worker's first in the project.
    """
    skill = await store.count_in_skill(db, worker_id, project_id, now)
    if skill is None:
        await Skill.get_or_create(worker_id=worker_id, project_id=project_id,
                                  defaults={"updated_at": now})
        skill = await store.count_in_skill(db, worker_id, project_id, now)
    if skill is None:
        raise RuntimeError(f"no skill row for worker={worker_id} project={project_id}")
    return skill


async def _stage_change(
    skill: store.SkillRow, project: ProjectFacts, worker_id: int, now: dt.datetime
) -> tuple[store.SkillRow, tuple[Notice, ...]]:
    """Apply the stage rules after a counted control answer; the row and the worker's notice."""
    total = skill.control_right + skill.control_wrong
    change = project_stage_change(
        StageInput(
            stage=ProjectStage(skill.stage),
            control_count=skill.control_count,
            accuracy=skill.control_right / total if total else 0.0,
            min_accuracy=project.min_accuracy,
            offered=skill.reviewer_offered_at is not None,
        )
    )
    if change is StageChange.NONE:
        return skill, ()
    worker = await User.get(id=worker_id)
    params = {"project": dict(project.title)}
    if change is StageChange.PASSED_PROBATION:
        return (dataclasses.replace(skill, stage=SkillStage.WORKER),
                worker_notice(worker, "stage.probation_passed", params))
    if change is StageChange.OFFER_REVIEWER:
        return dataclasses.replace(skill, reviewer_offered_at=now), _with_buttons(
            worker_notice(worker, "stage.reviewer_offer", params), _offer_buttons(project.id)
        )
    if change is StageChange.DEMOTE_REVIEWER:
        return (dataclasses.replace(skill, stage=SkillStage.WORKER),
                worker_notice(worker, "stage.reviewer_demoted", params))
    return skill, ()


def _offer_buttons(project_id: int) -> tuple[NoticeButton, ...]:
    """Accept/decline buttons of the reviewer offer, from the qualification service."""
    from gigbot.qualification.offers import reviewer_offer_buttons

    return tuple(reviewer_offer_buttons(project_id))


def _with_buttons(
    notices: tuple[Notice, ...], buttons: tuple[NoticeButton, ...]
) -> tuple[Notice, ...]:
    return tuple(
        Notice(chat_id=n.chat_id, lang=n.lang, tz=n.tz, key=n.key, params=n.params,
               buttons=buttons)
        for n in notices
    )
