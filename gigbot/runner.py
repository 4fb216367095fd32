"""The bot process's lifecycle: ``gigbot run`` serves by long polling or by webhook until a signal.

``gigbot.app`` builds the application; this module starts it, keeps it running and stops it
cleanly. SIGTERM or SIGINT ends the process with exit code 0: it stops taking updates, finishes
those in progress (``DRAIN`` s at most), releases the leader lock and disconnects.

In webhook mode on PostgreSQL the process is one of a cluster (``gigbot.cluster``): per-chat
advisory locks, the leader lock (scheduled jobs run only while held) and a share of the send
budget. Long polling is one process only: a second poller is refused at start.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import logging
import os
import signal
import sys
import threading
from collections.abc import AsyncIterator, Awaitable
from contextlib import asynccontextmanager
from typing import TypeVar
from urllib.parse import urlsplit

from aiohttp import web
from telegram import Bot
from telegram.error import Conflict, InvalidToken, NetworkError, TelegramError

from gigbot.app import UPDATE_TYPES, PerChatUpdateProcessor, SendRateLimiter, build_application
from gigbot.clock import SYSTEM_CLOCK
from gigbot.cluster import Cluster, UserLocks, clustered, one_migrator, pg_dsn
from gigbot.config import Settings
from gigbot.context import GigApp
from gigbot.db import close_db, init_db, ping, redact
from gigbot.db.reach import check_database
from gigbot.errors import ConfigError, GigbotError
from gigbot.metrics import OPEN_LEASES
from gigbot.tasks import leases
from gigbot.web.health import Probes, health_app
from gigbot.web.webhook import InFlight, listening, webhook_app

__all__ = [
    "DRAIN", "KILL_AFTER", "PROBE_SECONDS", "SecondPoller", "health_server", "initialized",
    "polling", "probes_for", "run_command", "serve_webhook", "sole_poller",
]

log = logging.getLogger(__name__)

KILL_AFTER = 9.0  # seconds after a signal: whatever still runs, the process ends (contract: 10)
DRAIN = 6.0  # seconds a stopping webhook server waits for the updates it is processing
# How long a starting poller listens for another one. A poller whose long poll is cut off by a
# newer one polls again (PTB after 1 s) and so cuts the newcomer's off with 409 Conflict.
PROBE_SECONDS = 2.5
T = TypeVar("T")


class SecondPoller(GigbotError):
    """Telegram answered 409 Conflict: another process polls this bot."""


@asynccontextmanager
async def initialized(app: GigApp) -> AsyncIterator[GigApp]:
    """``async with app`` that also closes the HTTP sessions when ``initialize`` fails.

    PTB's ``Application.shutdown`` does nothing for an application whose start failed (a
    refused token, say), which would leave the bot's aiohttp sessions open.
    """
    try:
        async with app:
            yield app
    finally:
        await app.bot.shutdown()  # a no-op once the application has shut it down


@asynccontextmanager
async def polling(app: GigApp, *, poll_timeout: int = 10,
                  sole: bool = False) -> AsyncIterator[GigApp]:
    """Serve ``app`` by long polling for the block, then stop updater, application, jobs.

    ``sole``: first make sure no other process polls the bot (``sole_poller``, 2.5 s).
    """
    async with initialized(app):  # initialize() ... shutdown()
        if app.post_init is not None:
            await app.post_init(app)
        updater = app.updater
        if updater is None:
            raise RuntimeError("polling needs an application with an updater")
        if sole:
            await sole_poller(app.bot)
        await updater.start_polling(
            poll_interval=0.0, timeout=poll_timeout, allowed_updates=list(UPDATE_TYPES),
            error_callback=_polling_error,
        )
        await app.start()
        try:
            yield app
        finally:
            if updater.running:
                await updater.stop()
            if app.running:
                await app.stop()


async def sole_poller(bot: Bot, *, seconds: float = PROBE_SECONDS) -> None:
    """Remove any webhook, then long poll for ``seconds``: ``SecondPoller`` on a 409 Conflict.

    Telegram ends the older of two long polls with 409, so a running poller, cut off by this
    probe, polls again and this probe gets the 409. The probe confirms nothing (no offset).
    """
    await bot.delete_webhook()
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    while (left := deadline - loop.time()) > 0:
        try:
            got = await bot.get_updates(timeout=max(int(left), 1), limit=1,
                                        allowed_updates=list(UPDATE_TYPES))
        except Conflict as exc:
            raise SecondPoller(
                f"another process is already polling this bot (409 Conflict: {exc.message}); "
                "run one poller, or several processes in webhook mode on PostgreSQL"
            ) from None
        if got:  # updates wait (the other poller, if any, has not confirmed them yet)
            await asyncio.sleep(0.25)


def _polling_error(exc: TelegramError) -> None:
    """Polling errors in one line; a 409 means a second poller was started (and refused)."""
    if isinstance(exc, Conflict):
        log.warning("getUpdates answered 409 Conflict (%s): a second poller of this bot was "
                    "started; it is refused, and this process keeps polling", exc.message)
    else:
        log.error("getUpdates failed: %s", exc)


def _run_jobs(app: GigApp, run: bool) -> None:
    """Resume or pause the scheduler: scheduled jobs run on the leader only."""
    queue = app.job_queue
    if queue is None or not queue.scheduler.running:
        return
    if run:
        queue.scheduler.resume()
    else:
        queue.scheduler.pause()


@asynccontextmanager
async def _cluster(app: GigApp, settings: Settings) -> AsyncIterator[Cluster | None]:
    """This process as one of several on PostgreSQL (webhook mode), or None (one process)."""
    if not clustered(settings.db_url, settings.webhook_url):
        yield None
        return
    dsn = pg_dsn(settings.db_url)
    processor, limiter = app.update_processor, app.bot.rate_limiter
    locks = UserLocks(dsn)
    await locks.start()
    if isinstance(processor, PerChatUpdateProcessor):
        processor.across = locks.held
    share = limiter.share if isinstance(limiter, SendRateLimiter) else (lambda _: None)
    cluster = Cluster(dsn, on_leader=lambda leader: _run_jobs(app, leader), on_share=share)
    try:
        await cluster.start()
        yield cluster
    finally:
        await cluster.stop()
        await locks.close()


@asynccontextmanager
async def serve_webhook(
    app: GigApp, settings: Settings, probes: Probes, *, host: str = "0.0.0.0"
) -> AsyncIterator[web.AppRunner]:
    """Serve ``app`` by webhook for the block: set the webhook, run the server, stop cleanly.

    Stopping: the server stops listening and waits (``DRAIN`` s at most) for the POSTs being
    handled, the application finishes the updates queued, then the cluster is left (the
    leader lock released).
    """
    url = settings.webhook_url
    secret = settings.webhook_secret
    if not url or not secret:
        raise RuntimeError("webhook mode needs GIGBOT_WEBHOOK_URL and GIGBOT_WEBHOOK_SECRET")
    path = urlsplit(url).path or "/"
    in_flight = InFlight()
    async with initialized(app), _cluster(app, settings) as cluster:
        server = webhook_app(app, path=path, secret=secret, probes=probes,
                             processed=cluster is not None, in_flight=in_flight)
        if app.post_init is not None:
            await app.post_init(app)
        await app.bot.set_webhook(url, secret_token=secret, allowed_updates=list(UPDATE_TYPES))
        await app.start()
        if cluster is not None:
            _run_jobs(app, cluster.leader)
        try:
            async with listening(server, host, settings.port, drain=DRAIN) as runner:
                log.info("webhook server listening port=%s path=%s", settings.port, path)
                try:
                    yield runner
                finally:
                    log.info("stopping: %s updates in progress", in_flight.count)
        finally:
            if app.running:
                await app.stop()


def _stop_event() -> asyncio.Event:
    """Set by SIGTERM or SIGINT; the first signal also arms the deadline of a clean stop."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()

    def signalled() -> None:
        if not stop.is_set():
            stop.set()
            _arm_deadline()

    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, signalled)
    return stop


def _arm_deadline() -> None:
    """End the process hard if the clean stop has not ended it within ``KILL_AFTER`` s.

    A stop waits for updates in progress and closes connections; a library stuck in a call
    that never returns (a database that stopped answering mid-query) must not turn SIGTERM
    into a hang. The timer thread is a daemon, so a process that ends in time ends at once.
    """
    def expire() -> None:
        log.error("no clean stop within %s s: exiting now", KILL_AFTER)
        os._exit(1)

    timer = threading.Timer(KILL_AFTER, expire)
    timer.daemon = True
    timer.start()


def probes_for(app: GigApp, settings: Settings) -> Probes:
    """What /healthz and /metrics ask of this process."""

    def running() -> bool:
        updater = app.updater  # it runs only in long polling mode
        polled = updater is not None and not settings.webhook_url
        return app.running and (updater.running if polled and updater else True)

    async def database() -> str | None:
        return await ping(settings.db_url)

    async def refresh() -> None:
        OPEN_LEASES.set(await leases.count_open(SYSTEM_CLOCK.now()))

    return Probes(running=running, database=database, refresh=refresh)


@asynccontextmanager
async def health_server(probes: Probes, port: int, host: str = "0.0.0.0"
                        ) -> AsyncIterator[web.AppRunner]:
    """Serve /healthz and /metrics on ``port`` for the block (long polling mode)."""
    async with listening(health_app(probes), host, port) as runner:
        log.info("health and metrics listening port=%s", port)
        yield runner


async def _until(stop: asyncio.Event, work: Awaitable[T]) -> T | None:
    """``work``'s result, or None when ``stop`` is set first (``work`` is then cancelled).

    ``work`` runs in the calling task, not a task of its own: tortoise keeps its connections
    in a context variable, and a connection made in another task would not be seen here.
    """
    current = asyncio.current_task()
    if current is None:
        raise RuntimeError("_until() needs a running task")
    waiter = asyncio.ensure_future(stop.wait())

    def interrupt(_: object) -> None:
        current.cancel()

    waiter.add_done_callback(interrupt)
    try:
        return await work
    except asyncio.CancelledError:
        if stop.is_set():
            return None
        raise
    finally:
        waiter.remove_done_callback(interrupt)
        waiter.cancel()


async def run_command(args: argparse.Namespace, settings: Settings) -> int:
    """``gigbot run [--polling]``: migrate, then serve until SIGTERM or SIGINT (exit 0).

    Webhook mode when GIGBOT_WEBHOOK_URL is set, unless ``--polling`` asks for long polling
    (which removes the webhook: PTB deletes it before its first getUpdates).
    """
    settings.require_token()
    if getattr(args, "polling", False):
        settings = dataclasses.replace(settings, webhook_url=None)
    stop = _stop_event()
    if await _until(stop, _ready(settings)) is None:
        await close_db()
        return 0
    try:
        app = build_application(settings, clock=SYSTEM_CLOCK)
        probes = probes_for(app, settings)
        if settings.webhook_url:
            async with serve_webhook(app, settings, probes):
                log.info("serving by webhook on port %s", settings.port)
                await stop.wait()
        else:
            async with polling(app, sole=True), health_server(probes, settings.port):
                log.info("serving by long polling db=%s", redact(settings.db_url))
                await stop.wait()
        log.info("stopping")
    except InvalidToken:
        raise ConfigError(
            "GIGBOT_TOKEN was refused by the Bot API: check the token from @BotFather"
        ) from None
    except NetworkError as exc:
        print(f"gigbot: cannot reach the Bot API at {settings.api_url}: {exc}", file=sys.stderr)
        return 1
    except OSError as exc:  # the port: in use, or not ours to bind
        raise ConfigError(
            f"GIGBOT_PORT: cannot listen on port {settings.port}: {exc.strerror or exc}"
        ) from None
    finally:
        await close_db()
    return 0


async def _ready(settings: Settings) -> bool:
    """Migrate and connect the database (``DatabaseError`` in one line if it cannot).

    Processes starting together on PostgreSQL migrate one after another; the later ones find
    nothing left to apply.
    """
    await check_database(settings.db_url)
    async with one_migrator(settings.db_url):
        await init_db(settings.db_url)
    return True
