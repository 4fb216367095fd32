"""The reviewer offer: its buttons (for the stage notices) and the worker's accept or decline.

The quality rules (gigbot/tasks/quality.py) decide when to offer the role (stages.py) and send
the notice ``stage.reviewer_offer`` with ``reviewer_offer_buttons(project_id)``; the buttons come
back here. Both answers are compare-and-set updates of ``Skill``: a double tap, a replayed update
or a late press after the other answer changes nothing and says what holds.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from tortoise.transactions import in_transaction

from gigbot.callbacks import ReviewerChoice
from gigbot.db.models import AuditLog, Project, Skill, SkillStage
from gigbot.notices import NoticeButton

__all__ = [
    "OfferOutcome",
    "OfferResult",
    "accept_reviewer",
    "decline_reviewer",
    "reviewer_offer_buttons",
    "reviewer_projects",
]


def reviewer_offer_buttons(project_id: int) -> tuple[NoticeButton, ...]:
    """The Accept and Decline buttons under the ``stage.reviewer_offer`` notice."""
    return (
        NoticeButton("stage.button.accept", ReviewerChoice(project_id, 1).pack()),
        NoticeButton("stage.button.decline", ReviewerChoice(project_id, 0).pack()),
    )


class OfferOutcome(StrEnum):
    """What pressing Accept or Decline did."""

    ACCEPTED = "accepted"  # now a reviewer
    DECLINED = "declined"  # stays a worker, not offered again
    ALREADY_REVIEWER = "already_reviewer"
    ALREADY_DECLINED = "already_declined"
    NOT_OFFERED = "not_offered"  # no offer (forged button, or demoted since)


@dataclass(frozen=True, slots=True)
class OfferResult:
    """The outcome and the project's title (``{"en", "ko"}``) for the reply."""

    outcome: OfferOutcome
    project: dict[str, str]


async def _title(project_id: int) -> dict[str, str]:
    project = await Project.get_or_none(id=project_id)
    return dict(project.title) if project else {"en": "?", "ko": "?"}


async def _current(worker_id: int, project_id: int) -> OfferOutcome:
    """What holds when the compare-and-set found nothing to change."""
    skill = await Skill.get_or_none(worker_id=worker_id, project_id=project_id)
    if skill is None or skill.reviewer_offered_at is None:
        return OfferOutcome.NOT_OFFERED
    if skill.stage is SkillStage.REVIEWER:
        return OfferOutcome.ALREADY_REVIEWER
    if skill.reviewer_declined_at is not None:
        return OfferOutcome.ALREADY_DECLINED
    return OfferOutcome.NOT_OFFERED


async def _offer_used(worker_id: int, project_id: int) -> bool:
    """True when the standing offer was accepted already (a demoted reviewer's old button)."""
    skill = await Skill.get_or_none(worker_id=worker_id, project_id=project_id)
    if skill is None or skill.reviewer_offered_at is None:
        return False
    accepted = await AuditLog.filter(
        action="reviewer_accept", worker_id=worker_id, project_id=project_id,
        at__gte=skill.reviewer_offered_at,
    ).exists()
    return bool(accepted)


async def reviewer_projects(worker_id: int) -> set[int]:
    """Ids of the projects where the worker is at the reviewer stage now."""
    rows = await Skill.filter(worker_id=worker_id, stage=SkillStage.REVIEWER).values("project_id")
    return {int(r["project_id"]) for r in rows}


async def accept_reviewer(worker_id: int, project_id: int, now: dt.datetime) -> OfferResult:
    """Make the worker a reviewer of the project if the offer stands (idempotent).

    An offer is accepted once: a reviewer demoted since cannot use the old button again.
    """
    async with in_transaction():
        if await _offer_used(worker_id, project_id):
            return OfferResult(await _current(worker_id, project_id), await _title(project_id))
        changed = await _answer_offer(worker_id, project_id, now, "reviewer_accept",
                                      stage=SkillStage.REVIEWER)
    outcome = OfferOutcome.ACCEPTED if changed else await _current(worker_id, project_id)
    return OfferResult(outcome, await _title(project_id))


async def decline_reviewer(worker_id: int, project_id: int, now: dt.datetime) -> OfferResult:
    """Record that the worker declined the reviewer role (idempotent; not offered again)."""
    async with in_transaction():
        changed = await _answer_offer(worker_id, project_id, now, "reviewer_decline",
                                      reviewer_declined_at=now)
    outcome = OfferOutcome.DECLINED if changed else await _current(worker_id, project_id)
    return OfferResult(outcome, await _title(project_id))


async def _answer_offer(worker_id: int, project_id: int, now: dt.datetime, action: str,
                        **changes: Any) -> bool:
    """Apply ``changes`` to the worker's Skill if an offer stands (compare-and-set), audited.

    False when none stands: not offered, answered already, or no longer a plain worker.
    """
    changed = await Skill.filter(
        worker_id=worker_id,
        project_id=project_id,
        stage=SkillStage.WORKER,
        reviewer_offered_at__isnull=False,
        reviewer_declined_at=None,
    ).update(**changes, updated_at=now)
    if changed:
        await AuditLog.create(
            at=now, actor=f"worker:{worker_id}", action=action,
            worker_id=worker_id, project_id=project_id, data={},
        )
    return bool(changed)
