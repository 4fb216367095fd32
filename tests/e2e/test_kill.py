"""A bot process killed with SIGKILL around a tap loses nothing and doubles nothing.

The bot runs as a real ``gigbot run`` process against the emulator. Telegram (here the
emulator) keeps an update until the bot confirms it with the next getUpdates offset, so a tap
that reached no live process is delivered to the next one; a tap whose answer was recorded just
before the kill may be delivered again, and must then record nothing new.
"""

from __future__ import annotations

import asyncio
import signal
import sqlite3
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from gigbot.emulator import BotMessage, Emulator, SimUser
from gigbot.i18n import t
from tests.e2e.test_run_process import environ
from tests.helpers.chat import item_number, tap_label
from tests.helpers.harness import TOKEN
from tests.helpers.tasks import write_project_dir

TITLE = "Title kill-demo"


@asynccontextmanager
async def bot_process(tmp_path: Path, emulator: Emulator) -> AsyncIterator[
    asyncio.subprocess.Process
]:
    """``gigbot run`` against ``emulator``; killed (if still alive) when the block ends."""
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "gigbot", "run", cwd=tmp_path,
        env=environ(tmp_path, GIGBOT_TOKEN=TOKEN, GIGBOT_API_URL=emulator.url,
                    GIGBOT_LOG_LEVEL="WARNING"),
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL,
    )
    try:
        yield process
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()


async def import_project(tmp_path: Path, folder: Path) -> None:
    """``gigbot project import`` as the operator would run it."""
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "gigbot", "project", "import", str(folder), cwd=tmp_path,
        env=environ(tmp_path), stdout=asyncio.subprocess.DEVNULL,
    )
    assert await process.wait() == 0


async def first_item(worker: SimUser) -> BotMessage:
    """Sign up, /tasks, open the project: the first item."""
    await worker.command("/start")
    picker = await worker.expect(t("en", "onboarding.choose_language").split("\n")[0], timeout=60)
    await worker.press(picker, "English")
    terms = await worker.expect(t("en", "onboarding.terms").split("\n")[0])
    await worker.press(terms, t("en", "onboarding.button.agree"))
    zones = await worker.expect(t("en", "onboarding.choose_zone").split("\n")[0])
    await worker.press(zones, t("en", "onboarding.zone.seoul"))
    await worker.expect(t("en", "menu.welcome"), edited_ok=False)
    await worker.command("/tasks")
    board = await worker.expect(t("en", "tasks.board_title"))
    await worker.press(board, TITLE)
    return await worker.expect("Review number", edited_ok=False)


def answered_leases(tmp_path: Path) -> list[int]:
    """The lease of every recorded answer, read from the bot's database file."""
    with sqlite3.connect(tmp_path / "data" / "gigbot.sqlite3") as db:
        return sorted(row[0] for row in db.execute("SELECT lease_id FROM answer"))


def lease_of(message: BotMessage) -> int:
    """The lease the item's first label button names."""
    return int(message.buttons[0][0][1].split(":")[1])


async def test_a_tap_made_while_the_bot_is_down_is_recorded_by_the_next_process(
    tmp_path: Path,
) -> None:
    await import_project(tmp_path, write_project_dir(tmp_path / "src", "kill-demo", items=10))
    async with Emulator() as emulator:
        worker = emulator.user(first_name="W")
        async with bot_process(tmp_path, emulator) as first:
            item = await first_item(worker)
            first.send_signal(signal.SIGSTOP)  # alive but not serving: the tap waits upstream
            before, lease = item.content, lease_of(item)
            await worker.press(item, "Yes", wait=False)
            first.kill()
            await first.wait()

        async with bot_process(tmp_path, emulator):
            moved = await worker.expect(
                predicate=lambda m: m.message_id == item.message_id and m.content != before,
                timeout=60,
            )
            assert "Review number" in moved.content

        assert answered_leases(tmp_path) == [lease]


async def test_a_tap_recorded_just_before_the_kill_is_not_recorded_again(tmp_path: Path) -> None:
    await import_project(tmp_path, write_project_dir(tmp_path / "src", "kill-demo", items=10))
    async with Emulator() as emulator:
        worker = emulator.user(first_name="W")
        async with bot_process(tmp_path, emulator) as first:
            item = await first_item(worker)
            lease, number = lease_of(item), item_number(item)
            stale = [list(row) for row in item.buttons]
            await tap_label(worker, item, "Yes")  # recorded and shown: then the kill at once
            first.kill()
            await first.wait()

        async with bot_process(tmp_path, emulator):
            await worker.press_data(item, stale[0][0][1], wait=False)  # the old button again
            await worker.command("/tasks")
            board = await worker.expect(t("en", "tasks.board_title"), timeout=60)
            await worker.press(board, TITLE)
            shown = await worker.expect("Review number")
            assert item_number(shown) != number

        assert answered_leases(tmp_path) == [lease]
