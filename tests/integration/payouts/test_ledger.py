"""The ledger on a real database: one entry per key, whichever way it is posted."""

from __future__ import annotations

import pytest
from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from gigbot.db.models import EntryKind, LedgerEntry
from gigbot.payouts import ledger
from tests.helpers.tasks import START, make_worker


async def test_a_repeated_key_returns_the_first_entry(any_db: str) -> None:
    worker = await make_worker(1)
    first = await ledger.post(worker.id, EntryKind.BONUS, 100, key="bonus:1", now=START)
    again = await ledger.post(worker.id, EntryKind.BONUS, 999, key="bonus:1", now=START)
    assert again.id == first.id
    assert again.amount == 100
    assert await LedgerEntry.filter(key="bonus:1").count() == 1


async def test_a_new_key_is_written_once_and_stays_idempotent(any_db: str) -> None:
    worker = await make_worker(1)
    async with in_transaction() as db:
        entry_id = await ledger.post_new(db, worker.id, EntryKind.BONUS, 40, key="bonus:new",
                                         now=START)
    replay = await ledger.post(worker.id, EntryKind.BONUS, 40, key="bonus:new", now=START)
    assert replay.id == entry_id
    with pytest.raises(IntegrityError):  # the unique key still guards a new entry
        async with in_transaction() as db:
            await ledger.post_new(db, worker.id, EntryKind.BONUS, 40, key="bonus:new",
                                  now=START)
    assert await LedgerEntry.filter(key="bonus:new").count() == 1
    assert (await ledger.balance(worker.id, START)).available == 40
