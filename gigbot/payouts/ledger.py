"""The ledger: immutable integer entries with idempotency keys; balances are sums of entries.

Owner of ``ledger_entry``. ``post()`` is safe to repeat: the same key returns the first entry and
writes nothing; ``post_new()`` is for a key that names a row the caller has just inserted. Call
them inside the caller's transaction so the entry commits with what earned it. Nothing here
updates or deletes an entry: a correction is a new entry (rejection, reversal, adjustment).

Pending, available and paid are derived (``money.derive_balance``): an entry is pending while
its ``available_at`` (its project's ``hold_days`` after it was written) is in the future or
while its answer waits for acceptance, so no job has to move money and a restart loses nothing.
"""

from __future__ import annotations

import datetime as dt

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.exceptions import IntegrityError

from gigbot.db.models import EntryKind, LedgerEntry
from gigbot.db.statements import connection
from gigbot.payouts import store
from gigbot.payouts.money import Balance, derive_balance

__all__ = ["Balance", "balance", "earned_since", "post", "post_new"]


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


async def balance(worker_id: int, now: dt.datetime, db: BaseDBAsyncClient | None = None
                  ) -> Balance:
    """The worker's balance now, summed from entries (and a request waiting for an admin)."""
    db = db or connection()
    sums = await store.balance_sums(db, worker_id, now)
    return derive_balance(sums, await store.reserved(db, worker_id))


async def earned_since(worker_id: int, since: dt.datetime) -> int:
    """What the worker earned (net of rejections) since ``since``."""
    return await store.earned_since(connection(), worker_id, since)
