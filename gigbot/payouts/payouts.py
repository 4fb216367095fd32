"""Payout requests: a quote, the worker's confirmation, an admin's decision, the transfer.

Owner of ``payout_request``. The worker is quoted gross, withholding and net (``quote``: a draft
row, so the confirm button names a request, never an amount); ``confirm`` re-reads the balance
and refuses when it changed since the quote. A confirmed request takes the key
``open:<worker>``, so a worker has at most one request waiting, whichever process confirms.

Every decision is a compare-and-set on the request's status: ``approve`` (requested → approved,
then the payout and withholding entries with keys ``payout:<id>`` and ``withholding:<id>``),
``reject`` (requested → rejected, with the admin's reason) and ``mark_paid`` (approved → paid).
Approve pressed twice, two admins at once, a retried request or a stale button change nothing
the second time: the update claims no row, and the ledger keys are unique besides.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import uuid
from dataclasses import dataclass

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from gigbot.config import Settings
from gigbot.db.models import EntryKind, PayoutRequest, PayoutStatus, User
from gigbot.errors import UserError
from gigbot.members import admins
from gigbot.notices import Money, Notice
from gigbot.payouts import accounts, ledger
from gigbot.payouts.money import Balance, Split, split

__all__ = [
    "Decision",
    "ExportRow",
    "Offer",
    "Quote",
    "RequestView",
    "approve",
    "cancel",
    "confirm",
    "export_rows",
    "get_request",
    "mark_paid",
    "offer",
    "parse_amount",
    "quote",
    "reject",
]

log = logging.getLogger(__name__)
MAX_REASON = 300
_AMOUNT = re.compile(r"^[0-9][0-9,]*$")


@dataclass(frozen=True, slots=True)
class RequestView:
    """A payout request as the worker and the admins see it (the account masked)."""

    id: int
    worker_id: int
    worker_pseudonym: str
    worker_tg_id: int | None
    gross: int
    withholding: int
    net: int
    status: PayoutStatus
    account_masked: str
    created_at: dt.datetime
    decided_by: int | None
    reason: str | None


@dataclass(frozen=True, slots=True)
class Offer:
    """What /payout shows first: the balance, the minimum, a waiting request, the account."""

    balance: Balance
    minimum: int
    waiting: RequestView | None
    account_masked: str | None


@dataclass(frozen=True, slots=True)
class Quote:
    """A draft request: the split the worker confirms or not."""

    request_id: int
    split: Split
    available: int
    account_masked: str | None
    withholding_bp: int


@dataclass(frozen=True, slots=True)
class Decision:
    """An admin's decision or a confirmation; ``changed`` False when it was made already."""

    request: RequestView
    changed: bool
    worker_notice: Notice | None = None


def parse_amount(text: str) -> int:
    """A typed amount in minor units (``15000`` or ``15,000``); refuses anything else."""
    cleaned = text.strip().replace(" ", "").removesuffix("원").lstrip("₩")
    if not _AMOUNT.match(cleaned) or len(cleaned) > 15:
        raise UserError("payout.bad_amount")
    amount = int(cleaned.replace(",", ""))
    if amount <= 0:
        raise UserError("payout.bad_amount")
    return amount


async def _view(row: PayoutRequest) -> RequestView:
    worker = await User.get(id=row.worker_id)
    return RequestView(
        id=row.id, worker_id=row.worker_id, worker_pseudonym=worker.pseudonym,
        worker_tg_id=worker.tg_id, gross=int(row.amount), withholding=int(row.withholding),
        net=int(row.net), status=PayoutStatus(row.status), account_masked=row.account_masked,
        created_at=row.created_at, decided_by=row.decided_by, reason=row.reason,
    )


async def get_request(request_id: int) -> RequestView:
    """One request; ``payout.not_found`` when there is none."""
    row = await PayoutRequest.get_or_none(id=request_id)
    if row is None or row.status == PayoutStatus.DRAFT:
        raise UserError("payout.not_found")
    return await _view(row)


async def _waiting(worker_id: int) -> PayoutRequest | None:
    return await PayoutRequest.get_or_none(worker_id=worker_id, status=PayoutStatus.REQUESTED)


async def offer(worker_id: int, *, now: dt.datetime, settings: Settings) -> Offer:
    """The worker's balance, the minimum, a request still waiting and the masked account."""
    waiting = await _waiting(worker_id)
    return Offer(
        balance=await ledger.balance(worker_id, now),
        minimum=settings.payout_minimum,
        waiting=await _view(waiting) if waiting is not None else None,
        account_masked=await accounts.masked_account(worker_id),
    )


async def quote(worker_id: int, amount: int | None, *, now: dt.datetime,
                settings: Settings) -> Quote:
    """A draft for ``amount`` (None: the whole available balance), checked; nothing posted."""
    if await _waiting(worker_id) is not None:
        raise UserError("payout.waiting")
    balance = await ledger.balance(worker_id, now)
    minimum = settings.payout_minimum
    if balance.available < minimum:
        raise UserError("payout.below_minimum", minimum=Money(minimum),
                        available=Money(balance.available))
    gross = balance.available if amount is None else amount
    if gross <= 0:
        raise UserError("payout.bad_amount")
    if gross > balance.available:
        raise UserError("payout.above_available", available=Money(balance.available))
    if gross < minimum:
        raise UserError("payout.amount_below_minimum", minimum=Money(minimum))
    parts = split(gross, settings.withholding_bp)
    # a draft is replaced by the next quote: only the newest one can be confirmed
    await PayoutRequest.filter(worker_id=worker_id, status=PayoutStatus.DRAFT).delete()
    row = await PayoutRequest.create(
        worker_id=worker_id, amount=parts.gross, withholding=parts.withholding, net=parts.net,
        status=PayoutStatus.DRAFT, key=f"draft:{uuid.uuid4().hex}", created_at=now,
        available_seen=balance.available,
    )
    return Quote(row.id, parts, balance.available, await accounts.masked_account(worker_id),
                 settings.withholding_bp)


async def confirm(worker_id: int, request_id: int, *, now: dt.datetime,
                  settings: Settings) -> Decision:
    """The worker confirms a quote: it waits for an admin (once, whatever is retried)."""
    async with in_transaction() as db:
        row = await PayoutRequest.get_or_none(id=request_id, worker_id=worker_id)
        if row is None:
            raise UserError("payout.stale")
        if row.status != PayoutStatus.DRAFT:
            return Decision(await _view(row), False)  # confirmed already: a double tap
        stored = await accounts.read_account(worker_id)
        if stored is None:
            raise UserError("payout.account.missing")
        balance = await ledger.balance(worker_id, now, db)
        if balance.available != row.available_seen or row.amount > balance.available:
            await PayoutRequest.filter(id=row.id, status=PayoutStatus.DRAFT).delete()
            raise UserError("payout.balance_changed", available=Money(balance.available))
        try:
            claimed = await PayoutRequest.filter(id=row.id, status=PayoutStatus.DRAFT).update(
                status=PayoutStatus.REQUESTED, key=f"open:{worker_id}", confirmed_at=now,
                account=stored[0], account_masked=stored[1],
            )
        except IntegrityError:  # another request of this worker is waiting
            raise UserError("payout.waiting") from None
        row = await PayoutRequest.get(id=row.id)
    log.info("payout requested request=%s worker=%s", row.id, worker_id)
    return Decision(await _view(row), bool(claimed))


async def cancel(worker_id: int, request_id: int) -> bool:
    """Drop the worker's unconfirmed quote; True when there was one."""
    return bool(await PayoutRequest.filter(id=request_id, worker_id=worker_id,
                                           status=PayoutStatus.DRAFT).delete())


async def _worker_notice(view: RequestView, key: str, **params: object) -> Notice | None:
    user = await User.get_or_none(id=view.worker_id)
    if user is None or user.tg_id is None or user.deleted_at is not None:
        return None
    return Notice(int(user.tg_id), user.language, user.tz, key, {
        "id": view.id, "gross": Money(view.gross), "withholding": Money(view.withholding),
        "net": Money(view.net), "account": view.account_masked, **params,
    })


async def _require_admin(tg_id: int, settings: Settings) -> None:
    if not await admins.is_admin(tg_id, settings):
        raise UserError("payout.admin.not_admin")


async def approve(request_id: int, admin_tg_id: int, *, now: dt.datetime,
                  settings: Settings) -> Decision:
    """Approve a waiting request: its payout and withholding entries, exactly once."""
    await _require_admin(admin_tg_id, settings)
    async with in_transaction() as db:
        changed = await PayoutRequest.filter(id=request_id, status=PayoutStatus.REQUESTED).update(
            status=PayoutStatus.APPROVED, key=f"request:{request_id}", decided_at=now,
            decided_by=admin_tg_id,
        )
        row = await PayoutRequest.get_or_none(id=request_id)
        if row is None or row.status == PayoutStatus.DRAFT:
            raise UserError("payout.not_found")
        if changed:
            await ledger.post_new(db, row.worker_id, EntryKind.PAYOUT, -int(row.net),
                                  key=f"payout:{row.id}", now=now)
            if row.withholding:
                await ledger.post_new(db, row.worker_id, EntryKind.WITHHOLDING,
                                      -int(row.withholding), key=f"withholding:{row.id}",
                                      now=now)
    view = await _view(row)
    if not changed:
        return Decision(view, False)
    log.info("payout approved request=%s admin=%s", request_id, admin_tg_id)
    return Decision(view, True, await _worker_notice(view, "payout.notice.approved"))


async def reject(request_id: int, admin_tg_id: int, reason: str | None, *, now: dt.datetime,
                 settings: Settings) -> Decision:
    """Reject a waiting request with a reason; nothing is posted."""
    await _require_admin(admin_tg_id, settings)
    text = (reason or "").strip()[:MAX_REASON] or None
    changed = await PayoutRequest.filter(id=request_id, status=PayoutStatus.REQUESTED).update(
        status=PayoutStatus.REJECTED, key=f"request:{request_id}", decided_at=now,
        decided_by=admin_tg_id, reason=text,
    )
    view = await get_request(request_id)
    if not changed:
        return Decision(view, False)
    key = "payout.notice.rejected_reason" if text else "payout.notice.rejected"
    return Decision(view, True, await _worker_notice(view, key, reason=text or ""))


async def mark_paid(request_id: int, *, by: str, now: dt.datetime) -> Decision:
    """Record that an approved request was transferred (a repeat changes nothing)."""
    changed = await PayoutRequest.filter(id=request_id, status=PayoutStatus.APPROVED).update(
        status=PayoutStatus.PAID, paid_at=now, paid_by=by,
    )
    view = await get_request(request_id)
    if not changed and view.status != PayoutStatus.PAID:
        raise UserError("payout.not_approved", id=request_id)
    if changed:
        log.info("payout marked paid request=%s by=%s", request_id, by)
    return Decision(view, bool(changed),
                    await _worker_notice(view, "payout.notice.paid") if changed else None)


@dataclass(frozen=True, slots=True)
class ExportRow:
    """One line of the transfer list: the account in clear, for the admin who transfers."""

    id: int
    worker: str
    gross: int
    withholding: int
    net: int
    bank: str
    holder: str
    number: str
    status: str
    requested_at: dt.datetime
    decided_at: dt.datetime | None


async def export_rows(status: PayoutStatus, settings: Settings) -> list[ExportRow]:
    """The requests in ``status``, oldest first, with their account details decrypted."""
    out = []
    for row in await PayoutRequest.filter(status=status).order_by("id"):
        worker = await User.get(id=row.worker_id)
        account = accounts.account_of(settings, row.account) if row.account else None
        out.append(ExportRow(
            id=row.id, worker=worker.pseudonym, gross=int(row.amount),
            withholding=int(row.withholding), net=int(row.net),
            bank=account.bank if account else "", holder=account.holder if account else "",
            number=account.number if account else "", status=str(row.status),
            requested_at=row.confirmed_at or row.created_at, decided_at=row.decided_at,
        ))
    return out
