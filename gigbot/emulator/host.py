"""What the Bot API methods and the simulated users need from the emulator, as protocols.

The dependencies point one way: ``server`` (the ``Emulator``) imports ``methods``, ``updates``
and ``users``; they know the emulator only through ``Host`` and ``UserHost`` here, and a user's
chat through ``Chat``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any, Literal, NamedTuple, Protocol

from .delivery import UpdateQueue
from .files import FileStore
from .state import BotMessage, CallbackAnswer

__all__ = ["Chat", "ChatChange", "Described", "Host", "UserHost"]

ChatChange = Literal["new", "edit", "delete"]


class Described(NamedTuple):
    """A successful result that Telegram sends with a ``description`` (setWebhook…)."""

    result: Any
    text: str


class Chat(Protocol):
    """A simulated user's private chat, as the methods see it (chat id == user id)."""

    @property
    def id(self) -> int:
        """The user's id, also the chat's."""

    @property
    def blocked(self) -> bool:
        """Whether the user blocked the bot."""

    @property
    def started(self) -> bool:
        """Whether the user has written to the bot."""

    @property
    def chat_actions(self) -> list[str]:
        """The chat actions ('typing'…) the bot sent, oldest first."""

    def chat_dict(self) -> dict[str, Any]:
        """The Bot API ``Chat`` object."""

    def message(self, message_id: int) -> BotMessage | None:
        """The bot's message with this id, if it was ever sent to this chat."""

    def own_message(self, message_id: int) -> dict[str, Any] | None:
        """The user's own message with this id, as sent (None if unknown or deleted)."""

    def delete_own_message(self, message_id: int) -> bool:
        """Delete the user's own message; False if there is none with this id."""

    def allocate_message_id(self) -> int:
        """The next message id of the chat."""

    def notify(self, kind: ChatChange, message: BotMessage) -> None:
        """The bot sent, edited or deleted ``message`` in this chat."""


class Host(Protocol):
    """The emulator, as the Bot API methods see it."""

    @property
    def users(self) -> Mapping[int, Chat]:
        """Every simulated user by id."""

    @property
    def files(self) -> FileStore:
        """Every file uploaded by the bot or the users."""

    @property
    def update_queue(self) -> UpdateQueue:
        """The updates waiting for the bot."""

    @property
    def descriptions(self) -> dict[str, str]:
        """The bot's description, short description and name by ``field:language``."""

    @property
    def command_menus(self) -> dict[tuple[str, str], list[dict[str, str]]]:
        """The command menus set by setMyCommands, by (scope key, language)."""

    @property
    def webhook_retry_delay(self) -> float:
        """The first pause before re-posting a refused update."""

    def bot_user(self) -> dict[str, Any]:
        """The bot as a Bot API ``User``."""

    def wall_now(self) -> int:
        """The Unix time for message dates."""

    def rate_check(self, chat_id: int) -> None:
        """Count one message sent to ``chat_id``; 429 when over the flood limits."""

    def message_dict(self, message: BotMessage) -> dict[str, Any]:
        """The Bot API ``Message`` for one of the bot's messages."""

    def answer_query(self, query_id: str, answer: CallbackAnswer) -> bool:
        """Answer a callback query; False if unknown or too old."""


class UserHost(Protocol):
    """The emulator, as a simulated user sees it."""

    @property
    def files(self) -> FileStore:
        """Every file uploaded by the bot or the users."""

    def user_action(self, user_id: int, action: str) -> None:
        """A user is about to act (``on_user_action`` sees it first)."""

    def wall_now(self) -> int:
        """The Unix time for message dates."""

    def message_dict(self, message: BotMessage) -> dict[str, Any]:
        """The Bot API ``Message`` for one of the bot's messages."""

    def deliver(self, payload: dict[str, Any], *, duplicate: bool = False) -> int | None:
        """Turn ``{"message": {...}}`` into an update; returns its id (None if filtered)."""

    def callback_query(
        self, user_id: int, message_id: int, data: str, *, duplicate: bool
    ) -> asyncio.Future[CallbackAnswer]:
        """A user tapped a button: the callback query's answer, once the bot gives it."""

    def member_update(self, user_id: int, *, old: str, new: str) -> None:
        """A user blocked or unblocked the bot: a ``my_chat_member`` update."""

    def chat_changed(self, user_id: int, kind: ChatChange, message: BotMessage) -> None:
        """The bot sent, edited or deleted ``message`` in a user's chat."""
