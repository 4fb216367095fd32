"""The Bot API emulator: an aiohttp server with Telegram's URL layout, JSON and limits."""

from __future__ import annotations

import asyncio
import itertools
import json
import logging
import random
import re
import secrets
import time
from collections import OrderedDict, deque
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from http import HTTPStatus
from types import TracebackType
from typing import Any

from aiohttp import web

from .chaos import Chaos, Failure
from .delivery import UpdateQueue
from .errors import ApiError, too_many_requests
from .files import FileStore
from .host import ChatChange, Described
from .limits import RateLimiter, RateLimits
from .methods import METHODS, scope_key
from .params import read_params
from .state import ApiCall, BotMessage, CallbackAnswer
from .users import SimUser

__all__ = ["Emulator"]

log = logging.getLogger(__name__)

_TOKEN = re.compile(r"\d{1,20}:[A-Za-z0-9_-]{1,100}")
_MAX_UPLOAD = 50 * 1024 * 1024 + 64 * 1024
# Default simulated user ids: run k of USER_ID_RUNS starts at FIRST_USER_IDS + k * USERS_PER_RUN
# (up to 8.1e9, below Telegram's 2**52), so two runs share ids with a chance of 1 in 80 000.
FIRST_USER_IDS = 100_000_001
USERS_PER_RUN = 100_000
USER_ID_RUNS = 80_000


def _dumps(obj: Any) -> str:
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"))


@dataclass(frozen=True, slots=True)
class _Fault:
    status: int
    retry_after: int | None
    delay: float


@dataclass(slots=True)
class _Query:
    user: SimUser
    created: float
    answer: asyncio.Future[CallbackAnswer]


class Emulator:
    """A Telegram Bot API server for one bot, with simulated users (see docs/emulator.md).

    Use as ``async with Emulator() as emu:`` or ``await emu.start()`` / ``await emu.stop()``;
    the bot talks to ``emu.url`` like to ``https://api.telegram.org``.

    Args:
        rate_limits: flood limits for the ``send*`` methods (``RateLimits.off()`` for none).
        bot_username: what getMe answers.
        on_user_action: called synchronously with (user, action name) before each simulated
            user action, e.g. to move a test clock forward.
        callback_timeout: seconds after which answerCallbackQuery is refused as too old.
        bot_first_name: the bot's display name.
        time_func: the monotonic clock of rate limits, callback timeouts and ``ApiCall.at``.
        record_calls: keep every call in :attr:`calls` (switch off for long benchmarks).
        webhook_retry_delay: first pause before re-posting a refused update (doubles to 2 s).
        on_bot_message: called with (user, "new" | "edit" | "delete", message) whenever the
            user's chat changes, e.g. to push it to a web page.
        on_api_call: called with each ``ApiCall`` and the JSON body of its answer (also when
            ``record_calls`` is off), e.g. to show a 429 on a web page.
        first_user_id: the id of the first simulated user; by default a number drawn at start,
            different in every run (ids go up by one from there), so that people of one run
            are never taken for those of an earlier run by a bot that keeps its database.
    """

    def __init__(
        self,
        *,
        rate_limits: RateLimits | None = None,
        bot_username: str = "gigbot_test_bot",
        on_user_action: Callable[[SimUser, str], None] | None = None,
        callback_timeout: float = 15.0,
        bot_first_name: str = "gigbot",
        time_func: Callable[[], float] = time.monotonic,
        record_calls: bool = True,
        webhook_retry_delay: float = 0.05,
        on_bot_message: Callable[[SimUser, str, BotMessage], None] | None = None,
        on_api_call: Callable[[ApiCall, dict[str, Any]], None] | None = None,
        first_user_id: int | None = None,
    ) -> None:
        self.bot_username = bot_username
        self.bot_first_name = bot_first_name
        self.on_user_action = on_user_action
        self.on_bot_message = on_bot_message
        self.on_api_call = on_api_call
        self.callback_timeout = callback_timeout
        self.record_calls = record_calls
        self.webhook_retry_delay = webhook_retry_delay
        self.users: dict[int, SimUser] = {}
        self.calls: list[ApiCall] = []
        self.files = FileStore()
        self.url = ""
        self.bot_id = 7000000001
        self._time = time_func
        self._limiter = RateLimiter(rate_limits or RateLimits(), time_func)
        self.update_queue = UpdateQueue()
        self.command_menus: dict[tuple[str, str], list[dict[str, str]]] = {}
        self.descriptions: dict[str, str] = {}
        if first_user_id is None:
            first_user_id = FIRST_USER_IDS + secrets.randbelow(USER_ID_RUNS) * USERS_PER_RUN
        self.first_user_id = first_user_id
        self._user_ids = itertools.count(first_user_id)
        self._query_ids = itertools.count(1)
        self._queries: OrderedDict[str, _Query] = OrderedDict()
        self._faults: dict[str, deque[_Fault]] = {}
        self.chaos: Chaos | None = None
        self._runner: web.AppRunner | None = None

    # ---- lifecycle ---------------------------------------------------------------------------

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> str:
        """Listen on ``host:port`` (0 picks a free port); returns and sets :attr:`url`."""
        app = web.Application(client_max_size=_MAX_UPLOAD)
        app.router.add_route("*", "/bot{token}/{method}", self._api)
        app.router.add_get("/file/bot{token}/{path:.+}", self._download)
        app.router.add_get("/", self._index)
        self._runner = web.AppRunner(app, access_log=None, handler_cancellation=True)
        await self._runner.setup()
        site = web.TCPSite(self._runner, host, port)
        await site.start()
        bound = self._runner.addresses[0]
        self.url = f"http://{host}:{bound[1]}"
        self.update_queue.open()
        return self.url

    async def stop(self) -> None:
        """Stop serving; waiting long polls return at once and webhook delivery ends."""
        await self.update_queue.close()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> Emulator:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    # ---- test and benchmark API --------------------------------------------------------------

    def user(
        self,
        first_name: str = "Ann",
        language_code: str | None = "en",
        username: str | None = None,
        *,
        last_name: str | None = None,
        user_id: int | None = None,
    ) -> SimUser:
        """A new simulated user with a unique id (or ``user_id``); they have not started the bot.

        ``user_id`` gives a fixed id, e.g. one listed in GIGBOT_ADMINS; it must be unused.
        """
        if user_id is None:
            user_id = next(self._user_ids)
            while user_id in self.users:
                user_id = next(self._user_ids)
        elif user_id in self.users or user_id <= 0:
            raise ValueError(f"user id {user_id} is taken or not positive")
        user = SimUser(
            self,
            user_id,
            first_name=first_name,
            language_code=language_code,
            username=username,
            last_name=last_name,
        )
        self.users[user.id] = user
        return user

    @property
    def rate_limits(self) -> RateLimits:
        """The flood limits in force; assigning new ones resets the buckets."""
        return self._limiter.limits

    @rate_limits.setter
    def rate_limits(self, limits: RateLimits) -> None:
        self._limiter = RateLimiter(limits, self._time)

    def commands(
        self, language_code: str | None = None, *, scope: dict[str, Any] | None = None
    ) -> list[tuple[str, str]]:
        """The command menu a user with ``language_code`` sees (falls back to no language)."""
        key = scope_key(scope)
        menus = self.command_menus
        found = menus.get((key, language_code or "")) or menus.get((key, ""))
        return [(c["command"], c["description"]) for c in found or []]

    def fail_next(
        self,
        method: str,
        *,
        status: int = 500,
        count: int = 1,
        retry_after: int | None = None,
        delay: float = 0.0,
    ) -> None:
        """Make the next ``count`` calls of ``method`` fail with ``status``.

        ``status=429`` answers "Too Many Requests" with ``retry_after`` (default 1).
        ``delay`` holds the response that many seconds (or until the client gives up), so a
        client with a shorter timeout sees a timeout; with ``status=200`` the call still takes
        effect first, as when Telegram sends a message but the answer is lost.
        """
        fault = _Fault(status, retry_after, delay)
        self._faults.setdefault(method.lower(), deque()).extend([fault] * count)

    def fail_randomly(
        self,
        rate: float,
        *,
        failures: Sequence[Failure] = tuple(Failure),
        spare: Iterable[str] = ("getMe",),
        seed: int | None = None,
    ) -> Chaos:
        """From now on, fail a share ``rate`` of all calls, each in one of ``failures``.

        ``rate=0`` ends it. The returned ``Chaos`` counts what failed (``chaos.counts``).
        """
        if not 0 <= rate <= 1:
            raise ValueError(f"rate must be within 0 and 1, got {rate}")
        self.chaos = Chaos(rate, tuple(failures), frozenset(m.lower() for m in spare),
                           random.Random(seed)) if rate else None
        return self.chaos or Chaos(0.0)

    @property
    def pending_updates(self) -> int:
        """Updates created but not yet confirmed (polling) or accepted (webhook)."""
        return self.update_queue.pending

    @property
    def polling(self) -> bool:
        """Whether a getUpdates long poll is waiting for updates right now."""
        return self.update_queue.polling

    async def until_polling(self, timeout: float = 10) -> None:
        """Wait until the bot has a long poll waiting (TimeoutError after ``timeout`` s)."""
        await self.update_queue.until_polling(timeout)

    def message(self, chat_id: int, message_id: int) -> BotMessage | None:
        """The bot's message ``message_id`` in chat ``chat_id``, if any."""
        user = self.users.get(chat_id)
        return user.message(message_id) if user else None

    def bot_user(self) -> dict[str, Any]:
        """The bot as a Bot API ``User``."""
        return {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": self.bot_first_name,
            "username": self.bot_username,
        }

    # ---- used by SimUser and the methods (see host.py) ----------------------------------------

    def user_action(self, user_id: int, action: str) -> None:
        """A user is about to act (``on_user_action`` sees it first)."""
        if self.on_user_action is not None:
            self.on_user_action(self.users[user_id], action)

    def chat_changed(self, user_id: int, kind: ChatChange, message: BotMessage) -> None:
        """The bot sent, edited or deleted ``message`` in a user's chat."""
        if self.on_bot_message is not None:
            self.on_bot_message(self.users[user_id], kind, message)

    def wall_now(self) -> int:
        """The Unix time for message dates."""
        return int(time.time())

    def deliver(self, payload: dict[str, Any], *, duplicate: bool = False) -> int | None:
        """Turn ``{"message": {...}}`` into an update; returns its id (None if filtered)."""
        return self.update_queue.push(payload, duplicate=duplicate)

    def callback_query(
        self, user_id: int, message_id: int, data: str, *, duplicate: bool
    ) -> asyncio.Future[CallbackAnswer]:
        """A user tapped a button: the callback query's answer, once the bot gives it."""
        user = self.users[user_id]
        now = self._time()
        while self._queries:
            oldest = next(iter(self._queries.values()))
            if now - oldest.created <= self.callback_timeout:
                break
            self._queries.popitem(last=False)
        query_id = f"{next(self._query_ids)}{secrets.randbelow(10**9):09d}"
        message = user.message(message_id)
        if message is not None and not message.deleted:
            shown = self.message_dict(message)
        else:  # an inaccessible message, as for a forged or stale press
            shown = {"message_id": message_id, "chat": user.chat_dict(), "date": 0}
        future: asyncio.Future[CallbackAnswer] = asyncio.get_running_loop().create_future()
        self._queries[query_id] = _Query(user, now, future)
        callback = {
            "id": query_id,
            "from": user.to_dict(),
            "message": shown,
            "chat_instance": str(-user.id * 7919),
            "data": data,
        }
        self.deliver({"callback_query": callback}, duplicate=duplicate)
        return future

    def answer_query(self, query_id: str, answer: CallbackAnswer) -> bool:
        """Answer a callback query; False if unknown or too old."""
        query = self._queries.pop(query_id, None)
        if query is None:
            return False
        late = self._time() - query.created
        if late > self.callback_timeout:  # refused; a user waiting for it learns why at once
            if not query.answer.done():
                query.answer.set_exception(TimeoutError(
                    f"the bot answered {late:.1f} s after the press, later than the "
                    f"{self.callback_timeout:g} s a callback query lives"))
            return False
        query.user.callback_answers.append(answer)
        if not query.answer.done():
            query.answer.set_result(answer)
        return True

    def member_update(self, user_id: int, *, old: str, new: str) -> None:
        """A user blocked or unblocked the bot: a ``my_chat_member`` update."""
        user = self.users[user_id]

        def member(status: str) -> dict[str, Any]:
            extra = {"until_date": 0} if status == "kicked" else {}
            return {"user": self.bot_user(), "status": status, **extra}

        self.deliver(
            {
                "my_chat_member": {
                    "chat": user.chat_dict(),
                    "from": user.to_dict(),
                    "date": self.wall_now(),
                    "old_chat_member": member(old),
                    "new_chat_member": member(new),
                }
            }
        )

    def message_dict(self, message: BotMessage, *, nested: bool = False) -> dict[str, Any]:
        """The Bot API ``Message`` for one of the bot's messages."""
        user = self.users[message.chat_id]
        out: dict[str, Any] = {
            "message_id": message.message_id,
            "from": self.bot_user(),
            "chat": user.chat_dict(),
            "date": message.date,
        }
        if message.edit_date is not None:
            out["edit_date"] = message.edit_date
        if message.kind == "text":
            out["text"] = message.text or ""
            if message.entities:
                out["entities"] = list(message.entities)
        else:
            out.update(message.extra)
            if message.caption:
                out["caption"] = message.caption
                if message.entities:
                    out["caption_entities"] = list(message.entities)
        if message.protect_content:
            out["has_protected_content"] = True
        markup = message.reply_markup
        if markup and "inline_keyboard" in markup:
            out["reply_markup"] = {"inline_keyboard": markup["inline_keyboard"]}
        if message.reply_to_message_id is not None and not nested:
            replied = self._replied(user, message.reply_to_message_id)
            if replied is not None:
                out["reply_to_message"] = replied
        return out

    def _replied(self, user: SimUser, message_id: int) -> dict[str, Any] | None:
        own = user.own_message(message_id)
        if own is not None:
            return {k: v for k, v in own.items() if k != "reply_to_message"}
        bot = user.message(message_id)
        if bot is not None and not bot.deleted:
            return self.message_dict(bot, nested=True)
        return None

    def rate_check(self, chat_id: int) -> None:
        """Count one message sent to ``chat_id``; 429 when over the flood limits."""
        retry_after = self._limiter.acquire(chat_id)
        if retry_after is not None:
            raise too_many_requests(retry_after)

    # ---- HTTP --------------------------------------------------------------------------------

    async def _index(self, request: web.Request) -> web.Response:
        return web.Response(text=f"gigbot Bot API emulator: bot @{self.bot_username}\n")

    async def _api(self, request: web.Request) -> web.Response:
        if not _TOKEN.fullmatch(request.match_info["token"]):
            return _json(ApiError(401, "Unauthorized").payload(), 401)
        self.bot_id = int(request.match_info["token"].split(":", 1)[0])
        method = request.match_info["method"]
        entry = METHODS.get(method.lower())
        name = entry[0] if entry else method
        try:
            params = await read_params(request)
        except ApiError as error:
            return _json(error.payload(), error.status)
        except web.HTTPRequestEntityTooLarge:
            return _json(ApiError(413, "Request Entity Too Large").payload(), 413)
        fault = self._take_fault(name)
        failure = self.chaos.draw(name) if self.chaos is not None and entry else None
        if failure is Failure.DROP:
            return _dropped(request)
        body: dict[str, Any]
        if entry is None:
            body = ApiError(404, "Not Found").payload()
        elif fault is not None and fault.status != 200:
            body = _fault_error(fault).payload()
        elif failure is Failure.SERVER_ERROR and self.chaos is not None:
            status = self.chaos.status()
            body = ApiError(status, HTTPStatus(status).phrase).payload()
        else:
            try:
                result = await entry[1](self, params)
            except ApiError as error:
                body = error.payload()
            else:
                body = {"ok": True, "result": result}
                if isinstance(result, Described):
                    body = {"ok": True, "result": result.result, "description": result.text}
        code = body.get("error_code", 200)
        status = code if isinstance(code, int) else 500
        if self.record_calls or self.on_api_call is not None:
            call = ApiCall(name, params.recorded(), status, self._time())
            if self.record_calls:
                self.calls.append(call)
            if self.on_api_call is not None:
                self.on_api_call(call, body)
        if fault is not None and fault.delay > 0:
            await asyncio.sleep(fault.delay)
        if failure is Failure.LOST:
            return _dropped(request)
        return _json(body, status)

    def _take_fault(self, name: str) -> _Fault | None:
        queue = self._faults.get(name.lower())
        if not queue:
            return None
        fault = queue.popleft()
        if not queue:
            del self._faults[name.lower()]
        return fault

    async def _download(self, request: web.Request) -> web.Response:
        if not _TOKEN.fullmatch(request.match_info["token"]):
            return _json(ApiError(401, "Unauthorized").payload(), 401)
        stored = self.files.by_path(request.match_info["path"])
        if stored is None:
            return _json(ApiError(404, "Not Found").payload(), 404)
        return web.Response(
            body=stored.data, content_type=stored.mime_type or "application/octet-stream"
        )


def _json(body: dict[str, Any], status: int) -> web.Response:
    return web.Response(text=_dumps(body), status=status, content_type="application/json")


def _dropped(request: web.Request) -> web.Response:
    """Close the connection without an answer (the client sees it drop)."""
    if request.transport is not None:
        request.transport.close()
    return web.Response()  # written to a closed connection: nobody reads it


def _fault_error(fault: _Fault) -> ApiError:
    if fault.status == 429:
        return too_many_requests(fault.retry_after or 1)
    try:
        phrase = HTTPStatus(fault.status).phrase
    except ValueError:
        phrase = "Error"
    if fault.status == 400:
        phrase = "Bad Request"
    return ApiError(fault.status, phrase, retry_after=fault.retry_after)

