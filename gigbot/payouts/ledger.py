"""The ledger: immutable integer entries with idempotency keys; balances are sums of entries.

Owner of ``ledger_entry``. ``post()`` is safe to repeat: the same key returns the first entry and
writes nothing; ``post_new()`` is for a key that names a row the caller has just inserted. Call
them inside the caller's transaction so the entry commits with what earned it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.exceptions import IntegrityError
from tortoise.functions import Sum

from gigbot.db.models import EntryKind, LedgerEntry
from gigbot.payouts import store

__all__ = ["Balance", "balance", "post", "post_new"]


async def post(
    worker_id: int,
    kind: EntryKind,
    amount: int,
    *,
    key: str,
    now: dt.datetime,
    answer_id: int | None = None,
    available_at: dt.datetime | None = None,
) -> LedgerEntry:
    """Write one entry once: a repeated ``key`` returns the entry already written."""
    _check(amount)
    existing = await LedgerEntry.get_or_none(key=key)
    if existing is not None:
        return existing
    try:
        return await LedgerEntry.create(
            worker_id=worker_id,
            kind=kind,
            amount=amount,
            key=key,
            answer_id=answer_id,
            available_at=available_at,
            created_at=now,
        )
    except IntegrityError:
        return await LedgerEntry.get(key=key)


async def post_new(
    db: BaseDBAsyncClient,
    worker_id: int,
    kind: EntryKind,
    amount: int,
    *,
    key: str,
    now: dt.datetime,
    answer_id: int | None = None,
    available_at: dt.datetime | None = None,
) -> int:
    """Write an entry whose ``key`` names a row just inserted in transaction ``db``; its id.

    Such as ``answer:<id>`` for the answer's earning: no entry can hold the key yet, so the
    look-up of ``post()`` is skipped (every tap writes one). The unique key still guards it: a
    repeat fails with ``IntegrityError`` and rolls the caller's transaction back.
    """
    _check(amount)
    return await store.insert_entry(db, worker_id=worker_id, kind=kind, amount=amount, key=key,
                                    answer_id=answer_id, available_at=available_at, now=now)


def _check(amount: int) -> None:
    if not isinstance(amount, int) or isinstance(amount, bool):
        raise TypeError("ledger amounts are integers in minor units")


@dataclass(frozen=True, slots=True)
class Balance:
    """What a worker has: earned but held (pending), withdrawable (available), paid out."""

    pending: int
    available: int
    paid: int


async def balance(worker_id: int, now: dt.datetime) -> Balance:
    """The worker's balance now, summed from entries."""
    rows = (
        await LedgerEntry.filter(worker_id=worker_id)
        .group_by("kind")
        .annotate(total=Sum("amount"))
        .values("kind", "total")
    )
    held = (
        await LedgerEntry.filter(worker_id=worker_id, available_at__gt=now)
        .annotate(total=Sum("amount"))
        .first()
        .values("total")
    )
    totals = {EntryKind(r["kind"]): int(r["total"] or 0) for r in rows}
    pending = int((held or {}).get("total") or 0)
    paid = -(totals.get(EntryKind.PAYOUT, 0))
    earned = sum(v for k, v in totals.items() if k is not EntryKind.PAYOUT)
    return Balance(pending=pending, available=earned - pending - paid, paid=paid)
