"""The bot's wiring: ``build_application`` (PTB builder, limits, typed context, every handler).

Updates of one chat are handled in order, different chats in parallel (``PerChatUpdateProcessor``);
messages sent go through ``SendRateLimiter`` (27 per second overall, ``retry_after`` honoured,
three retries); edits and callback answers go at once. Nothing durable lives in memory: a
restart loses only the duplicate filter's recent ids. Serving it (polling or webhook, signals)
is ``gigbot.runner``'s work.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import os
from collections.abc import Awaitable, Callable, Coroutine
from contextlib import AbstractAsyncContextManager
from typing import Any

from aiolimiter import AsyncLimiter
from telegram import BotCommand, Update
from telegram.error import RetryAfter, TelegramError
from telegram.ext import (
    AIORateLimiter,
    ApplicationBuilder,
    BaseUpdateProcessor,
    ContextTypes,
    Defaults,
)

from gigbot.clock import SYSTEM_CLOCK, Clock
from gigbot.config import Settings
from gigbot.context import CLOCK_KEY, SETTINGS_KEY, GigApp, GigContext
from gigbot.handlers import register_all
from gigbot.i18n import LANGUAGES, t
from gigbot.metrics import SEND_QUEUE
from gigbot.transport import AiohttpRequest

__all__ = [
    "COMMANDS",
    "MAX_CONCURRENT_UPDATES",
    "UPDATE_TYPES",
    "PerChatUpdateProcessor",
    "SendRateLimiter",
    "build_application",
    "set_commands",
]

# Durations from PTB as timedelta (its coming default). Without it every RetryAfter (a 429)
# warns on construction, which a test run with warnings as errors turns into a failure.
os.environ.setdefault("PTB_TIMEDELTA", "true")

log = logging.getLogger(__name__)

# The commands shown in Telegram's menu, in this order; descriptions are ``commands.<name>``.
COMMANDS = ("start", "tasks", "quiz", "profile", "balance", "mydata", "settings", "help",
            "deleteme")
_Result = bool | dict[str, Any] | list[dict[str, Any]]  # a Bot API call's JSON result
# Telegram allows "about 30" messages a second. Sending at exactly that rate, any jitter between
# this process and the server brings 429s, and each one pauses every send; 90 % of it keeps
# clear of them (500 sessions opening at once: 192 429s and 4 lost sends at 30, none at 27).
SEND_RATE = 27
SEND_RETRIES = 3  # 429s waited out per call before it fails
# Updates handled at once. A handler waiting for the send budget holds its slot, so the slots
# must outnumber the updates of a crowd arriving together: with 256, a worker's tap on a project
# waited behind others' sends until its callback query had expired (500 workers at once).
MAX_CONCURRENT_UPDATES = 4096
# The update types the handlers use; asked for by getUpdates and setWebhook alike.
UPDATE_TYPES = ("message", "callback_query", "my_chat_member")


ChatLock = Callable[[int], AbstractAsyncContextManager[None]]


class PerChatUpdateProcessor(BaseUpdateProcessor):
    """One chat's updates run one after another (FIFO); different chats run in parallel.

    PTB takes its global semaphore before calling ``do_process_update``, so a busy chat's queued
    updates hold slots: keep ``max_concurrent_updates`` large. ``across`` (set by the runner
    when several processes share the bot, ``gigbot.cluster.UserLocks.held``) is also held,
    inside this process's own lock, so that one chat's updates never overlap across processes.
    """

    __slots__ = ("_locks", "_refs", "across")

    def __init__(self, max_concurrent_updates: int = MAX_CONCURRENT_UPDATES) -> None:
        super().__init__(max_concurrent_updates)
        self._locks: dict[int, asyncio.Lock] = {}
        self._refs: dict[int, int] = {}
        self.across: ChatLock | None = None

    @staticmethod
    def _key(update: object) -> int | None:
        if not isinstance(update, Update):
            return None
        if update.effective_chat is not None:
            return update.effective_chat.id
        return update.effective_user.id if update.effective_user is not None else None

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        """Run ``coroutine`` once the earlier updates of the same chat are done."""
        key = self._key(update)
        if key is None:
            await coroutine
            return
        lock = self._locks.setdefault(key, asyncio.Lock())
        self._refs[key] = self._refs.get(key, 0) + 1
        try:
            async with lock:
                if self.across is None:
                    await coroutine
                else:
                    async with self.across(key):
                        await coroutine
        finally:
            self._refs[key] -= 1
            if not self._refs[key]:
                del self._refs[key], self._locks[key]

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to tear down."""


class SendRateLimiter(AIORateLimiter):
    """PTB's ``AIORateLimiter`` for the messages the bot sends; every other call goes at once.

    ``AIORateLimiter`` counts every call that names a chat, so the edit that turns a tapped item
    into the next one waited in the same 30-per-second queue as broadcasts: a crowd of any size
    got at most 30 answers per second, and at 500 workers a tap waited longer than a callback
    query lives. It also holds every call, callback answers included, while a 429 on any call
    is waited out. Telegram's documented limit is on sending (as the emulator's): here
    ``send*``, ``copy*`` and ``forward*`` share the budget and its pauses, and the rest (edits,
    deletes, callback answers) pass at once, each waiting out only its own 429.
    """

    __slots__ = ("_rate", "_retries", "_share")

    _COUNTED = ("send", "copy", "forward")

    def __init__(self, *, max_retries: int = 0, **limits: Any) -> None:
        super().__init__(max_retries=max_retries, **limits)
        self._retries = max_retries
        self._rate = float(limits.get("overall_max_rate", SEND_RATE)) / float(
            limits.get("overall_time_period", 1))
        self._share: AsyncLimiter | None = None

    def share(self, processes: int) -> None:
        """Send at most 1/``processes`` of the budget: the processes of one bot share it."""
        if processes <= 1:
            self._share = None
            return
        rate = self._rate / processes  # per second; a burst of up to one second's worth
        self._share = AsyncLimiter(max(rate, 1.0), max(rate, 1.0) / rate)

    @classmethod
    def for_telegram(cls) -> SendRateLimiter:
        """The limits gigbot runs with: ``SEND_RATE`` per second overall, ``SEND_RETRIES``."""
        return cls(overall_max_rate=SEND_RATE, overall_time_period=1, max_retries=SEND_RETRIES)

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, _Result]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> _Result:
        """Limit ``send*``, ``copy*`` and ``forward*``; let the rest through, with retries."""
        if endpoint.startswith(self._COUNTED):
            SEND_QUEUE.inc()
            try:
                if self._share is not None:
                    await self._share.acquire()
                return await super().process_request(
                    callback, args, kwargs, endpoint, data, rate_limit_args
                )
            finally:
                SEND_QUEUE.dec()
        retries = rate_limit_args or self._retries
        attempt = 0
        while True:
            try:
                return await callback(*args, **kwargs)
            except RetryAfter as exc:
                if attempt >= retries:
                    raise
                attempt += 1
                wait = exc.retry_after
                seconds = wait.total_seconds() if isinstance(wait, dt.timedelta) else wait
                log.info("%s: 429, retrying in %.1f s", endpoint, seconds)
                await asyncio.sleep(seconds + 0.1)


def build_application(settings: Settings, *, clock: Clock = SYSTEM_CLOCK) -> GigApp:
    """The PTB application for ``settings``: API root, limits, typed context, every handler."""
    root = settings.api_url.rstrip("/")
    app: GigApp = (
        ApplicationBuilder()
        .token(settings.require_token())
        .base_url(f"{root}/bot")
        .base_file_url(f"{root}/file/bot")
        .request(AiohttpRequest(256))
        .get_updates_request(AiohttpRequest(1))
        .defaults(Defaults(tzinfo=dt.UTC))
        .rate_limiter(SendRateLimiter.for_telegram())
        .concurrent_updates(PerChatUpdateProcessor(MAX_CONCURRENT_UPDATES))
        .context_types(ContextTypes(context=GigContext))
        .post_init(set_commands)
        .build()
    )
    app.bot_data[SETTINGS_KEY] = settings
    app.bot_data[CLOCK_KEY] = clock
    register_all(app)
    return app


async def set_commands(app: GigApp) -> None:
    """Register the command menu in English, in Korean, and (English) for other languages."""
    for lang in (*LANGUAGES, None):
        commands = [BotCommand(name, t(lang or "en", f"commands.{name}")) for name in COMMANDS]
        try:
            await app.bot.set_my_commands(commands, language_code=lang)
        except TelegramError as exc:  # the menu is a convenience: never a reason not to start
            log.warning("setMyCommands failed language=%s: %s", lang, exc)
