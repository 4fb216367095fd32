"""``gigbot playground``: the emulator, the real bot and a web chat page, with no token.

One process, one event loop: the Bot API emulator listens on loopback only (a free port), the
bot is built by ``build_application`` and served by ``gigbot.runner.polling`` exactly as
``gigbot run`` serves Telegram, and the page (``gigbot.web.playground``) listens on
``--host``:``--port`` with /healthz and /metrics. The bot's API root is the emulator's, set here
and not read from the environment or ``.env``, so nothing reaches Telegram. The demo quiz and
projects (``gigbot.demo``) are imported at every start (an unchanged one changes nothing) into a
fresh SQLite database in a temporary folder, removed at the end, or into ``--data``.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import shutil
import signal
import sys
import tempfile
import threading
import time
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

from gigbot.app import build_application
from gigbot.catalog.importer import import_project, import_quiz
from gigbot.clock import SYSTEM_CLOCK
from gigbot.config import Settings, load_settings
from gigbot.context import GigApp
from gigbot.db import close_db, init_db
from gigbot.demo import PROJECTS, QUIZZES
from gigbot.errors import ConfigError
from gigbot.runner import KILL_AFTER, polling, probes_for
from gigbot.web.playground import Person, Playground, demo_people, playground_app
from gigbot.web.webhook import listening

__all__ = ["ADMIN_ID", "TOKEN", "Running", "playground_command", "running_playground"]

log = logging.getLogger(__name__)

# The bot's token on the emulator: of Telegram's shape, meaningless anywhere else.
TOKEN = "7000000001:playground-token-for-the-local-emulator"
ADMIN_ID = 900_000_001  # the demo admin (GIGBOT_ADMINS of the playground's bot)


@dataclass(frozen=True, slots=True)
class Running:
    """A started playground: the page's URL, its people, the bot and its settings."""

    url: str
    playground: Playground
    people: list[Person]
    app: GigApp
    settings: Settings


def playground_settings(data_dir: Path, api_url: str, log_level: str = "INFO") -> Settings:
    """The bot's settings: the emulator's API root, a demo admin, nothing from outside."""
    return load_settings({
        "GIGBOT_TOKEN": TOKEN, "GIGBOT_API_URL": api_url, "GIGBOT_DATA_DIR": str(data_dir),
        "GIGBOT_ADMINS": str(ADMIN_ID), "GIGBOT_LOG_LEVEL": log_level,
    }, dotenv=None)


async def import_demo(settings: Settings) -> None:
    """Import the demo quiz, then the projects (the quiz gates one of them)."""
    for quiz in QUIZZES:
        await import_quiz(quiz, data_dir=settings.data_dir, clock=SYSTEM_CLOCK, actor="demo")
    for project in PROJECTS:
        await import_project(project, data_dir=settings.data_dir, clock=SYSTEM_CLOCK,
                             actor="demo")


@asynccontextmanager
async def running_playground(data_dir: Path, host: str = "127.0.0.1", port: int = 8080, *,
                             poll_timeout: int = 10) -> AsyncIterator[Running]:
    """Emulator, database with the demo content, the bot and the page, for the block."""
    playground = Playground(bot_username="gigbot_playground_bot", bot_first_name="gigbot",
                            record_calls=False)
    emulator = playground.emulator
    async with AsyncExitStack() as stack:
        await emulator.start(host="127.0.0.1", port=0)
        stack.push_async_callback(emulator.stop)
        settings = playground_settings(data_dir, emulator.url,
                                       logging.getLevelName(logging.getLogger().level))
        await init_db(settings.db_url)
        stack.push_async_callback(close_db)
        await import_demo(settings)
        app = build_application(settings, clock=SYSTEM_CLOCK)
        people = demo_people(playground, ADMIN_ID)
        server = playground_app(playground, probes_for(app, settings))
        try:
            runner = await stack.enter_async_context(listening(server, host, port, drain=1.0))
        except OSError as exc:
            raise ConfigError(f"--port: cannot listen on {host}:{port}: "
                              f"{exc.strerror or exc}") from None
        stack.callback(playground.close_streams)  # before the server waits for open streams
        await stack.enter_async_context(polling(app, poll_timeout=poll_timeout))
        playground.refresh_people()  # the command menu is set now
        bound = runner.addresses[0][1]
        shown = f"[{host}]" if ":" in host else host
        yield Running(f"http://{shown}:{bound}/", playground, people, app, settings)


def _stop_event() -> asyncio.Event:
    """Set by Ctrl-C or SIGTERM; a stop that hangs ends the process after ``KILL_AFTER`` s."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()

    def signalled() -> None:
        if stop.is_set():
            return
        stop.set()
        timer = threading.Timer(KILL_AFTER, os._exit, args=(1,))
        timer.daemon = True
        timer.start()

    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, signalled)
    return stop


async def playground_command(args: argparse.Namespace, _settings: Settings) -> int:
    """``gigbot playground [--port 8080] [--host 127.0.0.1] [--data DIR]``: serve until Ctrl-C."""
    started = time.monotonic()
    stop = _stop_event()
    if args.data:
        data_dir, temporary = Path(args.data), False
        try:
            data_dir.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise ConfigError(f"--data: cannot create {str(data_dir)!r}: "
                              f"{exc.strerror or exc}") from None
    else:
        data_dir, temporary = Path(tempfile.mkdtemp(prefix="gigbot-playground-")), True
    try:
        async with running_playground(data_dir, args.host, args.port) as running:
            names = ", ".join(f"{p.user.first_name} ({p.role})" for p in running.people)
            print(f"gigbot playground: {running.url}  (ready in "
                  f"{time.monotonic() - started:.1f} s; people: {names}; Ctrl-C stops it)",
                  flush=True)
            await stop.wait()
            print("gigbot playground: stopping", file=sys.stderr, flush=True)
    finally:
        if temporary:
            shutil.rmtree(data_dir, ignore_errors=True)
    return 0
