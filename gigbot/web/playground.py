"""The playground's web page: a phone-sized chat with the bot, for demo people of the emulator.

``GET /`` is the page (``gigbot/web/static``: HTML, CSS and JavaScript, no build step, nothing
from elsewhere); ``GET /api/stream`` is a server-sent event stream of every demo person's chat
(``hello`` with the whole state, then ``message``, ``delete`` and ``limit`` events);
``POST /api/send`` and ``POST /api/press`` make a person write or tap, as the Telegram app would:
a text over 4096 characters or an empty one is refused, a press must name a button that is on
the message; ``GET /api/files/{file_id}`` gives a photo's or a voice message's bytes. The
page also has ``/healthz`` and ``/metrics``. Everything the bot wrote reaches the page as text
and entities, and the page builds its DOM from them with ``textContent`` only.

POSTs must be JSON and, when the browser sends an ``Origin``, come from this page's own origin,
so another site open in the same browser cannot act for a demo person.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

from aiohttp import web

from gigbot.emulator import ApiCall, BotMessage, Emulator, SimUser
from gigbot.web.health import Probes, add_health_routes

__all__ = [
    "MAX_TEXT",
    "STATIC_DIR",
    "Person",
    "Playground",
    "demo_people",
    "playground_app",
]

log = logging.getLogger(__name__)

STATIC_DIR = Path(__file__).resolve().parent / "static"
MAX_TEXT = 4096  # what a Telegram app lets a person send in one message
PRESS_TIMEOUT = 20.0  # s: longer than a callback query lives (15 s), so its expiry is reported
_QUEUE = 2000  # events a slow page may fall behind before its stream is closed
_CSP = ("default-src 'self'; img-src 'self' data:; media-src 'self'; script-src 'self'; "
        "style-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; "
        "form-action 'none'")

Role = Literal["worker", "admin"]


@dataclass(frozen=True, slots=True)
class Person:
    """A demo person of the page: a simulated Telegram user with a role."""

    user: SimUser
    role: Role

    def describe(self, emulator: Emulator) -> dict[str, Any]:
        """What the page needs to draw the switch and the command menu."""
        lang = self.user.language_code
        return {"id": self.user.id, "name": self.user.first_name, "role": self.role,
                "language": lang,
                "commands": [{"command": c, "description": d}
                             for c, d in emulator.commands(lang)]}


class Refused(web.HTTPException):
    """A page request refused with a JSON reason, as a Telegram app would refuse it."""

    def __init__(self, status: int, reason: str) -> None:
        self.status_code = status
        super().__init__(text=json.dumps({"error": reason}), content_type="application/json")


class Playground:
    """The emulator's demo people and the streams of the pages watching them."""

    def __init__(self, **emulator_args: Any) -> None:
        self.emulator = Emulator(on_bot_message=self.bot_message, on_api_call=self.api_call,
                                 **emulator_args)
        self.people: dict[int, Person] = {}
        self._own: dict[int, list[dict[str, Any]]] = {}
        self._streams: set[asyncio.Queue[bytes | None]] = set()

    def add(self, user: SimUser, role: Role = "worker") -> Person:
        """Make ``user`` one of the page's people."""
        person = Person(user, role)
        self.people[user.id] = person
        self._own[user.id] = []
        return person

    # ---- emulator hooks (Emulator(on_bot_message=..., on_api_call=...)) ----------------------

    def bot_message(self, user: SimUser, kind: str, message: BotMessage) -> None:
        """The bot sent, edited or deleted a message in a person's chat."""
        if user.id not in self.people:
            return
        if kind == "delete":
            self._publish("delete", {"user": user.id, "message_id": message.message_id})
        else:
            self._publish("message", {"user": user.id, "item": self._bot_item(message)})

    def api_call(self, call: ApiCall, body: dict[str, Any]) -> None:
        """Show Telegram's flood limits at work: a send answered 429 and its pause."""
        if call.status != 429:
            return
        retry = (body.get("parameters") or {}).get("retry_after")
        chat = call.params.get("chat_id")
        self._publish("limit", {"user": chat if chat in self.people else None,
                                "method": call.method, "retry_after": retry})

    # ---- state -------------------------------------------------------------------------------

    def snapshot(self) -> dict[str, Any]:
        """Every person with their chat as it is now (the stream's first event)."""
        chats: dict[str, list[dict[str, Any]]] = {}
        for user_id, person in self.people.items():
            items = [self._bot_item(m) for m in person.user.messages] + self._own[user_id]
            chats[str(user_id)] = sorted(items, key=lambda item: int(item["id"]))
        return {"bot": {"name": self.emulator.bot_first_name,
                        "username": self.emulator.bot_username},
                "people": [p.describe(self.emulator) for p in self.people.values()],
                "chats": chats}

    def _bot_item(self, message: BotMessage) -> dict[str, Any]:
        item: dict[str, Any] = {
            "id": message.message_id, "from": "bot", "kind": message.kind,
            "text": message.content, "entities": list(message.entities),
            "buttons": [[{"text": text, "data": data} for text, data in row]
                        for row in message.buttons],
            "keyboard": message.keyboard, "force_reply": message.force_reply,
            "edited": message.edits > 0, "date": message.date,
            "reply_to": message.reply_to_message_id,
        }
        if message.file is not None:
            item["file"] = f"/api/files/{message.file.file_id}"
            item["duration"] = message.file.duration
        return item

    def _own_item(self, sent: dict[str, Any]) -> dict[str, Any]:
        replied = sent.get("reply_to_message") or {}
        return {"id": sent["message_id"], "from": "user", "kind": "text",
                "text": sent.get("text", ""), "entities": sent.get("entities", []),
                "date": sent["date"], "reply_to": replied.get("message_id")}

    def _publish(self, event: str, data: dict[str, Any]) -> None:
        frame = _frame(event, data)
        for queue in list(self._streams):
            try:
                queue.put_nowait(frame)
            except asyncio.QueueFull:  # a page that stopped reading: end its stream
                self._streams.discard(queue)

    def refresh_people(self) -> None:
        """Tell the pages the people again (the bot has set its command menu since)."""
        self._publish("people", {"people": [p.describe(self.emulator)
                                            for p in self.people.values()]})

    def close_streams(self) -> None:
        """End every open stream (the server is stopping)."""
        for queue in self._streams:
            queue.put_nowait(None)
        self._streams.clear()

    # ---- what a person does ------------------------------------------------------------------

    def person(self, user_id: object) -> Person:
        """The demo person with this id (400 for anything else)."""
        person = self.people.get(user_id) if isinstance(user_id, int) else None
        if person is None:
            raise Refused(400, "no such person on this page")
        return person

    async def send(self, user_id: object, text: object, reply_to: object = None
                   ) -> dict[str, Any]:
        """A person sends text (a reply to ``reply_to`` when given), as the Telegram app does."""
        person = self.person(user_id)
        if not isinstance(text, str) or not text.strip():
            raise Refused(400, "message text is empty")
        if len(text) > MAX_TEXT:
            raise Refused(400, f"message is too long: at most {MAX_TEXT} characters")
        user = person.user
        if reply_to is None:
            sent = await user.send(text)
        else:
            replied = user.message(reply_to) if isinstance(reply_to, int) else None
            if replied is None or replied.deleted:
                raise Refused(400, "message to be replied not found")
            sent = await user.reply(replied, text)
        item = self._own_item(sent)
        self._own[user.id].append(item)
        self._publish("message", {"user": user.id, "item": item})
        return item

    async def press(self, user_id: object, message_id: object, data: object) -> dict[str, Any]:
        """A person taps an inline button; returns the bot's callback answer (a toast)."""
        person = self.person(user_id)
        message = person.user.message(message_id) if isinstance(message_id, int) else None
        if message is None or message.deleted:
            raise Refused(400, "message not found")
        flat = [button for row in message.buttons for button in row]
        index = next((i for i, (_, d) in enumerate(flat) if d and d == data), None)
        if index is None:  # Telegram delivers only the data of a button the message has
            raise Refused(400, "no such button on this message")
        try:
            answer = await person.user.press(message, index, timeout=PRESS_TIMEOUT)
        except TimeoutError as exc:
            raise Refused(504, str(exc).split(";", 1)[0]) from None
        if answer is None:
            return {"text": None, "show_alert": False}
        return {"text": answer.text, "show_alert": answer.show_alert}

    # ---- HTTP --------------------------------------------------------------------------------

    async def stream(self, request: web.Request) -> web.StreamResponse:
        """``GET /api/stream``: server-sent events of every person's chat."""
        response = web.StreamResponse(headers={
            "Content-Type": "text/event-stream", "Cache-Control": "no-store",
            "X-Accel-Buffering": "no"})
        await response.prepare(request)
        queue: asyncio.Queue[bytes | None] = asyncio.Queue(_QUEUE)
        self._streams.add(queue)
        try:
            await response.write(_frame("hello", self.snapshot()))
            while True:
                try:
                    frame = await asyncio.wait_for(queue.get(), 15)
                except TimeoutError:
                    frame = b": keep-alive\n\n"
                if frame is None:
                    break
                await response.write(frame)
        except (ConnectionResetError, RuntimeError):  # the page went away
            pass
        finally:
            self._streams.discard(queue)
        return response

    async def file(self, request: web.Request) -> web.Response:
        """``GET /api/files/{file_id}``: a medium the bot sent to one of the people."""
        stored = self.emulator.files.get(request.match_info["file_id"])
        if stored is None:
            raise web.HTTPNotFound()
        mime = stored.mime_type or _sniff(stored.data)
        return web.Response(body=stored.data, content_type=mime,
                            headers={"Cache-Control": "private, max-age=3600",
                                     "Content-Disposition": "inline"})


def _sniff(data: bytes) -> str:
    if data.startswith(b"\x89PNG"):
        return "image/png"
    if data.startswith(b"\xff\xd8"):
        return "image/jpeg"
    if data.startswith(b"OggS"):
        return "audio/ogg"
    return "application/octet-stream"


def _frame(event: str, data: dict[str, Any]) -> bytes:
    """One server-sent event; JSON never holds a raw newline, so one ``data:`` line."""
    payload = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return f"event: {event}\ndata: {payload}\n\n".encode()


async def _json_body(request: web.Request) -> dict[str, Any]:
    """The body of a page POST: JSON from this page's own origin, else refused."""
    origin = request.headers.get("Origin")
    if origin is not None and urlsplit(origin).netloc != request.host:
        raise Refused(403, "cross-origin request refused")
    if request.content_type != "application/json":
        raise Refused(415, "JSON expected")
    try:
        body = await request.json()
    except ValueError:
        raise Refused(400, "JSON expected") from None
    if not isinstance(body, dict):
        raise Refused(400, "a JSON object expected")
    return body


Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@web.middleware
async def _headers(request: web.Request, handler: Handler) -> web.StreamResponse:
    """A strict content security policy: the page runs only its own script and styles."""
    response = await handler(request)
    response.headers.setdefault("Content-Security-Policy", _CSP)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "no-referrer")
    return response


def playground_app(playground: Playground, probes: Probes,
                   static: Path = STATIC_DIR) -> web.Application:
    """The page's aiohttp application: page, assets, stream, actions, /healthz, /metrics."""
    server = web.Application(client_max_size=64 * 1024, middlewares=[_headers])

    async def index(_request: web.Request) -> web.FileResponse:
        return web.FileResponse(static / "index.html", headers={"Cache-Control": "no-store"})

    async def people(_request: web.Request) -> web.Response:
        return web.json_response(playground.snapshot()["people"])

    async def send(request: web.Request) -> web.Response:
        body = await _json_body(request)
        item = await playground.send(body.get("user"), body.get("text"), body.get("reply_to"))
        return web.json_response(item)

    async def press(request: web.Request) -> web.Response:
        body = await _json_body(request)
        answer = await playground.press(body.get("user"), body.get("message_id"),
                                        body.get("data"))
        return web.json_response(answer)

    server.router.add_get("/", index)
    server.router.add_static("/static", static, show_index=False, follow_symlinks=False)
    server.router.add_get("/api/people", people)
    server.router.add_get("/api/stream", playground.stream)
    server.router.add_get("/api/files/{file_id}", playground.file)
    server.router.add_post("/api/send", send)
    server.router.add_post("/api/press", press)
    add_health_routes(server, probes)
    return server


def demo_people(playground: Playground, admin_id: int,
                workers: Sequence[tuple[str, str]] = (("Ann", "en"), ("Bora", "ko"),
                                                      ("Chris", "en"))) -> list[Person]:
    """The page's people: demo workers (name, language) with fresh ids, and the admin."""
    emulator = playground.emulator
    people = [playground.add(emulator.user(name, language_code=lang)) for name, lang in workers]
    admin = emulator.user("Admin", language_code="en", user_id=admin_id)
    people.append(playground.add(admin, role="admin"))
    return people
