"""A database that cannot be opened or reached: one line naming the variable, exit 2, no hang.

Each case runs the real command line in a process of its own. The deadlines below are guards
against the hang these cases once caused (aiosqlite given a folder never returned), not
measurements: a healthy run ends in about a second.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from gigbot.web.ports import free_port

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "123456:ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghi"
DEADLINE = 10.0  # seconds: the contract for a start-up that fails
COMMANDS = (("run",), ("db", "migrate"), ("project", "list"))


def environ(tmp_path: Path, **gigbot: str) -> dict[str, str]:
    """The process environment without any GIGBOT_* of ours, plus ``gigbot``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIGBOT_")}
    env["PYTHONPATH"] = str(ROOT)
    env["GIGBOT_TOKEN"] = TOKEN
    env["GIGBOT_API_URL"] = "http://127.0.0.1:9"  # never reached: the database fails first
    env["GIGBOT_DATA_DIR"] = str(tmp_path / "data")
    env.update(gigbot)
    return env


async def gigbot(tmp_path: Path, *argv: str, **variables: str) -> asyncio.subprocess.Process:
    """Start ``python -m gigbot ARGV`` in ``tmp_path`` (no .env there)."""
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "gigbot", *argv, cwd=tmp_path,
        env=environ(tmp_path, **variables),
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )


async def outcome(process: asyncio.subprocess.Process) -> tuple[int, list[str], str]:
    """Exit code, the lines on standard error and all of it, within the deadline."""
    try:
        _, err = await asyncio.wait_for(process.communicate(), DEADLINE)
    except TimeoutError:
        process.kill()
        await process.wait()
        raise AssertionError(f"still running after {DEADLINE} s") from None
    assert process.returncode is not None
    text = err.decode()
    return process.returncode, text.strip().splitlines(), text


def cases(tmp_path: Path) -> dict[str, tuple[dict[str, str], str]]:
    """Name -> (variables, the words the one line must hold)."""
    (tmp_path / "a-folder.sqlite3").mkdir()
    (tmp_path / "a-file").write_text("not a folder\n", encoding="utf-8")
    (tmp_path / "garbage.sqlite3").write_bytes(b"this is not a database" * 100)
    return {
        "folder": ({"GIGBOT_DB_URL": f"sqlite://{tmp_path / 'a-folder.sqlite3'}"},
                   "GIGBOT_DB_URL"),
        "proc": ({"GIGBOT_DB_URL": "sqlite:///proc/gigbot/db.sqlite3"}, "GIGBOT_DB_URL"),
        "parent-is-a-file": ({"GIGBOT_DB_URL": f"sqlite://{tmp_path / 'a-file' / 'db.sqlite3'}"},
                             "GIGBOT_DB_URL"),
        "not-a-database": ({"GIGBOT_DB_URL": f"sqlite://{tmp_path / 'garbage.sqlite3'}"},
                           "GIGBOT_DB_URL"),
        "data-dir": ({"GIGBOT_DATA_DIR": "/proc/gigbot-data"}, "GIGBOT_DATA_DIR"),
        "postgres-refused": ({"GIGBOT_DB_URL": f"postgres://postgres@127.0.0.1:{free_port()}/x"},
                             "GIGBOT_DB_URL"),
    }


CASES = ("folder", "proc", "parent-is-a-file", "not-a-database", "data-dir", "postgres-refused")


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
@pytest.mark.parametrize("case", CASES)
async def test_a_database_that_cannot_be_opened_fails_in_one_line(
    tmp_path: Path, case: str, command: tuple[str, ...]
) -> None:
    variables, word = cases(tmp_path)[case]

    code, lines, err = await outcome(await gigbot(tmp_path, *command, **variables))

    assert code == 2, err
    assert len(lines) == 1, err
    assert lines[0].startswith(f"gigbot: {word}"), err
    assert "Traceback" not in err


@pytest.fixture
async def silent_server() -> AsyncIterator[tuple[int, asyncio.Event]]:
    """A TCP server that accepts connections and never says a word (a hung database)."""
    connected = asyncio.Event()
    writers: list[asyncio.StreamWriter] = []

    async def hold(_reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writers.append(writer)
        connected.set()

    server = await asyncio.start_server(hold, "127.0.0.1", 0)
    port = int(server.sockets[0].getsockname()[1])
    yield port, connected
    for writer in writers:
        writer.close()
    server.close()
    await server.wait_closed()


async def test_sigterm_ends_a_start_up_waiting_for_a_silent_database(
    tmp_path: Path, silent_server: tuple[int, asyncio.Event]
) -> None:
    port, connected = silent_server
    process = await gigbot(tmp_path, "run", GIGBOT_DB_URL=f"postgres://postgres@127.0.0.1:{port}/x")
    await asyncio.wait_for(connected.wait(), DEADLINE)

    process.send_signal(signal.SIGTERM)
    code, _, err = await outcome(process)

    assert code == 0, err  # asked to stop, it stopped: a clean exit
    assert "Traceback" not in err


async def test_a_silent_database_fails_in_one_line(
    tmp_path: Path, silent_server: tuple[int, asyncio.Event]
) -> None:
    port, _ = silent_server
    process = await gigbot(tmp_path, "project", "list",
                           GIGBOT_DB_URL=f"postgres://postgres@127.0.0.1:{port}/x")

    code, lines, err = await outcome(process)

    assert code == 2, err
    assert lines == [f"gigbot: GIGBOT_DB_URL: cannot connect to PostgreSQL at 127.0.0.1:{port}: "
                     "no answer"]
