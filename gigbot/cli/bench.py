"""``gigbot bench``: answers per second and tap-to-next-item latency, end to end on the emulator.

The benchmark's process holds the Bot API emulator (Telegram's flood limits on) and N simulated
workers; the bot runs as ``python -m gigbot run`` in a process of its own, as in production,
where Telegram's servers cost the bot's machine nothing (``--in-process``: the bot's
``build_application`` inside the same process). It long polls the emulator, on a fresh
migrated SQLite database in a temporary folder, with a generated
classification project (a few control items among them, so control interleaving, scoring and
the ledger all run). The workers are registered by the onboarding service; each opens /tasks,
taps the project, then answers M items by tapping a label. A tap's latency is the time from the
press until the edit that shows the next item reaches the worker's chat; answers per second is
the taps of all workers over the wall time of that answering phase. Afterwards the answers
recorded in the database are counted: they must equal the taps.

``--webhook`` serves the bot by webhook instead (the emulator POSTs each update); ``--bots N``
runs N bot processes behind a round-robin front (``gigbot.emulator.balancer``), which needs
``--postgres URL``: a fresh database is made on that server for the run and dropped after. Each
run also reports the CPU seconds of every part over the answering phase: the benchmark's own
process (emulator and workers), each bot process, and the machine's PostgreSQL processes.

``--echo`` first measures the same taps against a plain python-telegram-bot bot that answers
the callback query and edits the message with a counter (one tap, one round trip, no database):
the floor that the emulator, PTB and the simulated users cost on this machine.
docs/benchmarks.md has the method and the figures.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import logging
import math
import os
import random
import resource
import signal
import sys
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import BadRequest
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
)

from gigbot.app import MAX_CONCURRENT_UPDATES, SendRateLimiter, build_application
from gigbot.catalog.importer import import_project
from gigbot.catalog.projects import project_summary
from gigbot.clock import SYSTEM_CLOCK
from gigbot.config import Settings, load_settings
from gigbot.db import close_db, init_db
from gigbot.emulator import BotMessage, Emulator, RateLimits, SimUser
from gigbot.emulator.balancer import RoundRobin
from gigbot.i18n import t
from gigbot.members.service import register_member
from gigbot.runner import polling
from gigbot.web.ports import free_port

__all__ = [
    "BenchRun",
    "Load",
    "bench_command",
    "build_echo",
    "check_line",
    "markdown_table",
    "run_echo",
    "run_gigbot",
]

log = logging.getLogger(__name__)

TOKEN = "123456789:BENCH-token-for-the-emulator-only"
BENCH_KEY = "-Pb_zmgzutohBuAgwvfurdF4ofojGm6JKTiEJVwjA_A="  # a Fernet key for benchmarks only
SLUG = "bench-sentiment"
TITLE = "Bench sentiment"
ITEM_TEXT = "Bench review"  # every item's text starts so: the next item is recognised by it
ECHO_TEXT = "Echo tap"
GOLD_RATIO = 0.1
OVERLAP = 3
POLL_TIMEOUT = 1  # seconds of an idle getUpdates; stopping cancels it at once anyway
_Begin = Callable[[SimUser], Awaitable[BotMessage]]


@dataclass(frozen=True, slots=True)
class Load:
    """What the simulated workers do: how many, how many answers each, how long they think."""

    workers: int
    answers: int
    think: float = 0.0  # mean seconds between seeing an item and tapping (0: flat out)
    process: bool = True  # the bot in a process of its own, as it runs in production
    webhook: bool = False  # updates POSTed to the bot instead of long polled
    bots: int = 1  # bot processes (webhook mode on PostgreSQL when more than one)
    postgres: str | None = None  # a PostgreSQL server URL: the run's database is made there


@dataclass(frozen=True, slots=True)
class BenchRun:
    """The figures of one bot under one load."""

    bot: str  # gigbot | echo
    load: Load
    taps: int
    seconds: float  # wall time of the answering phase
    latencies: tuple[float, ...]  # seconds, one per tap
    recorded: int  # answers in the database (echo: edits the bot made)
    in_time: int  # taps whose callback query the bot answered before it expired
    peak_rss_mb: float  # the bot process (in-process runs: emulator and users included)
    opening: float = 0.0  # seconds until every worker had their first item (not in the figures)
    cpu: tuple[tuple[str, float], ...] = ()  # CPU seconds of each part in the answering phase
    rss: tuple[tuple[float, float], ...] = ()  # each bot process's RSS (MB), phase start and end

    @property
    def answers_per_s(self) -> float:
        """Taps over the wall time of the answering phase."""
        return self.taps / self.seconds if self.seconds > 0 else 0.0

    def quantile_ms(self, q: float) -> float:
        """The ``q`` quantile (nearest rank) of the latencies, in milliseconds."""
        if not self.latencies:
            return math.nan
        ordered = sorted(self.latencies)
        rank = max(math.ceil(q * len(ordered)), 1)
        return ordered[rank - 1] * 1000

    @property
    def correct(self) -> bool:
        """Every tap was recorded once and timed once."""
        return self.recorded == self.taps == len(self.latencies)


class _Chats:
    """The emulator's hook: when each simulated worker last saw a message edited."""

    def __init__(self) -> None:
        self.edited_at: dict[int, float] = {}
        self.edits = 0

    def seen(self, user: SimUser, kind: str, _message: BotMessage) -> None:
        if kind == "edit":
            self.edited_at[user.id] = time.perf_counter()
            self.edits += 1


def _setup_timeout(load: Load) -> float:
    """Seconds for a session to open: the flood limits let about 30 messages out a second."""
    return 60.0 + load.workers / 5


def _peak_rss_mb(load: Load) -> float:
    who = resource.RUSAGE_CHILDREN if load.process else resource.RUSAGE_SELF
    return resource.getrusage(who).ru_maxrss / 1024  # kB on Linux


@contextlib.asynccontextmanager
async def _bot_process(*args: str, env: dict[str, str]) -> AsyncIterator[int]:
    """``python -m <args>`` with ``env`` added, stopped by SIGTERM (as a service manager does)."""
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", *args, env={**os.environ, **env},
        stdout=asyncio.subprocess.DEVNULL)
    try:
        yield proc.pid
    finally:
        if proc.returncode is None:
            proc.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(proc.wait(), 10)
            except TimeoutError:
                proc.kill()
                await proc.wait()


def _is_next(message_id: int, before: str) -> Callable[[BotMessage], bool]:
    return lambda m: m.message_id == message_id and m.content != before


async def _answer(user: SimUser, first: BotMessage, load: Load, marker: str, chats: _Chats,
                  timeout: float, pause: random.Random) -> list[float]:
    """Tap a label ``load.answers`` times, each time waiting for the next item; the latencies.

    The press does not wait for the callback answer: what the worker waits for is the next
    item, and a callback answered too late is counted afterwards, not waited for.
    """
    message, times = first, []
    for n in range(load.answers):
        if load.think:  # uniform around the mean, so that the workers do not tap in step
            await asyncio.sleep(pause.uniform(0.5, 1.5) * load.think)
        before = message.content
        start = time.perf_counter()
        await user.press(message, n % 2, wait=False)  # buttons 0 and 1 are the labels
        message = await user.expect(predicate=_is_next(message.message_id, before),
                                    timeout=timeout)
        times.append(chats.edited_at[user.id] - start)
        if marker not in message.content:
            raise RuntimeError(f"{user!r} got {message.content[:80]!r} instead of an item")
    return times


def _ticks(pid: int | str) -> float:
    """CPU seconds (user + system) of process ``pid`` so far; 0 when it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _rss_mb(pid: int) -> float:
    """Resident memory of process ``pid`` now, in MB (0 when it is gone)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def _postgres_cpu() -> float:
    """CPU seconds of every ``postgres`` process of this machine (Linux /proc)."""
    total = 0.0
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError):
                if (entry / "comm").read_text().strip() == "postgres":
                    total += _ticks(entry.name)
    return total


def _cpu_parts(bots: Sequence[int]) -> dict[str, float]:
    """CPU seconds so far: this process (emulator and workers), each bot, PostgreSQL."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    parts = {"emulator + workers": usage.ru_utime + usage.ru_stime}
    for n, pid in enumerate(bots, 1):
        parts[f"bot {n}"] = _ticks(pid)
    parts["postgres"] = _postgres_cpu()
    return parts


async def _measure(emulator: Emulator, chats: _Chats, bot: str, load: Load, begin: _Begin,
                   marker: str, users: Sequence[SimUser] | None = None,
                   bots: Sequence[int] = ()) -> BenchRun:
    """Open a session for every worker, then let all of them answer at once.

    The run it returns has nothing counted yet: ``_finish`` adds what the bot recorded.
    """
    if users is None:
        users = [emulator.user(first_name=f"W{i}") for i in range(load.workers)]
    opened = time.perf_counter()
    firsts = await asyncio.gather(*(begin(u) for u in users))
    opened = time.perf_counter() - opened
    answered_before = sum(len(u.callback_answers) for u in users)
    timeout = _setup_timeout(load)  # generous: a tap is never given up for slowness
    pause = random.Random(load.workers)
    before, rss_before = _cpu_parts(bots), [_rss_mb(pid) for pid in bots]
    start = time.perf_counter()
    times = await asyncio.gather(*(_answer(u, f, load, marker, chats, timeout, pause)
                                   for u, f in zip(users, firsts, strict=True)))
    seconds = time.perf_counter() - start
    after, rss_after = _cpu_parts(bots), [_rss_mb(pid) for pid in bots]
    latencies = tuple(x for per_user in times for x in per_user)
    in_time = sum(len(u.callback_answers) for u in users) - answered_before
    cpu = tuple((part, after[part] - before[part]) for part in after)
    return BenchRun(bot, load, len(latencies), seconds, latencies, 0, in_time, 0.0, opened,
                    cpu, tuple(zip(rss_before, rss_after, strict=True)))


# ----- gigbot ------------------------------------------------------------------------------------


def write_project(folder: Path, *, items: int, controls: int) -> Path:
    """A classification project folder: ``items`` reviews, then ``controls`` with gold."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "project.toml").write_text(
        f'slug = "{SLUG}"\nkind = "classification"\n'
        f'title = {{ en = "{TITLE}", ko = "벤치마크 감정 분류" }}\n'
        'instructions = { en = "Is the review positive?", ko = "리뷰가 긍정인가요?" }\n'
        'labels = [ { value = "pos", en = "Positive", ko = "긍정" },\n'
        '           { value = "neg", en = "Negative", ko = "부정" } ]\n'
        f"reward = 30\noverlap = {OVERLAP}\nmax_overlap = {OVERLAP + 2}\nconfidence = 0.9\n"
        f'gold_ratio = {GOLD_RATIO}\nmin_accuracy = 0.0\naccept = "auto"\n'
        'items = "items.jsonl"\n\n'
        "[rules]\n"
        "# simulated workers tap as fast as the bot serves them: the speed rule runs, but\n"
        "# with a floor of 0 s it never suspends them\n"
        "min_seconds = 0\n",
        encoding="utf-8",
    )
    with (folder / "items.jsonl").open("w", encoding="utf-8") as out:
        for n in range(items + controls):
            row: dict[str, Any] = {"key": f"r{n:07d}", "text": f"{ITEM_TEXT} {n}"}
            if n >= items:
                row["gold"] = "pos"
            out.write(json.dumps(row) + "\n")
    return folder


async def run_gigbot(folder: Path, load: Load, *,
                     rate_limits: RateLimits | None = None) -> BenchRun:
    """The simulated workers answer through the real bot, on a database in ``folder``.

    With ``load.postgres``, on a fresh database on that server instead (dropped afterwards).
    """
    if load.postgres is None:
        return await _run_gigbot(folder, load, None, rate_limits)
    async with _fresh_database(load.postgres) as db_url:
        return await _run_gigbot(folder, load, db_url, rate_limits)


@contextlib.asynccontextmanager
async def _fresh_database(server: str) -> AsyncIterator[str]:
    """A new, empty database on the PostgreSQL server of ``server``'s URL; dropped after."""
    import asyncpg  # type: ignore[import-untyped]  # no type information ships with it

    from gigbot.cluster import pg_dsn

    name = f"gigbot_bench_{uuid.uuid4().hex[:12]}"
    admin = pg_dsn(server)
    conn = await asyncpg.connect(admin)
    try:
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    try:
        yield f"{server.split('?', 1)[0].rsplit('/', 1)[0]}/{name}"
    finally:
        conn = await asyncpg.connect(admin)
        try:
            await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await conn.close()


async def _run_gigbot(folder: Path, load: Load, db_url: str | None,
                      rate_limits: RateLimits | None) -> BenchRun:
    chats = _Chats()
    emulator = Emulator(rate_limits=rate_limits, record_calls=False, on_bot_message=chats.seen)
    await emulator.start()
    try:
        environment = {"GIGBOT_TOKEN": TOKEN, "GIGBOT_API_URL": emulator.url,
                       "GIGBOT_DATA_DIR": str(folder), "GIGBOT_LOG_LEVEL": "WARNING"}
        if db_url is not None:
            environment |= {"GIGBOT_DB_URL": db_url, "GIGBOT_SECRET_KEY": BENCH_KEY}
        settings = load_settings(environment, dotenv=None)
        await init_db(settings.db_url)
        try:
            # a worker on probation sees about 2·gold_ratio·M controls, each a different one
            controls = max(5, math.ceil(2 * GOLD_RATIO * load.answers) + 3)
            items = load.workers * (load.answers + 1)
            source = write_project(folder / "source", items=items, controls=controls)
            await import_project(source, data_dir=settings.data_dir, clock=SYSTEM_CLOCK)
            return await _serve_gigbot(emulator, chats, settings, load)
        finally:
            await close_db()
    finally:
        await emulator.stop()


async def _serve_gigbot(emulator: Emulator, chats: _Chats, settings: Settings,
                        load: Load) -> BenchRun:
    board_title = t("en", "tasks.board_title")

    async def begin(user: SimUser) -> BotMessage:
        """Onboarded by the service (no quiz guards the project), then /tasks and the pick."""
        await user.command("/tasks")
        board = await user.expect(board_title, timeout=_setup_timeout(load))
        await user.press(board, TITLE, timeout=_setup_timeout(load))
        return await user.expect(ITEM_TEXT, edited_ok=False, timeout=_setup_timeout(load))

    async def recorded() -> int:
        return sum(p.answers for p in await project_summary() if p.slug == SLUG)

    users = [emulator.user(first_name=f"W{i}") for i in range(load.workers)]
    for user in users:
        await register_member(user.id, settings=settings, now=SYSTEM_CLOCK.now(),
                              first_name=user.first_name)
    if load.process:
        await close_db()  # the bot process migrates and holds the database now
        env = {"GIGBOT_TOKEN": TOKEN, "GIGBOT_API_URL": emulator.url,
               "GIGBOT_DATA_DIR": str(settings.data_dir), "GIGBOT_LOG_LEVEL": "WARNING",
               "GIGBOT_DB_URL": settings.db_url, "GIGBOT_SECRET_KEY": BENCH_KEY}
        try:
            async with _bot_processes(env, load) as pids:
                run = await _measure(emulator, chats, "gigbot", load, begin, ITEM_TEXT, users,
                                     pids)
        finally:
            await init_db(settings.db_url)
    else:
        app = build_application(settings, clock=SYSTEM_CLOCK)
        async with polling(app, poll_timeout=POLL_TIMEOUT):
            run = await _measure(emulator, chats, "gigbot", load, begin, ITEM_TEXT, users)
    return _finish(run, await recorded(), load)


@contextlib.asynccontextmanager
async def _bot_processes(env: dict[str, str], load: Load) -> AsyncIterator[list[int]]:
    """``load.bots`` ``gigbot run`` processes (webhook: behind one round-robin URL); pids."""
    if not load.webhook:
        async with _bot_process("gigbot", "run", env={**env, "GIGBOT_PORT": str(free_port())}
                                ) as pid:
            yield [pid]
        return
    ports = [free_port() for _ in range(load.bots)]
    async with RoundRobin([f"http://127.0.0.1:{p}/telegram" for p in ports]) as front, \
            contextlib.AsyncExitStack() as stack:
        pids = [await stack.enter_async_context(_bot_process("gigbot", "run", env={
            **env, "GIGBOT_PORT": str(port), "GIGBOT_WEBHOOK_URL": front.url,
            "GIGBOT_WEBHOOK_SECRET": "bench-webhook-secret"})) for port in ports]
        yield pids


def _finish(run: BenchRun, recorded: int, load: Load) -> BenchRun:
    """``run`` with the answers counted and the peak RSS of the bot."""
    return replace(run, recorded=recorded, peak_rss_mb=_peak_rss_mb(load))


# ----- the echo floor ----------------------------------------------------------------------------


def _echo_keyboard() -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[InlineKeyboardButton("Positive", callback_data="pos"),
                                  InlineKeyboardButton("Negative", callback_data="neg")]])


def build_echo(url: str) -> Application[Any, Any, Any, Any, Any, Any]:
    """A plain PTB bot: /start sends a message with two buttons; a tap edits in a counter.

    As in gigbot: as many updates handled at once and the same rate limiter, so that the /start
    messages keep to the flood limits (edits and callback answers are not held back). No
    database, no per-chat ordering.
    """
    app = (ApplicationBuilder().token(TOKEN).base_url(f"{url}/bot")
           .base_file_url(f"{url}/file/bot").concurrent_updates(MAX_CONCURRENT_UPDATES)
           .rate_limiter(SendRateLimiter.for_telegram())
           .build())
    taps = [0]

    async def start(update: Update, _: ContextTypes.DEFAULT_TYPE) -> None:
        chat = update.effective_chat
        if chat is not None:
            await chat.send_message(f"{ECHO_TEXT} 0", reply_markup=_echo_keyboard())

    async def tap(update: Update, _: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        if query is None:
            return
        with contextlib.suppress(BadRequest):  # too late for the spinner: edit all the same
            await query.answer()
        taps[0] += 1
        await query.edit_message_text(f"{ECHO_TEXT} {taps[0]}", reply_markup=_echo_keyboard())

    app.add_handler(CommandHandler("start", start))
    app.add_handler(CallbackQueryHandler(tap))
    return app


async def run_echo(load: Load, *, rate_limits: RateLimits | None = None) -> BenchRun:
    """The same taps against the plain PTB echo bot on its own emulator."""
    chats = _Chats()
    emulator = Emulator(rate_limits=rate_limits, record_calls=False, on_bot_message=chats.seen)
    await emulator.start()

    async def begin(user: SimUser) -> BotMessage:
        await user.command("/start")
        return await user.expect(ECHO_TEXT, edited_ok=False, timeout=_setup_timeout(load))

    try:
        if load.process:
            async with _bot_process("gigbot.cli.bench", "echo", emulator.url, env={}):
                run = await _measure(emulator, chats, "echo", load, begin, ECHO_TEXT)
        else:
            async with _echo_polling(build_echo(emulator.url)):
                run = await _measure(emulator, chats, "echo", load, begin, ECHO_TEXT)
    finally:
        await emulator.stop()
    return _finish(run, chats.edits, load)  # one edit per tap


@contextlib.asynccontextmanager
async def _echo_polling(app: Application[Any, Any, Any, Any, Any, Any]) -> AsyncIterator[None]:
    """The echo bot long polling its emulator while the block runs."""
    async with app:
        updater = app.updater
        if updater is None:
            raise RuntimeError("the echo bot was built without an updater")
        await updater.start_polling(poll_interval=0.0, timeout=POLL_TIMEOUT)
        await app.start()
        try:
            yield
        finally:
            await updater.stop()
            await app.stop()


# ----- the command -------------------------------------------------------------------------------


def markdown_table(runs: Sequence[BenchRun]) -> str:
    """The runs as a Markdown table; the ratio compares throughput with the echo bot's."""
    floor = {r.load: r.answers_per_s for r in runs if r.bot == "echo"}
    lines = ["| workers | think s | bot | answers/s | p50 ms | p99 ms | max ms | ratio to echo "
             "| peak RSS MB |",
             "| ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for r in runs:
        echo = floor.get(r.load)
        ratio = f"{r.answers_per_s / echo:.2f}" if echo else "–"
        lines.append(f"| {r.load.workers} | {r.load.think:g} | {r.bot} | "
                     f"{r.answers_per_s:.0f} | {r.quantile_ms(0.5):.0f} | "
                     f"{r.quantile_ms(0.99):.0f} | {r.quantile_ms(1.0):.0f} | {ratio} | "
                     f"{r.peak_rss_mb:.0f} |")
    return "\n".join(lines) + "\n"


def cpu_line(run: BenchRun) -> str:
    """CPU seconds of each part over the answering phase: per answer, and in cores."""
    if not run.cpu or not run.taps or run.seconds <= 0:
        return ""
    parts = "; ".join(f"{part} {sec:.1f} s = {sec / run.seconds:.2f} cores, "
                      f"{sec / run.taps * 1000:.1f} ms/answer" for part, sec in run.cpu)
    memory = "; ".join(f"bot {n} RSS {a:.0f} -> {b:.0f} MB ({(b - a) / a * 100:+.1f} %)"
                       for n, (a, b) in enumerate(run.rss, 1) if a > 0)
    return f"{run.bot} CPU over {run.seconds:.1f} s: {parts}" + (f"\n{memory}" if memory else "")


def check_line(run: BenchRun) -> str:
    """The correctness figures of a run, in one line."""
    what = "answers recorded" if run.bot == "gigbot" else "edits made"
    verdict = "OK" if run.correct else "MISMATCH"
    workers = f"{run.load.workers} worker{'s' if run.load.workers != 1 else ''}"
    return (f"{run.bot}, {workers}: {run.taps} taps, {run.recorded} {what}, "
            f"{len(run.latencies)} latencies, {run.in_time} callbacks answered in time "
            f"(sessions opened in {run.opening:.0f} s): {verdict}")


async def bench_command(args: argparse.Namespace, _settings: Settings) -> int:
    """``gigbot bench``: run, print the table (and append it to ``--out``); 1 on a mismatch."""
    think = float(args.think)
    if args.workers < 1 or args.answers < 1 or think < 0:
        print("gigbot: --workers and --answers must be at least 1, --think not negative",
              file=sys.stderr)
        return 2
    bots, postgres = int(getattr(args, "bots", 1)), getattr(args, "postgres", None)
    webhook = bool(getattr(args, "webhook", False)) or bots > 1
    if bots < 1 or (bots > 1 and not postgres) or (webhook and args.in_process):
        print("gigbot: --bots above 1 needs --postgres URL (SQLite serves one process); "
              "--webhook runs the bot in processes of its own", file=sys.stderr)
        return 2
    load = Load(args.workers, args.answers, think, process=not args.in_process,
                webhook=webhook, bots=bots, postgres=postgres)
    task = asyncio.current_task()
    if task is not None:  # a SIGTERM unwinds the run, so that the bot processes stop too
        asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, task.cancel)
    runs: list[BenchRun] = []
    root = logging.getLogger()  # a log line per answer would be measured too
    level = root.level
    root.setLevel(max(level, logging.WARNING))
    try:
        if args.echo:  # first, so that its peak RSS is its own
            runs.append(await run_echo(load))
        with tempfile.TemporaryDirectory(prefix="gigbot-bench-") as folder:
            runs.append(await run_gigbot(Path(folder), load))
    finally:
        root.setLevel(level)
    table = markdown_table(runs)
    pace = f"thinking {think:g} s on average" if think else "tapping flat out"
    how = (f"webhook, {bots} bot process(es)" if webhook else "long polling") + (
        ", PostgreSQL" if postgres else ", SQLite")
    print(f"gigbot bench: {load.workers} worker(s) x {load.answers} answers, {pace}; {how}; "
          f"emulator with Telegram's flood limits; {os.cpu_count()} cores\n")
    print(table)
    for run in runs:
        print(check_line(run))
        if line := cpu_line(run):
            print(line)
    if args.out:
        with Path(args.out).open("a", encoding="utf-8") as out:
            out.write(table)
    return 0 if all(r.correct for r in runs) else 1


async def _serve_echo(url: str) -> None:
    """The echo bot alone, long polling ``url`` until SIGTERM (``-m gigbot.cli.bench echo``)."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    async with _echo_polling(build_echo(url)):
        await stop.wait()


if __name__ == "__main__":
    if len(sys.argv) != 3 or sys.argv[1] != "echo":
        sys.exit("usage: python -m gigbot.cli.bench echo API_URL")
    asyncio.run(_serve_echo(sys.argv[2]))
