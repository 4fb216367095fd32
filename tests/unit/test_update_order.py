"""One user's updates run one at a time in arrival order; different users run side by side."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from telegram import Update

from gigbot.app import PerChatUpdateProcessor


def update(update_id: int, user: int) -> Update:
    """A private text message of ``user``, as the Bot API sends it."""
    return Update.de_json({
        "update_id": update_id,
        "message": {"message_id": update_id, "date": 0, "text": "x",
                    "chat": {"id": user, "type": "private"},
                    "from": {"id": user, "is_bot": False, "first_name": "W"}},
    }, None)


async def until(condition: Callable[[], bool]) -> None:
    """Let other tasks run until ``condition`` holds (no clock involved)."""
    for _ in range(10_000):
        if condition():
            return
        await asyncio.sleep(0)
    raise AssertionError("condition never held")


async def test_a_users_updates_wait_for_each_other_and_not_for_others() -> None:
    processor = PerChatUpdateProcessor()
    log: list[str] = []
    first_may_end = asyncio.Event()

    async def handle(name: str, gate: asyncio.Event | None = None) -> None:
        log.append(f"start {name}")
        if gate is not None:
            await gate.wait()
        log.append(f"end {name}")

    tasks = [
        asyncio.create_task(processor.process_update(update(1, 7), handle("a1", first_may_end))),
        asyncio.create_task(processor.process_update(update(2, 7), handle("a2"))),
        asyncio.create_task(processor.process_update(update(3, 8), handle("b1"))),
        asyncio.create_task(processor.process_update(update(4, 7), handle("a3"))),
    ]
    await until(lambda: "end b1" in log)  # another user is not held up by user 7's slow update

    assert log == ["start a1", "start b1", "end b1"]
    first_may_end.set()
    await asyncio.gather(*tasks)
    own = [entry for entry in log if entry.endswith(("a1", "a2", "a3"))]
    assert own == ["start a1", "end a1", "start a2", "end a2", "start a3", "end a3"]


async def test_many_quick_updates_of_one_user_keep_their_order() -> None:
    processor = PerChatUpdateProcessor()
    seen: list[int] = []

    async def handle(n: int) -> None:
        for _ in range(n % 5):  # uneven work: later updates would overtake earlier ones
            await asyncio.sleep(0)
        seen.append(n)

    await asyncio.gather(*(processor.process_update(update(n, 9), handle(n)) for n in range(200)))

    assert seen == list(range(200))
