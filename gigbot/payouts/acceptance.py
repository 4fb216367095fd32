"""Acceptance policies: when an answer's earning stops being pending, or is taken back.

Every answer's earning is written with the answer (tasks/answers.py); this module changes the
answer's ``status`` (and ``reject_reason``, ``decided_at``) after that, as the project says:

- ``auto``: accepted on submit; nothing happens here (no statement is added to a tap);
- ``consensus``: when the item completes (``settle_consensus``, in the answer's transaction),
  an answer that agrees with the final label is accepted; one that differs is rejected with the
  reason ``consensus`` only when the label's confidence reaches the project's ``confidence``,
  else accepted;
- any answer still pending ``DECISION_DAYS`` after it was given is accepted
  (``accept_overdue``, run by a repeating job: its state is the answers' status, so a restart
  loses or doubles nothing);
- ``review``: a reviewer or an admin decides (``payouts.review``), through ``reject`` here for
  a rejection; undecided answers are accepted by the same 7-day rule.

A rejection writes a ``rejection`` entry of minus the earning, with the earning's hold, so the
two meet in the pending sum and no balance goes below zero; the worker gets a notice with an
Appeal button (``payouts.rejections``).
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient

from gigbot.callbacks import RejectionAppeal
from gigbot.db.models import (
    Acceptance,
    Answer,
    AnswerStatus,
    EntryKind,
    Item,
    LedgerEntry,
    Project,
    ProjectFacts,
    ProjectKind,
    User,
)
from gigbot.i18n import t
from gigbot.notices import Notice, NoticeButton
from gigbot.payouts import ledger
from gigbot.scoring.text import normalize

__all__ = [
    "DECISION_DAYS", "accept_overdue", "agrees", "reject", "reject_answer", "settle_consensus",
]

log = logging.getLogger(__name__)
DECISION_DAYS = 7  # an answer not decided within this many days is accepted
APPEAL_DAYS = 7  # a rejection can be appealed this long
EXCERPT = 300  # characters of the item shown with a rejection


def agrees(value: Any, label: Any, kind: str) -> bool:
    """True when an answer says what the final label says (texts compared normalised)."""
    if kind == ProjectKind.TRANSCRIPTION:
        return normalize(str(value)) == normalize(str(label))
    if isinstance(value, list) or isinstance(label, list):
        return sorted(map(str, value or [])) == sorted(map(str, label or []))
    return str(value) == str(label)


async def reject_answer(db: BaseDBAsyncClient, answer: Answer, reason: str, *,
                        now: dt.datetime, by: int | None = None) -> Notice | None:
    """Reject a pending answer (compare-and-set) and take its earning back; the notice."""
    _, notice = await reject(db, answer, reason, now=now, by=by)
    return notice


async def reject(db: BaseDBAsyncClient, answer: Answer, reason: str, *, now: dt.datetime,
                 by: int | None = None, note: str | None = None) -> tuple[bool, Notice | None]:
    """Reject a pending answer once: (changed, the worker's notice if they can be told)."""
    changed = await Answer.filter(id=answer.id, status=AnswerStatus.PENDING).update(
        status=AnswerStatus.REJECTED, reject_reason=reason, reject_note=note, decided_at=now,
        decided_by=by,
    )
    if not changed:
        return False, None
    earning = await LedgerEntry.get_or_none(key=f"answer:{answer.id}")
    if earning is not None:
        await ledger.post_new(db, answer.worker_id, EntryKind.REJECTION, -int(earning.amount),
                              key=f"rejection:{answer.id}", now=now, answer_id=answer.id,
                              available_at=earning.available_at)
    log.info("answer rejected answer=%s reason=%s", answer.id, reason)
    return True, await _rejection_notice(db, answer, reason, now, note)


async def _rejection_notice(db: BaseDBAsyncClient, answer: Answer, reason: str,
                            now: dt.datetime, note: str | None = None) -> Notice | None:
    user = await User.get_or_none(id=answer.worker_id)
    if user is None or user.tg_id is None or user.deleted_at is not None:
        return None
    item = await Item.get(id=answer.item_id)
    excerpt = (item.text or item.context or item.key or "")[:EXCERPT]
    project = await Project.get(id=answer.project_id)
    return Notice(int(user.tg_id), user.language, user.tz,
                  "acceptance.rejected_note" if note else "acceptance.rejected", {
        "project": dict(project.title), "item": excerpt,
        "reason": {"en": _reason_text("en", reason), "ko": _reason_text("ko", reason)},
        "until": now + dt.timedelta(days=APPEAL_DAYS), "note": note or "",
    }, (NoticeButton("acceptance.button.appeal", RejectionAppeal(answer.id).pack()),))


def _reason_text(lang: str, reason: str) -> str:
    return t(lang, f"acceptance.reason.{reason}")


async def settle_consensus(db: BaseDBAsyncClient, item_id: int, project: ProjectFacts,
                           now: dt.datetime) -> tuple[Notice, ...]:
    """The item just completed: accept or reject its pending answers by the final label."""
    if project.accept != Acceptance.CONSENSUS:
        return ()
    item = await Item.get(id=item_id)
    sure = (item.label_confidence or 0.0) >= project.confidence
    notices: list[Notice] = []
    for answer in await Answer.filter(item_id=item_id, status=AnswerStatus.PENDING):
        if agrees(answer.value, item.label, project.kind) or not sure:
            await Answer.filter(id=answer.id, status=AnswerStatus.PENDING).update(
                status=AnswerStatus.ACCEPTED, decided_at=now)
            continue
        notice = await reject_answer(db, answer, "consensus", now=now)
        if notice is not None:
            notices.append(notice)
    return tuple(notices)


async def accept_overdue(now: dt.datetime) -> int:
    """Accept every answer pending for ``DECISION_DAYS`` or more; how many."""
    cutoff = now - dt.timedelta(days=DECISION_DAYS)
    count = await Answer.filter(status=AnswerStatus.PENDING, created_at__lte=cutoff).update(
        status=AnswerStatus.ACCEPTED, decided_at=now)
    if count:
        log.info("answers accepted after %s days undecided count=%s", DECISION_DAYS, count)
    return int(count)
