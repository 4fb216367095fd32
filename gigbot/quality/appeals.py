"""Appeals: a suspended worker's case in the admins' queue, and the admins' decisions.

Owner of the ``appeal`` table. A worker appeals a suspension in force with a short text
(``file_appeal``); every admin (GIGBOT_ADMINS and the admin table) is then told. An admin upholds
(the suspension is lifted through ``tasks.suspensions.lift``) or denies it with an optional note
(``decide_appeal``); the worker is told either way. Both steps are idempotent: one open appeal
per suspension, and a decision is a compare-and-set on the appeal's status, so a second admin or
a replayed button changes nothing. Admins also suspend by hand (``admin_suspend``, ``/suspend``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from gigbot.config import Settings
from gigbot.db.models import Appeal, AppealStatus, Project, Suspension, SuspensionRule, User
from gigbot.errors import UserError
from gigbot.members import admins
from gigbot.notices import Notice
from gigbot.quality import suspensions
from gigbot.quality.suspensions import ActiveSuspension

__all__ = [
    "MAX_NOTE",
    "MAX_TEXT",
    "AdminSuspended",
    "AnswerAppealRow",
    "AppealCase",
    "Decided",
    "Filed",
    "Recipient",
    "admin_recipients",
    "admin_suspend",
    "answer_appeal",
    "check_appealable",
    "close_answer_appeal",
    "decide_appeal",
    "file_appeal",
    "get_case",
    "open_answer_appeal",
    "open_cases",
]

MAX_TEXT = 1000  # an appeal fits in one admin message with the case around it
MAX_NOTE = 300
MAX_REASON = 300


@dataclass(frozen=True, slots=True)
class Recipient:
    """Someone to send a message to, in their language and zone."""

    chat_id: int
    lang: str
    tz: str


@dataclass(frozen=True, slots=True)
class AppealCase:
    """An appeal as admins see it: who, against what, their text, where it stands."""

    id: int
    status: AppealStatus
    text: str
    created_at: dt.datetime
    worker_id: int
    worker_pseudonym: str
    worker_tg_id: int | None
    suspension_id: int | None
    project: dict[str, str] | None  # None: a suspension from all projects
    rule: str
    reason_key: str
    reason_params: dict[str, object]
    ends_at: dt.datetime | None
    decided_by: int | None
    decision_note: str | None


@dataclass(frozen=True, slots=True)
class Filed:
    """A filed appeal: ``created`` False when it was filed already (nothing sent twice)."""

    case: AppealCase
    created: bool
    admins: tuple[Recipient, ...]


@dataclass(frozen=True, slots=True)
class Decided:
    """A decision: ``changed`` False when the appeal was decided already."""

    case: AppealCase
    changed: bool
    worker_notice: Notice | None


@dataclass(frozen=True, slots=True)
class AdminSuspended:
    """A suspension an admin imposed, and the worker to tell."""

    suspension: ActiveSuspension
    worker: Recipient | None
    created: bool


async def _recipient(user: User | None) -> Recipient | None:
    if user is None or user.tg_id is None or user.deleted_at is not None:
        return None
    return Recipient(int(user.tg_id), user.language, user.tz)


async def admin_recipients(settings: Settings) -> tuple[Recipient, ...]:
    """Every admin, in their language and zone when they use the bot (else ours)."""
    ids = await admins.admin_ids(settings)
    users = {u.tg_id: u for u in await User.filter(tg_id__in=ids)} if ids else {}
    out = []
    for tg_id in ids:
        user = users.get(tg_id)
        if user is None:
            out.append(Recipient(tg_id, "en", settings.tz))
        else:
            out.append(Recipient(tg_id, user.language, user.tz))
    return tuple(out)


async def _case(appeal: Appeal) -> AppealCase:
    worker = await User.get(id=appeal.worker_id)
    suspension = (
        await Suspension.get_or_none(id=appeal.suspension_id)
        if appeal.suspension_id is not None
        else None
    )
    project = None
    if suspension is not None and suspension.project_id is not None:
        row = await Project.get(id=suspension.project_id)
        project = dict(row.title)
    return AppealCase(
        id=appeal.id,
        status=AppealStatus(appeal.status),
        text=appeal.text,
        created_at=appeal.created_at,
        worker_id=worker.id,
        worker_pseudonym=worker.pseudonym,
        worker_tg_id=worker.tg_id,
        suspension_id=suspension.id if suspension else None,
        project=project,
        rule=suspension.rule if suspension else "",
        reason_key=suspension.reason_key if suspension else "",
        reason_params=dict(suspension.reason_params or {}) if suspension else {},
        ends_at=suspension.ends_at if suspension else None,
        decided_by=appeal.decided_by,
        decision_note=appeal.decision_note,
    )


async def get_case(appeal_id: int) -> AppealCase:
    """One appeal; ``appeal.not_found`` when there is none."""
    appeal = await Appeal.get_or_none(id=appeal_id)
    if appeal is None:
        raise UserError("appeal.not_found")
    return await _case(appeal)


async def open_cases(limit: int = 20) -> list[AppealCase]:
    """The admins' queue: open appeals, oldest first."""
    rows = await Appeal.filter(status=AppealStatus.OPEN, suspension_id__isnull=False).order_by(
        "created_at", "id").limit(limit)
    return [await _case(a) for a in rows]


async def check_appealable(worker_id: int, suspension_id: int, now: dt.datetime
                           ) -> ActiveSuspension:
    """The worker's suspension in force, if it can be appealed now (else a UserError)."""
    active = {s.id: s for s in await suspensions.list_active(worker_id, now)}
    suspension = active.get(suspension_id)
    if suspension is None:
        raise UserError("appeal.not_suspended")
    if await Appeal.filter(suspension_id=suspension_id, status=AppealStatus.OPEN).exists():
        raise UserError("appeal.already_open")
    return suspension


async def file_appeal(
    worker_id: int, suspension_id: int, text: str, now: dt.datetime, settings: Settings
) -> Filed:
    """Put the worker's appeal in the admins' queue (once per suspension while it is open)."""
    text = text.strip()
    if not text:
        raise UserError("appeal.empty")
    if len(text) > MAX_TEXT:
        raise UserError("appeal.too_long", limit=MAX_TEXT)
    async with in_transaction():
        existing = await Appeal.filter(
            suspension_id=suspension_id, worker_id=worker_id, status=AppealStatus.OPEN
        ).first()
        if existing is not None:
            return Filed(await _case(existing), False, ())
        active = {s.id for s in await suspensions.list_active(worker_id, now)}
        if suspension_id not in active:
            raise UserError("appeal.not_suspended")
        appeal = await Appeal.create(
            worker_id=worker_id, suspension_id=suspension_id, text=text, created_at=now
        )
    return Filed(await _case(appeal), True, await admin_recipients(settings))


def _decision_notice(case: AppealCase, worker: Recipient, uphold: bool) -> Notice:
    scope = "project" if case.project is not None else "everywhere"
    if uphold:
        key = f"appeal.upheld_{scope}"
    else:
        key = f"appeal.denied_{scope}" + ("_note" if case.decision_note else "")
    params: dict[str, object] = {}
    if case.project is not None:
        params["project"] = case.project
    if case.decision_note and not uphold:
        params["note"] = case.decision_note
    return Notice(worker.chat_id, worker.lang, worker.tz, key, params)


async def decide_appeal(
    appeal_id: int,
    admin_tg_id: int,
    *,
    uphold: bool,
    note: str | None,
    now: dt.datetime,
    settings: Settings,
) -> Decided:
    """Uphold (lift the suspension) or deny an open appeal; a second decision changes nothing."""
    if not await admins.is_admin(admin_tg_id, settings):
        raise UserError("appeal.not_admin")
    note = (note or "").strip()[:MAX_NOTE] or None
    async with in_transaction():
        changed = await Appeal.filter(id=appeal_id, status=AppealStatus.OPEN).update(
            status=AppealStatus.UPHELD if uphold else AppealStatus.DENIED,
            decided_at=now,
            decided_by=admin_tg_id,
            decision_note=note,
        )
        appeal = await Appeal.get_or_none(id=appeal_id)
        if appeal is None:
            raise UserError("appeal.not_found")
        if changed and uphold and appeal.suspension_id is not None:
            await suspensions.lift(
                appeal.suspension_id, now=now, by=f"admin:{admin_tg_id}"
            )
    case = await _case(appeal)
    if not changed:
        return Decided(case, False, None)
    worker = await _recipient(await User.get_or_none(id=case.worker_id))
    notice = _decision_notice(case, worker, uphold) if worker else None
    return Decided(case, True, notice)


async def admin_suspend(
    admin_tg_id: int,
    target_tg_id: int,
    project_slug: str | None,
    days: int,
    reason: str,
    *,
    now: dt.datetime,
    settings: Settings,
) -> AdminSuspended:
    """Suspend a worker by hand: one project or all (None), for ``days`` (0: until decided)."""
    if not await admins.is_admin(admin_tg_id, settings):
        raise UserError("appeal.not_admin")
    reason = reason.strip()
    if not reason:
        raise UserError("suspension.admin.need_reason")
    if days < 0 or days > 3650:
        raise UserError("suspension.admin.bad_days")
    user = await User.get_or_none(tg_id=target_tg_id)
    if user is None:
        raise UserError("suspension.admin.no_worker", id=target_tg_id)
    project_id = None
    if project_slug is not None:
        project = await Project.get_or_none(slug=project_slug)
        if project is None:
            raise UserError("suspension.admin.no_project", slug=project_slug)
        project_id = project.id
    before = {s.id for s in await suspensions.list_active(user.id, now)}
    suspension = await suspensions.suspend(
        user.id,
        project_id,
        rule=SuspensionRule.ADMIN,
        reason_key="suspension.reason.admin",
        reason_params={"text": reason[:MAX_REASON]},
        now=now,
        ends_at=now + dt.timedelta(days=days) if days else None,
        actor=f"admin:{admin_tg_id}",
    )
    return AdminSuspended(suspension, await _recipient(user), suspension.id not in before)


# ----- appeals of rejected answers: the rows only (payouts/rejections.py owns the flow) ---------


@dataclass(frozen=True, slots=True)
class AnswerAppealRow:
    """An appeal of a rejected answer as stored."""

    id: int
    worker_id: int
    answer_id: int
    text: str
    status: AppealStatus
    created_at: dt.datetime
    decided_by: int | None
    decision_note: str | None


def _answer_row(appeal: Appeal) -> AnswerAppealRow:
    return AnswerAppealRow(
        id=appeal.id, worker_id=appeal.worker_id, answer_id=int(appeal.answer_id or 0),
        text=appeal.text, status=AppealStatus(appeal.status), created_at=appeal.created_at,
        decided_by=appeal.decided_by, decision_note=appeal.decision_note,
    )


async def answer_appeal(*, appeal_id: int | None = None,
                        answer_id: int | None = None) -> AnswerAppealRow | None:
    """The appeal of a rejected answer, by its id or the answer's (None when there is none)."""
    found = (await Appeal.get_or_none(id=appeal_id, answer_id__isnull=False)
             if appeal_id is not None else await Appeal.get_or_none(answer_id=answer_id))
    return _answer_row(found) if found is not None else None


async def open_answer_appeal(worker_id: int, answer_id: int, text: str,
                             now: dt.datetime) -> tuple[AnswerAppealRow, bool]:
    """Store the appeal of an answer once (a unique key per answer); (row, created)."""
    try:
        async with in_transaction():
            appeal = await Appeal.create(worker_id=worker_id, answer_id=answer_id,
                                         text=text, created_at=now)
        return _answer_row(appeal), True
    except IntegrityError:
        return _answer_row(await Appeal.get(answer_id=answer_id)), False


async def close_answer_appeal(appeal_id: int, admin_tg_id: int, *, uphold: bool,
                              note: str | None, now: dt.datetime) -> bool:
    """Decide an open appeal of an answer (compare-and-set); True when this call decided it."""
    changed = await Appeal.filter(id=appeal_id, status=AppealStatus.OPEN,
                                  answer_id__isnull=False).update(
        status=AppealStatus.UPHELD if uphold else AppealStatus.DENIED,
        decided_at=now, decided_by=admin_tg_id, decision_note=note,
    )
    return bool(changed)
