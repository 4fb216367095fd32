"""Value types of the emulator: calls, callback answers, stored files and the bot's messages."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

__all__ = ["ApiCall", "BotMessage", "CallbackAnswer", "MessageKind", "StoredFile"]

MessageKind = Literal["text", "photo", "voice", "audio", "document"]


@dataclass(frozen=True, slots=True)
class ApiCall:
    """One Bot API call the bot made: method name, parsed parameters, HTTP status, when."""

    method: str
    params: dict[str, Any]
    status: int
    at: float


@dataclass(frozen=True, slots=True)
class CallbackAnswer:
    """What the bot answered to a button press (``answerCallbackQuery``)."""

    query_id: str
    text: str | None = None
    show_alert: bool = False
    url: str | None = None


@dataclass(slots=True)
class StoredFile:
    """A file the bot uploaded or a simulated user sent; ``getFile`` and downloads find it."""

    file_id: str
    file_unique_id: str
    data: bytes
    kind: str
    file_path: str
    mime_type: str | None = None
    file_name: str | None = None
    width: int = 0
    height: int = 0
    duration: int = 0

    @property
    def size(self) -> int:
        """Size in bytes."""
        return len(self.data)

    def base(self) -> dict[str, Any]:
        """The ``file_id``/``file_unique_id``/``file_size`` fields every file object has."""
        return {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "file_size": self.size,
        }


@dataclass(slots=True, eq=False)
class BotMessage:
    """A message from the bot as the user sees it now; edits and deletion update it in place."""

    message_id: int
    chat_id: int
    kind: MessageKind
    date: int
    text: str | None = None
    caption: str | None = None
    entities: tuple[dict[str, Any], ...] = ()
    parse_mode: str | None = None
    reply_markup: dict[str, Any] | None = None
    protect_content: bool = False
    reply_to_message_id: int | None = None
    file: StoredFile | None = None
    edits: int = 0
    edit_date: int | None = None
    deleted: bool = False
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def content(self) -> str:
        """The text, or the caption of a media message ('' when there is none)."""
        return (self.text if self.kind == "text" else self.caption) or ""

    @property
    def file_id(self) -> str | None:
        """The media's file_id (None for text)."""
        return self.file.file_id if self.file else None

    @property
    def file_bytes(self) -> bytes | None:
        """The media's bytes as the user would download them (None for text)."""
        return self.file.data if self.file else None

    @property
    def force_reply(self) -> bool:
        """Whether the message asks the client to reply to it (ForceReply)."""
        return bool(self.reply_markup and self.reply_markup.get("force_reply"))

    @property
    def buttons(self) -> list[list[tuple[str, str]]]:
        """Inline keyboard rows of (caption, callback_data); '' data for URL-like buttons."""
        rows = (self.reply_markup or {}).get("inline_keyboard") or []
        return [
            [(str(b.get("text", "")), str(b.get("callback_data", ""))) for b in row]
            for row in rows
        ]

    @property
    def keyboard(self) -> list[list[str]]:
        """Reply keyboard rows (captions), if the message set one."""
        rows = (self.reply_markup or {}).get("keyboard") or []
        return [[b if isinstance(b, str) else str(b.get("text", "")) for b in row] for row in rows]

    def button_texts(self) -> list[str]:
        """All inline button captions, row by row."""
        return [text for row in self.buttons for text, _ in row]

    def __repr__(self) -> str:
        state = " deleted" if self.deleted else (f" edits={self.edits}" if self.edits else "")
        return (
            f"<BotMessage {self.chat_id}/{self.message_id} {self.kind}{state} "
            f"{self.content[:60]!r} buttons={self.button_texts()}>"
        )
