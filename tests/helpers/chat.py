"""Chat helpers of the task engine's e2e tests: open a session, read an item, tap a label."""

from __future__ import annotations

import re

from gigbot.emulator import BotMessage, SimUser
from gigbot.i18n import t
from tests.helpers.harness import Harness

__all__ = ["item_number", "start_session", "tap_label"]

ITEM = re.compile(r"Review number (\d+)")


async def start_session(harness: Harness, user: SimUser, title: str) -> BotMessage:
    """/tasks, tap the project; the first item message."""
    await user.command("/tasks")
    board = await user.expect(t("en", "tasks.board_title"))
    await user.press(board, title)
    return await user.expect("Review number", edited_ok=False)


def item_number(message: BotMessage) -> int:
    """The number of the review an item message shows."""
    found = ITEM.search(message.content)
    assert found is not None, message.content
    return int(found.group(1))


async def tap_label(user: SimUser, message: BotMessage, caption: str) -> BotMessage:
    """Tap a label and wait until the same message shows another item (or an end screen)."""
    before = message.content
    answer = await user.press(message, caption)
    assert answer is not None and answer.text is None
    return await user.expect(predicate=lambda m: m.message_id == message.message_id
                             and m.content != before)
