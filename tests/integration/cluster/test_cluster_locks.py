"""The cluster's PostgreSQL primitives, two "processes" in one test: user locks, leader, budget."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable

import pytest

from gigbot import cluster as cluster_module
from gigbot.cluster import Cluster, UserLocks, one_migrator, pg_dsn


@pytest.fixture
async def dsn(pg_url: str) -> AsyncIterator[str]:
    yield pg_dsn(pg_url + "?minsize=1&maxsize=5")


async def test_one_chat_waits_for_another_process_and_other_chats_do_not(dsn: str) -> None:
    first, second = UserLocks(dsn), UserLocks(dsn)
    await first.start()
    await second.start()
    order: list[str] = []
    try:
        holding = asyncio.Event()
        release = asyncio.Event()

        async def a() -> None:
            async with first.held(7):
                order.append("a in")
                holding.set()
                await release.wait()
                order.append("a out")

        async def b() -> None:
            await holding.wait()
            async with second.held(7):
                order.append("b in")

        async def other_chat() -> None:
            await holding.wait()
            async with second.held(8):
                order.append("other chat")
            release.set()

        await asyncio.wait_for(asyncio.gather(a(), b(), other_chat()), 10)
    finally:
        await first.close()
        await second.close()

    assert order == ["a in", "other chat", "a out", "b in"]


async def test_one_leader_and_a_takeover_when_it_leaves(
    dsn: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cluster_module, "RETRY", 0.1)
    events: list[tuple[str, bool]] = []
    shares: dict[str, int] = {}

    def member(name: str) -> Cluster:
        return Cluster(dsn, on_leader=lambda leading: events.append((name, leading)),
                       on_share=lambda n: shares.__setitem__(name, n))

    one, two = member("one"), member("two")
    await one.start()
    await two.start()
    try:
        assert (one.leader, two.leader) == (True, False)
        await until(lambda: shares == {"one": 2, "two": 2})  # heartbeats: both see two

        await one.stop()
        await until(lambda: two.leader and shares.get("two") == 1)
    finally:
        await one.stop()
        await two.stop()

    assert events[:3] == [("one", True), ("one", False), ("two", True)]
    assert shares["two"] == 1  # alone now: the whole send budget


async def until(condition: Callable[[], bool], deadline: float = 10.0) -> None:
    """Wait until ``condition`` holds, checking often; fail after ``deadline`` seconds."""
    loop = asyncio.get_running_loop()
    end = loop.time() + deadline
    while not condition():
        if loop.time() > end:
            raise AssertionError(f"not within {deadline} s")
        await asyncio.sleep(0.02)


async def test_starting_processes_migrate_one_at_a_time(pg_url: str) -> None:
    inside: list[int] = []
    most = [0]

    async def start() -> None:
        async with one_migrator(pg_url):
            inside.append(1)
            most[0] = max(most[0], len(inside))
            await asyncio.sleep(0.1)
            inside.pop()

    await asyncio.gather(start(), start(), start())

    assert most[0] == 1
