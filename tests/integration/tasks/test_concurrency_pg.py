"""Twenty workers at once on PostgreSQL (SKIP LOCKED): no item over-served, none served twice."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections import Counter
from collections.abc import AsyncIterator

import pytest

from gigbot.db import close_db, init_db
from gigbot.db.models import Answer, Item, Lease, LeaseStatus
from gigbot.tasks import answers, sessions
from gigbot.tasks.answers import Outcome
from tests.helpers.tasks import START, make_project, make_workers

pytestmark = pytest.mark.postgres

WORKERS = 20
ITEMS = 40
OVERLAP = 3


@pytest.fixture
async def pg(pg_url: str) -> AsyncIterator[None]:
    """The fresh PostgreSQL database, connected with a pool wide enough for every worker."""
    await init_db(f"{pg_url}?minsize=1&maxsize={WORKERS + 5}")
    try:
        yield
    finally:
        await close_db()


async def _work(worker_id: int, project_id: int, skip_every: int) -> int:
    """Answer (and now and then skip) until no work is left; returns the answers recorded."""
    now = START
    recorded = 0
    step = await sessions.start_session(worker_id, project_id, now=now)
    n = 0
    while step.item is not None:
        n += 1
        now += dt.timedelta(seconds=5)
        if skip_every and n % skip_every == 0:
            step = await answers.skip_item(worker_id, step.item.lease_id, now=now)
            continue
        step = await answers.submit_choice(worker_id, step.item.lease_id, n % 2, now=now)
        assert step.outcome is Outcome.RECORDED
        recorded += 1
    return recorded


async def test_twenty_concurrent_workers_skip_locked(pg: None) -> None:
    project = await make_project(items=ITEMS, overlap=OVERLAP)
    workers = await make_workers(WORKERS)
    done = list(await asyncio.gather(
        *(_work(w.id, project.id, skip_every=7 if i % 4 == 0 else 0)
          for i, w in enumerate(workers))
    ))
    # A worker who found every remaining slot leased by others stopped; a later skip may
    # have released such a slot. One more round, one worker after another, takes it up.
    for w in workers:
        done.append(await _work(w.id, project.id, skip_every=0))
    rows = await Answer.filter(project_id=project.id).values_list("item_id", "worker_id")
    assert sum(done) == len(rows)
    pairs = Counter(rows)
    assert max(pairs.values()) == 1  # no worker answered an item twice
    per_item = Counter(item_id for item_id, _ in rows)
    assert max(per_item.values()) <= OVERLAP  # no item over-served
    assert sum(per_item.values()) == ITEMS * OVERLAP  # and every item got its answers
    assert await Lease.filter(status=LeaseStatus.OPEN).count() == 0
    for item in await Item.filter(project_id=project.id):
        assert item.taken == item.answers_count == OVERLAP
