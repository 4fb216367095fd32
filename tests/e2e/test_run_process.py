"""``python -m gigbot run`` as a real process: clear refusals, serving the emulator, SIGTERM."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

import pytest
from telegram import Bot

from gigbot.emulator import Emulator
from gigbot.i18n import catalog
from gigbot.web.ports import free_port
from tests.helpers.harness import TOKEN

ROOT = Path(__file__).resolve().parents[2]


def environ(tmp_path: Path, **gigbot: str) -> dict[str, str]:
    """The process environment without any GIGBOT_* of ours, plus ``gigbot``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIGBOT_")}
    env["PYTHONPATH"] = str(ROOT)
    env["GIGBOT_DATA_DIR"] = str(tmp_path / "data")
    env["GIGBOT_PORT"] = str(free_port())  # /healthz and /metrics: one port per process
    env.update(gigbot)
    return env


async def run_gigbot(tmp_path: Path, *flags: str, **gigbot: str) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "gigbot", "run", *flags,
        cwd=tmp_path,  # no .env here
        env=environ(tmp_path, **gigbot),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )


async def finished(process: asyncio.subprocess.Process, timeout: float) -> tuple[int, str]:
    _, err = await asyncio.wait_for(process.communicate(), timeout)
    assert process.returncode is not None
    return process.returncode, err.decode()


async def test_without_a_token_it_refuses_in_one_line(tmp_path: Path) -> None:
    process = await run_gigbot(tmp_path)

    code, err = await finished(process, 30)

    assert code == 2
    lines = err.strip().splitlines()
    assert len(lines) == 1
    assert "GIGBOT_TOKEN" in lines[0]
    assert "Traceback" not in err


@pytest.mark.parametrize(
    ("name", "value"),
    [("GIGBOT_PORT", "eighty"), ("GIGBOT_TZ", "Mars/Olympus"), ("GIGBOT_TOKEN", "not-a-token")],
)
async def test_a_bad_variable_is_named(tmp_path: Path, name: str, value: str) -> None:
    gigbot = {"GIGBOT_TOKEN": TOKEN, name: value}
    process = await run_gigbot(tmp_path, **gigbot)

    code, err = await finished(process, 30)

    assert code == 2
    lines = err.strip().splitlines()
    assert len(lines) == 1
    assert name in lines[0]
    assert "Traceback" not in err


async def test_it_serves_the_emulator_and_stops_on_sigterm(tmp_path: Path) -> None:
    async with Emulator() as emulator:
        process = await run_gigbot(
            tmp_path, GIGBOT_TOKEN=TOKEN, GIGBOT_API_URL=emulator.url, GIGBOT_LOG_LEVEL="WARNING"
        )
        try:
            ann = emulator.user(language_code="ko")
            await ann.command("/start")
            picker = await ann.expect(catalog("ko")["onboarding.choose_language"], timeout=60)
            assert "✓ 한국어" in picker.button_texts()
            assert emulator.commands("ko")[0][0] == "start"
        finally:
            if process.returncode is None:
                process.send_signal(signal.SIGTERM)

        code, err = await finished(process, 5)

    assert code == 0, err
    assert "Traceback" not in err
    assert (tmp_path / "data" / "gigbot.sqlite3").exists()


async def test_a_token_the_api_refuses_is_named(tmp_path: Path) -> None:
    async with Emulator() as emulator:
        emulator.fail_next("getMe", status=401)
        process = await run_gigbot(tmp_path, GIGBOT_TOKEN=TOKEN, GIGBOT_API_URL=emulator.url)

        code, err = await finished(process, 60)

    assert code == 2
    last = err.strip().splitlines()[-1]  # after the INFO log lines of the start
    assert last.startswith("gigbot: GIGBOT_TOKEN was refused")
    assert "Traceback" not in err


async def test_polling_removes_a_webhook_and_serves(tmp_path: Path) -> None:
    hook = "http://127.0.0.1:9/telegram"
    async with Emulator() as emulator, Bot(TOKEN, base_url=f"{emulator.url}/bot") as bot:
        await bot.set_webhook(hook, secret_token="s3cret")
        process = await run_gigbot(
            tmp_path, "--polling", GIGBOT_TOKEN=TOKEN, GIGBOT_API_URL=emulator.url,
            GIGBOT_WEBHOOK_URL=hook, GIGBOT_WEBHOOK_SECRET="s3cret",
            GIGBOT_LOG_LEVEL="WARNING",
        )
        try:
            ann = emulator.user(language_code="en")
            await ann.command("/start")
            await ann.expect(catalog("en")["onboarding.choose_language"], timeout=60)
            info = await bot.get_webhook_info()
        finally:
            process.send_signal(signal.SIGTERM)
        code, err = await finished(process, 10)

    assert info.url == ""
    assert code == 0, err


async def test_a_second_poller_is_refused_and_the_first_keeps_serving(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    async with Emulator() as emulator:
        first = await run_gigbot(tmp_path / "a", GIGBOT_TOKEN=TOKEN,
                                 GIGBOT_API_URL=emulator.url, GIGBOT_LOG_LEVEL="WARNING")
        try:
            ann = emulator.user(language_code="en")
            await ann.command("/start")
            await ann.expect(catalog("en")["onboarding.choose_language"], timeout=60)

            second = await run_gigbot(tmp_path / "b", GIGBOT_TOKEN=TOKEN,
                                      GIGBOT_API_URL=emulator.url, GIGBOT_LOG_LEVEL="WARNING")
            code, err = await finished(second, 60)

            bob = emulator.user(language_code="en")
            await bob.command("/start")
            await bob.expect(catalog("en")["onboarding.choose_language"], timeout=30)
        finally:
            first.send_signal(signal.SIGTERM)
        first_code, first_err = await finished(first, 10)

    assert code == 2
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("gigbot: another process is already polling this bot")
    assert "webhook mode" in lines[0]
    assert first_code == 0, first_err
    assert "Traceback" not in first_err
