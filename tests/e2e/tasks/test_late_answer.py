"""A tap whose callback query expired before the bot got to it still counts (a long queue).

The same holds for the tap on a project: its session opens and the first item appears.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from gigbot.catalog.projects import project_summary
from gigbot.emulator import BotMessage, SimUser
from gigbot.i18n import t
from tests.helpers.chat import item_number
from tests.helpers.harness import Harness
from tests.helpers.tasks import write_project_dir


class LaggingClock:
    """The emulator's monotonic clock; once ``lagging``, every reading is a minute later."""

    def __init__(self) -> None:
        self.lagging = False
        self._extra = 0.0

    def __call__(self) -> float:
        if self.lagging:
            self._extra += 60.0
        return time.monotonic() + self._extra


@asynccontextmanager
async def _on_the_board(tmp_path: Path, slug: str) -> AsyncIterator[tuple[LaggingClock, SimUser,
                                                                           BotMessage]]:
    """A worker looking at the task board of one project, on an emulator whose clock can lag."""
    clock = LaggingClock()
    harness = Harness(tmp_path, time_func=clock)
    await harness.start()
    try:
        await harness.import_project(write_project_dir(tmp_path / "src", slug, items=5))
        worker = harness.user()
        await harness.onboard(worker)
        await worker.command("/tasks")
        yield clock, worker, await worker.expect(t("en", "tasks.board_title"))
    finally:
        await harness.stop()


async def test_a_tap_answered_too_late_is_recorded_and_the_next_item_shown(
    tmp_path: Path,
) -> None:
    async with _on_the_board(tmp_path, "late-demo") as (clock, ann, board):
        await ann.press(board, "Title late-demo")
        item = await ann.expect("Review number", edited_ok=False)
        answered = len(ann.callback_answers)
        clock.lagging = True  # from now on every callback query is too old when answered
        before, shown = item.content, item_number(item)
        await ann.press(item, "Yes", wait=False)
        following = await ann.expect(predicate=lambda m: m.message_id == item.message_id
                                     and m.content != before)
        assert item_number(following) != shown
        assert len(ann.callback_answers) == answered  # Telegram refused the late answer
        summary = [p for p in await project_summary() if p.slug == "late-demo"]
        assert [p.answers for p in summary] == [1]


async def test_a_project_tap_answered_too_late_still_opens_the_session(tmp_path: Path) -> None:
    async with _on_the_board(tmp_path, "late-open") as (clock, bea, board):
        clock.lagging = True
        await bea.press(board, "Title late-open", wait=False)
        item = await bea.expect("Review number", edited_ok=False)
        assert item_number(item) >= 0
        assert not [a for a in bea.callback_answers if a.text]  # no error was shown either
