"""The ledger's hand-written statements: the earning every tap writes, the balance's sums.

Each takes the connection first (the caller's transaction from ``in_transaction()``); the text
has ``?`` placeholders (``statements.sql`` makes them ``$n`` on PostgreSQL).
"""

from __future__ import annotations

import datetime as dt

from tortoise.backends.base.client import BaseDBAsyncClient

from gigbot.db.models import AnswerStatus, EntryKind, PayoutStatus
from gigbot.db.statements import rows
from gigbot.payouts.money import EntrySum

__all__ = ["balance_sums", "earned_since", "insert_entry", "reserved"]

_INSERT = ("INSERT INTO ledger_entry (worker_id, kind, amount, key, answer_id, available_at, "
           "created_at) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id")

# An entry is held (pending) while its hold runs or while its answer waits for acceptance.
_SUMS = ("SELECT e.kind AS kind, CASE WHEN e.available_at > ? OR a.status = ? THEN 1 ELSE 0 END "
         "AS held, SUM(e.amount) AS total FROM ledger_entry e "
         "LEFT JOIN answer a ON a.id = e.answer_id WHERE e.worker_id = ? GROUP BY e.kind, 2")

_EARNED = ("SELECT SUM(amount) AS total FROM ledger_entry WHERE worker_id = ? AND created_at >= ? "
           "AND kind IN (?, ?, ?, ?, ?)")

_RESERVED = ("SELECT SUM(amount) AS total FROM payout_request WHERE worker_id = ? "
             "AND status = ?")


async def insert_entry(
    db: BaseDBAsyncClient, *, worker_id: int, kind: EntryKind, amount: int, key: str,
    answer_id: int | None, available_at: dt.datetime | None, now: dt.datetime,
) -> int:
    """Write one ledger entry; its id (a repeated key fails with ``IntegrityError``)."""
    found = await rows(db, _INSERT, [worker_id, kind.value, amount, key, answer_id,
                                     available_at, now])
    return int(found[0]["id"])


async def balance_sums(db: BaseDBAsyncClient, worker_id: int, now: dt.datetime
                       ) -> list[EntrySum]:
    """The worker's entries summed by kind and by held (pending) or not."""
    found = await rows(db, _SUMS, [now, AnswerStatus.PENDING.value, worker_id])
    return [EntrySum(EntryKind(r["kind"]), bool(r["held"]), int(r["total"] or 0)) for r in found]


async def earned_since(db: BaseDBAsyncClient, worker_id: int, since: dt.datetime) -> int:
    """Earnings, rejections, reversals, bonuses and review pay written since ``since``."""
    found = await rows(db, _EARNED, [worker_id, since, EntryKind.EARNING.value,
                                     EntryKind.REJECTION.value, EntryKind.REVERSAL.value,
                                     EntryKind.BONUS.value, EntryKind.REVIEW.value])
    return int(found[0]["total"] or 0) if found else 0


async def reserved(db: BaseDBAsyncClient, worker_id: int) -> int:
    """The gross of the worker's confirmed request that waits for an admin (0 if none)."""
    found = await rows(db, _RESERVED, [worker_id, PayoutStatus.REQUESTED.value])
    return int(found[0]["total"] or 0) if found else 0
