"""The bot process: migration, cold start, SIGTERM, and the round trip of one message.

Run: ``.venv/bin/python benchmarks/bot_process.py [--rounds N] [--users U]``. Prints a Markdown
table (docs/architecture.md). Everything runs against the built-in emulator on loopback.

- migrate: ``gigbot db migrate`` work on a fresh SQLite file, then on the migrated one;
- cold start: ``python -m gigbot run`` until the first reply to /start (imports, migration,
  getMe, setMyCommands, first getUpdates), then SIGTERM until the process has exited;
- round trip: /help sent by a simulated user until the reply arrives, in process, with
  ``--users`` users at once (each sends ``--rounds`` messages one after another).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from gigbot.db import close_db, migrate  # noqa: E402
from gigbot.emulator import Emulator, RateLimits, SimUser  # noqa: E402
from gigbot.i18n import catalog  # noqa: E402
from gigbot.web.ports import free_port  # noqa: E402
from tests.helpers.harness import TOKEN, Harness  # noqa: E402


async def migration_times(folder: Path) -> tuple[float, float]:
    url = f"sqlite://{folder / 'bench.sqlite3'}"
    start = time.perf_counter()
    await migrate(url)
    await close_db()
    fresh = time.perf_counter() - start
    start = time.perf_counter()
    await migrate(url)
    await close_db()
    return fresh, time.perf_counter() - start


async def process_times(folder: Path) -> tuple[float, float]:
    async with Emulator() as emulator:
        env = {k: v for k, v in os.environ.items() if not k.startswith("GIGBOT_")}
        env.update(PYTHONPATH=str(ROOT), GIGBOT_TOKEN=TOKEN, GIGBOT_API_URL=emulator.url,
                   GIGBOT_DATA_DIR=str(folder / "process"), GIGBOT_LOG_LEVEL="WARNING",
                   GIGBOT_PORT=str(free_port()))
        user = emulator.user()
        start = time.perf_counter()
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "gigbot", "run", cwd=folder, env=env,
            stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL,
        )
        await user.command("/start")
        await user.expect(catalog("en")["onboarding.choose_language"], timeout=120)
        cold = time.perf_counter() - start
        start = time.perf_counter()
        process.send_signal(signal.SIGTERM)
        code = await asyncio.wait_for(process.wait(), 30)
        stop = time.perf_counter() - start
        assert code == 0, code
        return cold, stop


async def round_trips(folder: Path, users: int, rounds: int) -> list[float]:
    harness = Harness(folder, think=0.0, rate_limits=RateLimits(enabled=False))
    await harness.start()
    try:
        people = [harness.user(first_name=f"U{i}") for i in range(users)]
        await asyncio.gather(*(harness.onboard(p) for p in people))
        help_start = catalog("en")["help.text"][:20]
        times: list[float] = []

        async def talk(person: SimUser) -> None:
            for _ in range(rounds):
                start = time.perf_counter()
                await person.command("/help")
                await person.expect(help_start, edited_ok=False)
                times.append(time.perf_counter() - start)

        await asyncio.gather(*(talk(p) for p in people))
        return times
    finally:
        await harness.stop()


def quantile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--users", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        fresh, again = await migration_times(folder)
        cold, stop = await process_times(folder)
        started = time.perf_counter()
        times = await round_trips(folder, args.users, args.rounds)
        elapsed = time.perf_counter() - started
    print("| measure | value |")
    print("| --- | --- |")
    print(f"| migrate a fresh SQLite file | {fresh:.2f} s |")
    print(f"| migrate it again (nothing to do) | {again * 1000:.0f} ms |")
    print(f"| `gigbot run` cold start to the first reply | {cold:.2f} s |")
    print(f"| SIGTERM to exit | {stop:.2f} s |")
    print(f"| /help round trip, {args.users} users x {args.rounds}: p50 | "
          f"{statistics.median(times) * 1000:.0f} ms |")
    print(f"| same: p99 | {quantile(times, 0.99) * 1000:.0f} ms |")
    print(f"| same: messages per second (incl. onboarding) | {len(times) / elapsed:.0f} |")


if __name__ == "__main__":
    asyncio.run(main())
