"""The task engine end to end: /tasks, one-tap answers, no repeats, no gold leak, bad buttons."""

from __future__ import annotations

import json
import re
from pathlib import Path

from tests.helpers.chat import item_number, start_session, tap_label
from tests.helpers.harness import Harness
from tests.helpers.tasks import write_project_dir

TASK_DATA = re.compile(r"^(a:\d+:\d:[A-Za-z0-9_-]{8}|tg:\d+:\d+:[01]:[A-Za-z0-9_-]{8}|"
                       r"(dn|sk|rp|rb|st):\d+|rr:\d+:\d|p:\d+)$")


async def test_thirty_taps_without_repeats_or_gold_leaks(harness: Harness, tmp_path: Path
                                                         ) -> None:
    folder = write_project_dir(tmp_path / "src", "tap-demo", items=40, controls=20,
                               gold_ratio=0.1)
    await harness.import_project(folder)
    ann = harness.user()
    await harness.onboard(ann)
    first_call = len(harness.emulator.calls)
    item = await start_session(harness, ann, "Title tap-demo")
    assert item.protect_content
    seen = [item_number(item)]
    message_id = item.message_id
    for n in range(30):
        item = await tap_label(ann, item, "Yes" if n % 2 else "No")
        assert item.message_id == message_id  # one message, edited into the next item
        seen.append(item_number(item))
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
