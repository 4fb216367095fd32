"""Appeals of rejected answers: the worker's case, the admins' decision, the earning restored.

A rejected answer can be appealed once, for ``APPEAL_DAYS`` after its rejection. The appeal rows
live in the ``appeal`` table, owned by quality/appeals.py (suspension appeals share it); this
module calls its row functions and owns the rest: who may appeal, and what a decision does to
the answer and the ledger. An upheld appeal accepts the answer again and writes a ``reversal``
entry (key ``reversal:<answer>``) equal to the rejection, with the earning's hold; a refused one
tells the worker why. A decision is a compare-and-set: a second admin or a replayed button
changes nothing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from tortoise.transactions import in_transaction

from gigbot.config import Settings
from gigbot.db.models import Answer, AnswerStatus, EntryKind, Item, LedgerEntry, Project, User
from gigbot.errors import UserError
from gigbot.members import admins
from gigbot.notices import Notice
from gigbot.payouts import ledger
from gigbot.payouts.acceptance import APPEAL_DAYS, EXCERPT
from gigbot.quality import appeals
from gigbot.quality.appeals import AnswerAppealRow

__all__ = ["MAX_TEXT", "RejectionCase", "check_appealable", "decide", "file_appeal", "get_case"]

MAX_TEXT = 1000
MAX_NOTE = 300


@dataclass(frozen=True, slots=True)
class RejectionCase:
    """An appeal of an answer as admins see it (never whether the item was a control item)."""

    appeal: AnswerAppealRow
    worker_pseudonym: str
    worker_tg_id: int | None
    project: dict[str, str]
    item: str
    answer: str
    reason: str | None


async def check_appealable(worker_id: int, answer_id: int, now: dt.datetime) -> Answer:
    """The worker's rejected answer, if it can be appealed now (else a UserError)."""
    answer = await Answer.get_or_none(id=answer_id, worker_id=worker_id)
    if answer is None or answer.status != AnswerStatus.REJECTED:
        raise UserError("rejection.not_rejected")
    decided = answer.decided_at or answer.created_at
    if now > decided + dt.timedelta(days=APPEAL_DAYS):
        raise UserError("rejection.too_late", days=APPEAL_DAYS)
    if await appeals.answer_appeal(answer_id=answer_id) is not None:
        raise UserError("rejection.already")
    return answer


async def get_case(appeal_id: int) -> RejectionCase:
    """One appeal of an answer; ``rejection.not_found`` when there is none."""
    row = await appeals.answer_appeal(appeal_id=appeal_id)
    if row is None:
        raise UserError("rejection.not_found")
    answer = await Answer.get(id=row.answer_id)
    worker = await User.get(id=row.worker_id)
    item = await Item.get(id=answer.item_id)
    project = await Project.get(id=answer.project_id)
    value = answer.value if isinstance(answer.value, str) else ", ".join(map(str, answer.value))
    return RejectionCase(row, worker.pseudonym, worker.tg_id, dict(project.title),
                         (item.text or item.context or item.key or "")[:EXCERPT], value,
                         answer.reject_reason)


async def file_appeal(worker_id: int, answer_id: int, text: str, now: dt.datetime
                      ) -> tuple[RejectionCase, bool]:
    """Put the worker's appeal in the admins' queue, once per answer; (case, created)."""
    text = text.strip()
    if not text:
        raise UserError("rejection.empty")
    if len(text) > MAX_TEXT:
        raise UserError("rejection.too_long", limit=MAX_TEXT)
    existing = await appeals.answer_appeal(answer_id=answer_id)
    if existing is not None and existing.worker_id == worker_id:
        return await get_case(existing.id), False
    await check_appealable(worker_id, answer_id, now)
    row, created = await appeals.open_answer_appeal(worker_id, answer_id, text, now)
    return await get_case(row.id), created


async def decide(appeal_id: int, admin_tg_id: int, *, uphold: bool, note: str | None,
                 now: dt.datetime, settings: Settings) -> tuple[RejectionCase, bool,
                                                                Notice | None]:
    """Uphold (restore the earning) or refuse an appeal; (case, changed, worker notice)."""
    if not await admins.is_admin(admin_tg_id, settings):
        raise UserError("appeal.not_admin")
    note = (note or "").strip()[:MAX_NOTE] or None
    case = await get_case(appeal_id)
    answer_id = case.appeal.answer_id
    async with in_transaction() as db:
        changed = await appeals.close_answer_appeal(appeal_id, admin_tg_id, uphold=uphold,
                                                    note=note, now=now)
        if changed and uphold:
            await Answer.filter(id=answer_id, status=AnswerStatus.REJECTED).update(
                status=AnswerStatus.ACCEPTED, decided_at=now, decided_by=admin_tg_id)
            taken = await LedgerEntry.get_or_none(key=f"rejection:{answer_id}")
            if taken is not None:
                await ledger.post_new(db, case.appeal.worker_id, EntryKind.REVERSAL,
                                      -int(taken.amount), key=f"reversal:{answer_id}",
                                      now=now, answer_id=answer_id,
                                      available_at=taken.available_at)
    case = await get_case(appeal_id)
    if not changed:
        return case, False, None
    user = await User.get_or_none(id=case.appeal.worker_id)
    notice = None
    if user is not None and user.tg_id is not None and user.deleted_at is None:
        key = "rejection.upheld" if uphold else (
            "rejection.refused_note" if note else "rejection.refused")
        notice = Notice(int(user.tg_id), user.language, user.tz, key,
                        {"project": case.project, "item": case.item, "note": note or ""})
    return case, True, notice
