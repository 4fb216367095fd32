"""The ``review`` acceptance policy: reviewers and admins accept or reject pending answers.

An answer of a project with ``accept = "review"`` is recorded ``pending`` (tasks/answers.py) and
stays so until someone allowed to review it decides, or until the 7-day rule accepts it
(``acceptance.accept_overdue``). Allowed: an admin, or a worker at the reviewer stage of that
project who passes its qualification gate and is not suspended there; nobody decides on their
own answer. A rejection names one of ``REASONS`` (``other`` only with a typed note) and goes
through ``acceptance.reject``: the rejection entry and the worker's notice with Appeal.

A decision is a compare-and-set on the answer's status, so a double press, two reviewers at once
(on PostgreSQL the second update waits for the first's row lock, then matches no row) or a stale
button decides once. In the same transaction a reviewer of the project (not an admin acting only
as admin) earns the project's ``review_reward``: a ``review`` entry with the key
``review:<answer>``, one per decision, kept whatever an appeal later says.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from tortoise.transactions import in_transaction

from gigbot.config import Settings
from gigbot.db.models import (
    Acceptance,
    Answer,
    AnswerStatus,
    EntryKind,
    Item,
    Project,
    ProjectKind,
)
from gigbot.errors import UserError
from gigbot.members import admins
from gigbot.notices import Notice
from gigbot.payouts import acceptance, ledger
from gigbot.qualification.gate import is_qualified
from gigbot.qualification.offers import reviewer_projects
from gigbot.quality.suspensions import active_suspension

__all__ = [
    "MAX_NOTE",
    "REASONS",
    "Outcome",
    "ReviewCard",
    "Reviewed",
    "Reviewer",
    "check_card",
    "decide",
    "next_card",
    "reasons_for",
]

log = logging.getLogger(__name__)
REASONS = ("wrong_label", "mismatch", "incomplete", "guideline", "other")
NOTE_NEEDED = frozenset({"other"})  # a reason that says nothing without the reviewer's words
_FOR_KIND = {
    ProjectKind.CLASSIFICATION.value: ("wrong_label", "guideline", "other"),
    ProjectKind.TRANSCRIPTION.value: ("mismatch", "incomplete", "guideline", "other"),
}
MAX_NOTE = 300
ITEM_CHARS = 800  # of the item's text on a card (a media caption holds 1 024 characters)


def reasons_for(kind: str) -> tuple[str, ...]:
    """The rejection reasons offered for a project of ``kind``, in order."""
    return _FOR_KIND.get(kind, ("guideline", "other"))


@dataclass(frozen=True, slots=True)
class Reviewer:
    """Who reviews: the member and their Telegram id (admins are known by it)."""

    worker_id: int
    tg_id: int


@dataclass(frozen=True, slots=True)
class ReviewCard:
    """A pending answer as a reviewer sees it: the item and the answer, never gold or marks."""

    answer_id: int
    project: dict[str, str]
    kind: str
    item_text: str | None
    context: str | None
    image: str | None  # stored media path, sent as the task engine sends it
    audio: str | None
    labels: tuple[dict[str, str], ...]  # the answer's labels with captions (classification)
    typed: str | None  # the answer's text (transcription)
    reasons: tuple[str, ...]


class Outcome(StrEnum):
    """What a decision did."""

    ACCEPTED = "accepted"
    REJECTED = "rejected"
    ALREADY = "already"  # decided before (another reviewer, a double press, the 7-day rule)


@dataclass(frozen=True, slots=True)
class Reviewed:
    """A decision: its outcome, the worker's notice (a rejection), the reviewer's pay."""

    outcome: Outcome
    notice: Notice | None
    paid: int


async def _projects(reviewer: Reviewer, settings: Settings, now: dt.datetime) -> list[int]:
    """Ids of the review projects this reviewer may review now (all of them for an admin)."""
    review = await Project.filter(accept=Acceptance.REVIEW.value).values("id", "qualification_id")
    if await admins.is_admin(reviewer.tg_id, settings):
        return [int(r["id"]) for r in review]
    staged = await reviewer_projects(reviewer.worker_id)
    return [int(r["id"]) for r in review if int(r["id"]) in staged
            and await _eligible(reviewer.worker_id, int(r["id"]), r["qualification_id"], now)]


async def _eligible(worker_id: int, project_id: int, quiz_id: int | None,
                    now: dt.datetime) -> bool:
    """A reviewer of the project still passes its gate and is not suspended from it."""
    return (await is_qualified(worker_id, quiz_id)
            and await active_suspension(worker_id, project_id, now) is None)


async def next_card(reviewer: Reviewer, *, settings: Settings, now: dt.datetime
                    ) -> ReviewCard | None:
    """The oldest pending answer the reviewer may decide (not their own); None when none."""
    projects = await _projects(reviewer, settings, now)
    if not projects and not await admins.is_admin(reviewer.tg_id, settings):
        raise UserError("review.not_reviewer")
    answer = await Answer.filter(
        status=AnswerStatus.PENDING, project_id__in=projects,
    ).exclude(worker_id=reviewer.worker_id).order_by("id").first() if projects else None
    return await _card(answer) if answer is not None else None


async def _card(answer: Answer) -> ReviewCard:
    item = await Item.get(id=answer.item_id)
    project = await Project.get(id=answer.project_id)
    captions = {str(label["value"]): label for label in project.labels or []}
    values = answer.value if isinstance(answer.value, list) else [answer.value]
    kind = str(project.kind)
    labels = tuple(_caption(captions, str(v)) for v in values) if kind != "transcription" else ()
    typed = str(answer.value) if kind == "transcription" else None
    return ReviewCard(answer.id, dict(project.title), kind,
                      (item.text or "")[:ITEM_CHARS] or None, item.context, item.image,
                      item.audio, labels, typed, reasons_for(kind))


def _caption(captions: dict[str, Any], value: str) -> dict[str, str]:
    label = captions.get(value)
    if label is None:
        return {"en": value, "ko": value}
    return {"en": str(label.get("en", value)), "ko": str(label.get("ko", value))}


async def _allowed(reviewer: Reviewer, answer: Answer, project: Project, *,
                   settings: Settings, now: dt.datetime) -> bool:
    """Whether the reviewer may decide this answer; True also says they are paid for it."""
    if project.accept != Acceptance.REVIEW.value:
        raise UserError("review.not_allowed")
    if answer.worker_id == reviewer.worker_id:
        raise UserError("review.own")
    staged = (project.id in await reviewer_projects(reviewer.worker_id)
              and await _eligible(reviewer.worker_id, project.id, project.qualification_id,
                                  now))
    if not staged and not await admins.is_admin(reviewer.tg_id, settings):
        raise UserError("review.not_allowed")
    return staged


async def check_card(reviewer: Reviewer, answer_id: int, *, settings: Settings,
                     now: dt.datetime) -> ReviewCard:
    """The card of an answer the reviewer may still decide (for the reasons screen)."""
    answer = await Answer.get_or_none(id=answer_id)
    if answer is None:
        raise UserError("review.not_found")
    await _allowed(reviewer, answer, await Project.get(id=answer.project_id), settings=settings,
                   now=now)
    if answer.status != AnswerStatus.PENDING:
        raise UserError("review.decided_already")
    return await _card(answer)


async def decide(reviewer: Reviewer, answer_id: int, *, reason: str | None,
                 note: str | None = None, settings: Settings, now: dt.datetime) -> Reviewed:
    """Accept (``reason`` None) or reject the answer once; pay the reviewer once."""
    answer = await Answer.get_or_none(id=answer_id)
    if answer is None:
        raise UserError("review.not_found")
    project = await Project.get(id=answer.project_id)
    staged = await _allowed(reviewer, answer, project, settings=settings, now=now)
    note = (note or "").strip()[:MAX_NOTE] or None
    if reason is not None and reason not in reasons_for(str(project.kind)):
        raise UserError("review.bad_reason")
    if reason in NOTE_NEEDED and note is None:
        raise UserError("review.note_needed")
    async with in_transaction() as db:
        notice = None
        if reason is None:
            changed = bool(await Answer.filter(id=answer.id, status=AnswerStatus.PENDING).update(
                status=AnswerStatus.ACCEPTED, decided_at=now, decided_by=reviewer.tg_id))
        else:
            changed, notice = await acceptance.reject(db, answer, reason, now=now,
                                                      by=reviewer.tg_id, note=note)
        pay = int(project.review_reward) if changed and staged else 0
        if pay > 0:
            hold = now + dt.timedelta(days=project.hold_days) if project.hold_days else None
            await ledger.post_new(db, reviewer.worker_id, EntryKind.REVIEW, pay,
                                  key=f"review:{answer.id}", now=now, available_at=hold)
    if not changed:
        return Reviewed(Outcome.ALREADY, None, 0)
    log.info("answer reviewed answer=%s by=%s rejected=%s", answer.id, reviewer.worker_id,
             reason is not None)
    return Reviewed(Outcome.REJECTED if reason else Outcome.ACCEPTED, notice, pay)
