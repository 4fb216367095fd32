"""Messages a service wants delivered to a user other than (or besides) the one it answers.

Services return ``Notice`` values (plain data: recipient, language, zone, a locale key and its
parameters, optional buttons); handlers and jobs deliver them after the transaction commits with
``gigbot.handlers.common.send_notices``. ``Money`` and ``datetime`` parameters are rendered in the
recipient's currency format and time zone.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from gigbot.i18n import Translator

__all__ = ["Money", "Notice", "NoticeButton", "render_params"]


@dataclass(frozen=True, slots=True)
class Money:
    """An amount in minor units, to be shown in the reader's currency format."""

    amount: int


@dataclass(frozen=True, slots=True)
class NoticeButton:
    """A button under a notice: a locale key for its caption and packed callback data."""

    key: str
    data: str


@dataclass(frozen=True, slots=True)
class Notice:
    """One message for one user, rendered in their language."""

    chat_id: int
    lang: str
    tz: str
    key: str
    params: Mapping[str, Any] = field(default_factory=dict)
    buttons: tuple[NoticeButton, ...] = ()


def render_params(t: Translator, params: Mapping[str, Any]) -> dict[str, Any]:
    """Parameters ready for ``str.format``: times in the reader's zone, money in their format."""
    out: dict[str, Any] = {}
    for name, value in params.items():
        if isinstance(value, Money):
            out[name] = t.money(value.amount)
        elif isinstance(value, dt.datetime):
            out[name] = t.when(value, fmt="short")
        elif isinstance(value, Mapping) and set(value) <= {"en", "ko"}:
            out[name] = t.pick(value)
        else:
            out[name] = value
    return out
