"""The ledger's hand-written statement: the earning every tap writes.

Takes the connection first (the caller's transaction from ``in_transaction()``); the text has
``?`` placeholders (``statements.sql`` makes them ``$n`` on PostgreSQL).
"""

from __future__ import annotations

import datetime as dt

from tortoise.backends.base.client import BaseDBAsyncClient

from gigbot.db.models import EntryKind
from gigbot.db.statements import rows

__all__ = ["insert_entry"]

_INSERT = ("INSERT INTO ledger_entry (worker_id, kind, amount, key, answer_id, available_at, "
           "created_at) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id")


async def insert_entry(
    db: BaseDBAsyncClient, *, worker_id: int, kind: EntryKind, amount: int, key: str,
    answer_id: int | None, available_at: dt.datetime | None, now: dt.datetime,
) -> int:
    """Write one ledger entry; its id (a repeated key fails with ``IntegrityError``)."""
    found = await rows(db, _INSERT, [worker_id, kind.value, amount, key, answer_id,
                                     available_at, now])
    return int(found[0]["id"])
