"""Simulated user ids differ from run to run; fixed ids; the hook that sees every answered call."""

from __future__ import annotations

from typing import Any

import aiohttp
import pytest

from gigbot.emulator import ApiCall, Emulator


def test_user_ids_start_elsewhere_in_every_run() -> None:
    starts = {Emulator().user().id for _ in range(20)}
    assert len(starts) >= 19  # one clash in 80 000 per pair of runs
    emu = Emulator()
    ann, bob = emu.user("Ann"), emu.user("Bob")
    assert bob.id == ann.id + 1 == emu.first_user_id + 1


def test_a_fixed_first_id_and_a_fixed_user_id() -> None:
    emu = Emulator(first_user_id=100_000_001)
    admin = emu.user("Admin", user_id=100_000_002)
    assert [emu.user().id, admin.id, emu.user().id] == [100_000_001, 100_000_002, 100_000_003]
    with pytest.raises(ValueError, match="taken"):
        emu.user(user_id=admin.id)


async def test_on_api_call_sees_each_answer_even_without_recording() -> None:
    seen: list[tuple[ApiCall, dict[str, Any]]] = []
    emu = Emulator(record_calls=False, on_api_call=lambda call, body: seen.append((call, body)))
    async with emu, aiohttp.ClientSession() as http:
        emu.fail_next("sendMessage", status=429, retry_after=3)
        root = f"{emu.url}/bot123456789:TEST-token-for-the-emulator-only"
        await (await http.get(f"{root}/getMe")).read()
        await (await http.post(f"{root}/sendMessage", json={"chat_id": 1, "text": "x"})).read()
    assert emu.calls == []
    assert [(c.method, c.status) for c, _ in seen] == [("getMe", 200), ("sendMessage", 429)]
    assert seen[1][1]["parameters"] == {"retry_after": 3}
