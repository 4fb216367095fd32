"""The task engine end to end: /tasks, one-tap answers, no repeats, no gold leak, bad buttons."""

from __future__ import annotations

import json
import re
from pathlib import Path

from gigbot.emulator import BotMessage, SimUser
from gigbot.i18n import t
from tests.helpers.harness import Harness
from tests.helpers.tasks import write_project_dir

ITEM = re.compile(r"Review number (\d+)")
TASK_DATA = re.compile(r"^(a:\d+:\d:[A-Za-z0-9_-]{8}|tg:\d+:\d+:[01]:[A-Za-z0-9_-]{8}|"
                       r"(dn|sk|rp|rb|st):\d+|rr:\d+:\d|p:\d+)$")


async def _start(harness: Harness, user: SimUser, title: str) -> BotMessage:
    """/tasks, tap the project; the first item message."""
    await user.command("/tasks")
    board = await user.expect(t("en", "tasks.board_title"))
    await user.press(board, title)
    return await user.expect("Review number", edited_ok=False)


def _number(message: BotMessage) -> int:
    found = ITEM.search(message.content)
    assert found is not None, message.content
    return int(found.group(1))


async def _tap(user: SimUser, message: BotMessage, caption: str) -> BotMessage:
    """Tap a label and wait until the same message shows another item (or an end screen)."""
    before = message.content
    answer = await user.press(message, caption)
    assert answer is not None and answer.text is None
    return await user.expect(predicate=lambda m: m.message_id == message.message_id
                             and m.content != before)


async def test_thirty_taps_without_repeats_or_gold_leaks(harness: Harness, tmp_path: Path
                                                         ) -> None:
    folder = write_project_dir(tmp_path / "src", "tap-demo", items=40, controls=20,
                               gold_ratio=0.1)
    await harness.import_project(folder)
    ann = harness.user()
    await harness.onboard(ann)
    first_call = len(harness.emulator.calls)
    item = await _start(harness, ann, "Title tap-demo")
    assert item.protect_content
    seen = [_number(item)]
    message_id = item.message_id
    for n in range(30):
        item = await _tap(ann, item, "Yes" if n % 2 else "No")
        assert item.message_id == message_id  # one message, edited into the next item
        seen.append(_number(item))
    assert len(seen) == len(set(seen)) == 31  # never the same item twice
    assert sum(1 for n in seen if n >= 40) >= 3  # controls were interleaved (probation: 0.2)
    # nothing the bot sent reveals gold, explanations or which items are controls
    for call in harness.emulator.calls[first_call:]:
        sent = json.dumps(call.params, ensure_ascii=False)
        for secret in ("lbl_yes", "lbl_no", "EXPLANATION_SECRET", "control", "gold"):
            assert secret.lower() not in sent.lower(), (call.method, sent)
        markup = call.params.get("reply_markup")
        if isinstance(markup, str):
            markup = json.loads(markup)
        for row in (markup or {}).get("inline_keyboard", []):
            for button in row:
                data = button.get("callback_data")
                assert data is None or TASK_DATA.match(data), data
                assert data is None or len(data.encode()) <= 64
    assert all(m.protect_content for m in ann.messages if "Review number" in m.content)
    # the first session in the project opened the probation stage, and said so once
    told = [m for m in ann.messages if "are your probation" in m.content]
    assert len(told) == 1 and "Title tap-demo" in told[0].content
