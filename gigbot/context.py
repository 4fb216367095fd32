"""GigContext: the typed per-update context every handler receives.

One context is built per update and shared by all handler groups, so ``load_actor`` (group -1)
fills ``member`` and ``t`` once and later handlers read them. ``clock`` and ``settings`` come from
``bot_data``, where ``build_application`` put them.
"""

from __future__ import annotations

from typing import Any, TypeAlias

from telegram.ext import Application, CallbackContext, ExtBot, JobQueue

from gigbot.clock import SYSTEM_CLOCK, Clock
from gigbot.config import Settings
from gigbot.i18n import Translator
from gigbot.members.service import Member

__all__ = ["CLOCK_KEY", "SETTINGS_KEY", "GigApp", "GigContext"]

SETTINGS_KEY = "settings"
CLOCK_KEY = "clock"


class GigContext(CallbackContext[ExtBot[Any], dict[Any, Any], dict[Any, Any], dict[Any, Any]]):
    """The context of one update: the member behind it, their translator, clock and settings."""

    __slots__ = ("_member", "_t")

    def __init__(
        self,
        application: GigApp,
        chat_id: int | None = None,
        user_id: int | None = None,
    ) -> None:
        super().__init__(application, chat_id=chat_id, user_id=user_id)
        self._member: Member | None = None
        self._t: Translator | None = None

    @property
    def settings(self) -> Settings:
        """The process settings."""
        settings: Settings = self.bot_data[SETTINGS_KEY]
        return settings

    @property
    def clock(self) -> Clock:
        """The injected clock (a test clock in the e2e harness)."""
        clock: Clock = self.bot_data.get(CLOCK_KEY, SYSTEM_CLOCK)
        return clock

    @property
    def member(self) -> Member:
        """The member behind the update; set by ``load_actor`` for every user update."""
        if self._member is None:
            raise RuntimeError("no member on this update (not loaded by load_actor)")
        return self._member

    @property
    def member_or_none(self) -> Member | None:
        """The member, or None for updates without a user (or before load_actor)."""
        return self._member

    @property
    def t(self) -> Translator:
        """Texts, money and times in the member's language and zone (English before loading)."""
        if self._t is None:
            return Translator("en", self.settings.tz, self.settings.currency)
        return self._t

    def set_member(self, member: Member) -> None:
        """Attach the member and a translator for them (load_actor, and after a change)."""
        self._member = member
        self._t = Translator(member.language, member.tz, self.settings.currency)


GigApp: TypeAlias = Application[
    ExtBot[Any], GigContext, dict[Any, Any], dict[Any, Any], dict[Any, Any], JobQueue[Any]
]
