"""Several ``gigbot run`` processes on one PostgreSQL, the emulator's webhook spread over them.

Workers answer through three processes while the leader is killed (SIGKILL) in the middle of
the session, then through two while one is stopped by SIGTERM with updates in flight. The
invariants: every tap recorded once (no answer, no ledger entry doubled), no item served beyond
its overlap, one user's updates handled in order, one leader at any time, and a new one within
30 s of the old one's death.
"""

from __future__ import annotations

import asyncio
import signal
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from gigbot.emulator import BotMessage, Emulator, SimUser
from tests.conftest import POSTGRES_URL, drop_postgres, fresh_postgres, migrated_template
from tests.e2e.cluster.helpers import SLUG, Cluster, cluster, first_item, import_project, tap
from tests.helpers.tasks import write_project_dir

pytestmark = pytest.mark.skipif(not POSTGRES_URL, reason="GIGBOT_TEST_POSTGRES_URL is not set")

WORKERS = 6
TAPS = 8  # per worker
OVERLAP = 2
# One user's commands in a burst, and how each reply begins: they must come back in this order.
# simulated workers tap as fast as they are served: a floor of 0 s never suspends them
RULES = "\n[rules]\nmin_seconds = 0\n"
BURST = (("/help", "How gigbot works"), ("/balance", "💰"), ("/help", "How gigbot works"),
         ("/balance", "💰"), ("/help", "How gigbot works"))


@pytest.fixture
async def shared_db() -> AsyncIterator[str]:
    """A migrated PostgreSQL database of its own (a copy of the run's template)."""
    url, name = await fresh_postgres(template=migrated_template())
    try:
        yield url
    finally:
        await drop_postgres(name)


async def _work(worker: SimUser, item: BotMessage, taps: int, done: list[int]) -> None:
    for n in range(taps):
        item = await tap(worker, item, "Yes" if n % 2 else "No")
        done[0] += 1


async def _burst_in_order(worker: SimUser) -> None:
    """Five commands sent at once are answered in the order they were sent."""
    seen = len(worker.messages)
    for command, _ in BURST:
        await worker.command(command)
    deadline = time.monotonic() + 30
    while len(worker.messages) < seen + len(BURST) and time.monotonic() < deadline:
        await asyncio.sleep(0.05)
    replies = [m.content for m in worker.messages[seen:seen + len(BURST)]]
    assert len(replies) == len(BURST), replies
    assert [r.startswith(start) for r, (_, start) in zip(replies, BURST, strict=True)] == [
        True] * len(BURST), replies


async def _check_invariants(group: Cluster, taps: int) -> None:
    answers = await group.query("SELECT count(*) AS n FROM answer")
    assert answers[0]["n"] == taps  # every tap recorded, none twice
    over = await group.query(
        "SELECT item_id FROM answer GROUP BY item_id HAVING count(*) > "
        f"{OVERLAP}")
    assert over == []  # no item answered beyond its overlap
    twice = await group.query(
        "SELECT item_id FROM answer GROUP BY item_id, worker_id HAVING count(*) > 1")
    assert twice == []
    taken = await group.query(
        "SELECT i.id FROM item i WHERE i.taken <> i.answers_count + (SELECT count(*) FROM lease l"
        " WHERE l.item_id = i.id AND l.status = 'open') OR i.answers_count > i.needed")
    assert taken == []  # the serving counters agree with the rows: nothing over-served
    entries = await group.query(
        "SELECT count(*) AS n, count(DISTINCT key) AS d FROM ledger_entry "
        "WHERE key LIKE 'answer:%'")
    assert entries[0]["n"] == entries[0]["d"] == taps  # one earning per answer


async def test_three_processes_lose_their_leader_mid_session(
    tmp_path: Path, shared_db: str
) -> None:
    items = WORKERS * TAPS  # with overlap 2, enough for everyone and contested by two
    await import_project(tmp_path, shared_db,
                         write_project_dir(tmp_path / "src", SLUG, items=items, overlap=OVERLAP,
                                           extra=RULES))
    async with Emulator() as emulator, cluster(tmp_path, emulator, shared_db, 3) as group:
        first_leader = await group.leader()
        workers = [emulator.user(first_name=f"W{i}") for i in range(WORKERS)]
        firsts = await asyncio.gather(*(first_item(w) for w in workers))
        done = [0]
        session = asyncio.gather(*(_work(w, f, TAPS, done)
                                   for w, f in zip(workers, firsts, strict=True)))
        while done[0] < WORKERS * TAPS // 3:
            await asyncio.sleep(0.05)
        group.node(first_leader).process.kill()  # in the middle of the session
        killed = time.monotonic()
        new_leader = await group.leader(other_than=first_leader, timeout=30)
        takeover = time.monotonic() - killed
        await session
        await asyncio.gather(*(_burst_in_order(w) for w in workers[:3]))

        assert takeover < 30
        assert new_leader in {n.pid for n in group.nodes} - {first_leader}
        assert await group.leaders() == [new_leader]
        assert min(group.front.forwarded) > 0  # every process served some updates
        await _check_invariants(group, WORKERS * TAPS)
        for node in group.nodes:
            if node.pid != first_leader:
                node.process.send_signal(signal.SIGTERM)
        codes = [await asyncio.wait_for(n.process.wait(), 10)
                 for n in group.nodes if n.pid != first_leader]
        assert codes == [0, 0]


async def test_sigterm_with_updates_in_flight_finishes_them_and_hands_over(
    tmp_path: Path, shared_db: str
) -> None:
    items = WORKERS * TAPS
    await import_project(tmp_path, shared_db,
                         write_project_dir(tmp_path / "src", SLUG, items=items, overlap=OVERLAP,
                                           extra=RULES))
    async with Emulator() as emulator, cluster(tmp_path, emulator, shared_db, 2) as group:
        leader = await group.leader()
        workers = [emulator.user(first_name=f"W{i}") for i in range(WORKERS)]
        firsts = await asyncio.gather(*(first_item(w) for w in workers))
        done = [0]
        session = asyncio.gather(*(_work(w, f, TAPS, done)
                                   for w, f in zip(workers, firsts, strict=True)))
        while done[0] < WORKERS * TAPS // 3:
            await asyncio.sleep(0.01)
        stopping = group.node(leader)
        stopping.process.send_signal(signal.SIGTERM)  # workers are tapping flat out
        signalled = time.monotonic()
        code = await asyncio.wait_for(stopping.process.wait(), 10)
        stopped_in = time.monotonic() - signalled
        successor = await group.leader(other_than=leader, timeout=30)
        handover = time.monotonic() - signalled
        await session

        assert code == 0
        assert stopped_in < 10
        log = stopping.log.read_text(encoding="utf-8")
        assert "stopping:" in log and "updates in progress" in log
        assert "Traceback" not in log
        assert handover < 30
        assert successor == next(n.pid for n in group.nodes if n.pid != leader)
        await _check_invariants(group, WORKERS * TAPS)
