"""Simulated Telegram users: each action becomes a real update; the chat is kept as seen."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from .host import ChatChange, UserHost
from .state import BotMessage, CallbackAnswer

__all__ = ["SimUser"]

_COMMAND = re.compile(r"^/[A-Za-z0-9_]{1,32}(@[A-Za-z0-9_]+)?")
_STICKER = bytes.fromhex("52494646") + b"\x1a\x00\x00\x00WEBPVP8L\x0e\x00\x00\x00/\x00\x00\x00"


@dataclass(frozen=True, slots=True)
class _Event:
    """Something new in the chat: a message arrived or one was edited (content at that time)."""

    kind: Literal["new", "edit"]
    message: BotMessage
    content: str


class SimUser:
    """A person in a private chat with the bot (chat id == user id)."""

    def __init__(
        self,
        emulator: UserHost,
        user_id: int,
        *,
        first_name: str,
        language_code: str | None = "en",
        username: str | None = None,
        last_name: str | None = None,
    ) -> None:
        self._host = emulator
        self.id = user_id
        self.first_name = first_name
        self.last_name = last_name
        self.language_code = language_code
        self.username = username
        self.started = False
        self.blocked = False
        self.callback_answers: list[CallbackAnswer] = []
        self.chat_actions: list[str] = []
        self._bot_messages: dict[int, BotMessage] = {}
        self._own_messages: dict[int, dict[str, Any]] = {}
        self._events: list[_Event] = []
        self._cursor = 0
        self._signal = asyncio.Event()
        self._next_message_id = 1

    def __repr__(self) -> str:
        return f"<SimUser {self.id} {self.first_name!r}>"

    # ---- what the bot sees -------------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        """The Bot API ``User`` object."""
        user: dict[str, Any] = {"id": self.id, "is_bot": False, "first_name": self.first_name}
        if self.last_name:
            user["last_name"] = self.last_name
        if self.username:
            user["username"] = self.username
        if self.language_code:
            user["language_code"] = self.language_code
        return user

    def chat_dict(self) -> dict[str, Any]:
        """The Bot API ``Chat`` object of the private chat."""
        chat: dict[str, Any] = {"id": self.id, "type": "private", "first_name": self.first_name}
        if self.last_name:
            chat["last_name"] = self.last_name
        if self.username:
            chat["username"] = self.username
        return chat

    # ---- the chat as the user sees it ----------------------------------------------------------

    @property
    def messages(self) -> list[BotMessage]:
        """The bot's messages in the chat now (edits applied, deleted ones removed)."""
        return [m for m in self._bot_messages.values() if not m.deleted]

    @property
    def last(self) -> BotMessage | None:
        """The newest message from the bot still in the chat."""
        for message in reversed(self._bot_messages.values()):
            if not message.deleted:
                return message
        return None

    def message(self, message_id: int) -> BotMessage | None:
        """The bot's message with this id, if it was ever sent to this chat."""
        return self._bot_messages.get(message_id)

    # ---- actions -------------------------------------------------------------------------------

    async def send(self, text: str, *, duplicate: bool = False) -> dict[str, Any]:
        """Send a text message (a leading /command gets its bot_command entity)."""
        self._host.user_action(self.id, "send")
        return self._message({"text": text, **_command_entities(text)}, duplicate=duplicate)

    async def command(
        self, command: str, args: str | None = None, *, duplicate: bool = False
    ) -> dict[str, Any]:
        """Send ``/command [args]``, e.g. ``command("/start", "p_review-sentiment")``."""
        self._host.user_action(self.id, "command")
        text = command if command.startswith("/") else f"/{command}"
        if args:
            text = f"{text} {args}"
        return self._message({"text": text, **_command_entities(text)}, duplicate=duplicate)

    async def reply(self, message: BotMessage, text: str) -> dict[str, Any]:
        """Reply to one of the bot's messages (as to a ForceReply prompt)."""
        self._host.user_action(self.id, "reply")
        fields: dict[str, Any] = {"text": text, **_command_entities(text)}
        fields["reply_to_message"] = self._host.message_dict(message)
        return self._message(fields)

    async def send_photo(self, data: bytes, caption: str | None = None) -> dict[str, Any]:
        """Send a photo; the bot can getFile and download it."""
        self._host.user_action(self.id, "send_photo")
        stored = self._host.files.add(data, kind="photo", mime_type="image/jpeg")
        fields: dict[str, Any] = {"photo": [self._host.files.photo_size(stored)]}
        if caption:
            fields["caption"] = caption
        return self._message(fields)

    async def send_voice(self, data: bytes, duration: int = 1) -> dict[str, Any]:
        """Send a voice note (ogg/opus)."""
        self._host.user_action(self.id, "send_voice")
        stored = self._host.files.add(data, kind="voice", mime_type="audio/ogg", duration=duration)
        voice = {**stored.base(), "duration": duration, "mime_type": "audio/ogg"}
        return self._message({"voice": voice})

    async def send_audio(self, data: bytes, filename: str = "a.mp3") -> dict[str, Any]:
        """Send an audio file."""
        self._host.user_action(self.id, "send_audio")
        stored = self._host.files.add(data, kind="audio", file_name=filename)
        audio = {**stored.base(), "duration": 1, "file_name": filename}
        if stored.mime_type:
            audio["mime_type"] = stored.mime_type
        return self._message({"audio": audio})

    async def send_document(
        self, data: bytes, filename: str, mime_type: str = "application/octet-stream"
    ) -> dict[str, Any]:
        """Send a file as a document (e.g. a project .toml or .zip)."""
        self._host.user_action(self.id, "send_document")
        stored = self._host.files.add(
            data, kind="document", file_name=filename, mime_type=mime_type
        )
        document = {**stored.base(), "file_name": filename, "mime_type": mime_type}
        return self._message({"document": document})

    async def send_sticker(self) -> dict[str, Any]:
        """Send a sticker (something a labelling bot must cope with, not understand)."""
        self._host.user_action(self.id, "send_sticker")
        stored = self._host.files.add(_STICKER, kind="sticker", mime_type="image/webp")
        sticker = {
            **stored.base(),
            "type": "regular",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
            "emoji": "👍",
        }
        return self._message({"sticker": sticker})

    async def press(
        self,
        message: BotMessage,
        button: str | int,
        *,
        duplicate: bool = False,
        wait: bool = True,
        timeout: float = 10,
    ) -> CallbackAnswer | None:
        """Tap an inline button: exact caption, else the one containing it, or a flat index.

        With ``wait`` this returns the bot's answerCallbackQuery (TimeoutError if none comes).
        A reply-keyboard button sends its caption as a text message and returns None.
        """
        self._host.user_action(self.id, "press")
        if message.deleted:
            raise AssertionError(f"{message!r} was deleted; its buttons cannot be pressed")
        if not message.buttons and message.keyboard:
            caption = _find_button(
                [[(text, "") for text in row] for row in message.keyboard], button, message
            )[0]
            self._message({"text": caption}, duplicate=duplicate)
            return None
        caption, data = _find_button(message.buttons, button, message)
        if not data:
            raise AssertionError(f"button {caption!r} of {message!r} has no callback_data")
        return await self._callback(message.message_id, data, duplicate, wait, timeout)

    async def press_data(
        self,
        message: BotMessage | int,
        data: str,
        *,
        duplicate: bool = False,
        wait: bool = True,
        timeout: float = 10,
    ) -> CallbackAnswer | None:
        """Forge a button press with arbitrary callback data on any message id."""
        self._host.user_action(self.id, "press_data")
        message_id = message if isinstance(message, int) else message.message_id
        return await self._callback(message_id, data, duplicate, wait, timeout)

    def block(self) -> None:
        """Block the bot: sends to this chat fail with 403 from now on."""
        self._host.user_action(self.id, "block")
        if not self.blocked:
            self.blocked = True
            self._host.member_update(self.id, old="member", new="kicked")

    def unblock(self) -> None:
        """Unblock the bot (as tapping Restart does, without the /start message)."""
        self._host.user_action(self.id, "unblock")
        if self.blocked:
            self.blocked = False
            self.started = True
            self._host.member_update(self.id, old="kicked", new="member")

    # ---- waiting for the bot -------------------------------------------------------------------

    async def next_message(self, timeout: float = 10) -> BotMessage:
        """The next new message from the bot not yet consumed by next_message/expect."""

        def check() -> BotMessage | None:
            while self._cursor < len(self._events):
                event = self._events[self._cursor]
                self._cursor += 1
                if event.kind == "new":
                    return event.message
            return None

        return await self._wait(check, timeout, "no new message from the bot")

    async def expect(
        self,
        contains: str | None = None,
        *,
        timeout: float = 10,
        edited_ok: bool = True,
        predicate: Callable[[BotMessage], bool] | None = None,
    ) -> BotMessage:
        """Wait for a new message (or an edit, with ``edited_ok``) whose content has ``contains``.

        ``contains`` is matched against the content the message had when it arrived or was
        edited; ``predicate`` sees the live message. Events before the match are consumed.
        """

        def check() -> BotMessage | None:
            while self._cursor < len(self._events):
                event = self._events[self._cursor]
                self._cursor += 1
                if event.kind == "edit" and not edited_ok:
                    continue
                if contains is not None and contains not in event.content:
                    continue
                if predicate is not None and not predicate(event.message):
                    continue
                return event.message
            return None

        what = "a message" if contains is None else f"a message containing {contains!r}"
        return await self._wait(check, timeout, f"no {what}")

    async def _wait(
        self, check: Callable[[], BotMessage | None], timeout: float, what: str
    ) -> BotMessage:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            found = check()
            if found is not None:
                return found
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise TimeoutError(f"{self!r}: {what} within {timeout} s; {self._recent()}")
            signal = self._signal
            try:
                await asyncio.wait_for(signal.wait(), remaining)
            except TimeoutError:
                continue

    def _recent(self) -> str:
        recent = [
            f"{'edit' if e.kind == 'edit' else 'new'}: {e.content[:80]!r}"
            for e in self._events[-6:]
        ]
        return "recent chat: [" + "; ".join(recent) + "]" if recent else "the chat is empty"

    # ---- called by the emulator ----------------------------------------------------------------

    def own_message(self, message_id: int) -> dict[str, Any] | None:
        """The user's own message with this id, as sent (None if unknown or deleted)."""
        return self._own_messages.get(message_id)

    def delete_own_message(self, message_id: int) -> bool:
        """Delete the user's own message; False if there is none with this id."""
        return self._own_messages.pop(message_id, None) is not None

    def allocate_message_id(self) -> int:
        """The next message id of the chat (the user's and the bot's messages share them)."""
        message_id = self._next_message_id
        self._next_message_id += 1
        return message_id

    def notify(self, kind: ChatChange, message: BotMessage) -> None:
        """The bot sent, edited or deleted ``message`` in this chat."""
        if kind == "new":
            self._bot_messages[message.message_id] = message
        if kind != "delete":
            self._events.append(_Event(kind, message, message.content))
            signal, self._signal = self._signal, asyncio.Event()
            signal.set()
        self._host.chat_changed(self.id, kind, message)

    def _message(self, fields: dict[str, Any], *, duplicate: bool = False) -> dict[str, Any]:
        self.started = True
        message: dict[str, Any] = {
            "message_id": self.allocate_message_id(),
            "from": self.to_dict(),
            "chat": self.chat_dict(),
            "date": self._host.wall_now(),
            **fields,
        }
        self._own_messages[message["message_id"]] = message
        self._host.deliver({"message": message}, duplicate=duplicate)
        return message

    async def _callback(
        self, message_id: int, data: str, duplicate: bool, wait: bool, timeout: float
    ) -> CallbackAnswer | None:
        self.started = True
        answer = self._host.callback_query(self.id, message_id, data, duplicate=duplicate)
        answer.add_done_callback(_settled)
        if not wait:
            return None
        try:
            return await asyncio.wait_for(asyncio.shield(answer), timeout)
        except TimeoutError as exc:
            why = str(exc) if answer.done() else f"it did not answer within {timeout} s"
            raise TimeoutError(
                f"{self!r}: callback query {data!r}: {why}; {self._recent()}"
            ) from None


def _settled(answer: asyncio.Future[CallbackAnswer]) -> None:
    """A late answer nobody waits for (any more) is not an error to report."""
    if not answer.cancelled():
        answer.exception()


def _command_entities(text: str) -> dict[str, Any]:
    match = _COMMAND.match(text)
    if not match:
        return {}
    return {"entities": [{"type": "bot_command", "offset": 0, "length": match.end()}]}


def _find_button(
    rows: list[list[tuple[str, str]]], button: str | int, message: BotMessage
) -> tuple[str, str]:
    flat = [pair for row in rows for pair in row]
    if isinstance(button, int):
        if not 0 <= button < len(flat):
            raise AssertionError(f"no button #{button} on {message!r}")
        return flat[button]
    exact = [pair for pair in flat if pair[0] == button]
    if exact:
        return exact[0]
    partial = [pair for pair in flat if button in pair[0]]
    if len(partial) == 1:
        return partial[0]
    if not partial:
        raise AssertionError(f"no button {button!r} on {message!r}")
    raise AssertionError(
        f"{len(partial)} buttons contain {button!r} on {message!r}: {[p[0] for p in partial]}"
    )
