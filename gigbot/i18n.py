"""Texts from ``locales/<lang>.toml`` (dotted keys, ``{named}`` placeholders), money and dates.

``t("tasks.left", count=3)`` picks the plural form (``.one``/``.other``, ``.zero`` when given) by
Babel's rules for the language; amounts go through ``money()`` and times through ``when()``, both
in the reader's language and time zone. A key missing in a language falls back to English.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_date, format_datetime
from babel.numbers import format_currency, format_decimal, get_currency_precision

__all__ = [
    "LANGUAGES", "Translator", "catalog", "flatten", "money", "t", "translator", "when"
]

LOCALE_DIR = Path(__file__).with_name("locales")
LANGUAGES: tuple[str, ...] = ("en", "ko")
_BABEL = {"en": "en_US", "ko": "ko_KR"}


def flatten(table: Mapping[str, Any], prefix: str = "") -> dict[str, str]:
    """A TOML table's texts by dotted key (``{"a": {"b": "x"}}`` → ``{"a.b": "x"}``)."""
    out: dict[str, str] = {}
    for key, value in table.items():
        if isinstance(value, Mapping):
            out.update(flatten(value, f"{prefix}{key}."))
        else:
            out[f"{prefix}{key}"] = str(value)
    return out


@cache
def catalog(lang: str) -> dict[str, str]:
    """Every text of one language, by dotted key."""
    with (LOCALE_DIR / f"{lang}.toml").open("rb") as fh:
        return flatten(tomllib.load(fh))


def lang_of(code: str | None) -> str:
    """gigbot's language for a Telegram ``language_code`` (Korean, else English)."""
    return "ko" if code and code.lower().startswith("ko") else "en"


def t(lang: str, key: str, /, count: int | None = None, **params: Any) -> str:
    """The text ``key`` in ``lang`` with ``params`` filled in; ``count`` selects the plural."""
    cat = catalog(lang if lang in LANGUAGES else "en")
    fallback = catalog("en")
    if count is not None:
        if count == 0 and f"{key}.zero" in fallback:
            form = "zero"
        else:
            form = Locale.parse(_BABEL.get(lang, "en_US")).plural_form(count)
        key = f"{key}.{form}" if f"{key}.{form}" in fallback else f"{key}.other"
        params["count"] = format_decimal(count, locale=_BABEL.get(lang, "en_US"))
    text = cat.get(key) or fallback.get(key)
    if text is None:
        raise KeyError(f"no text {key!r} in locales")
    return text.format(**params)


def money(amount: int, currency: str, lang: str) -> str:
    """An integer amount in minor units, formatted for the reader (``30원`` / ``₩30``)."""
    digits = int(get_currency_precision(currency))
    value = amount / (10**digits) if digits else amount
    if lang == "ko" and currency == "KRW":
        return f"{format_decimal(value, locale='ko_KR')}원"
    return str(format_currency(value, currency, locale=_BABEL.get(lang, "en_US")))


def when(moment: dt.datetime, tz: str, lang: str, *, fmt: str = "medium") -> str:
    """An aware UTC time shown in the reader's zone and language."""
    local = moment.astimezone(ZoneInfo(tz))
    return str(format_datetime(local, format=fmt, tzinfo=ZoneInfo(tz), locale=_BABEL[lang]))


class Translator:
    """Texts, money and times for one reader: their language, time zone and our currency."""

    __slots__ = ("currency", "lang", "tz")

    def __init__(self, lang: str, tz: str = "Asia/Seoul", currency: str = "KRW") -> None:
        self.lang = lang if lang in LANGUAGES else "en"
        self.tz = tz
        self.currency = currency

    def __call__(self, key: str, /, count: int | None = None, **params: Any) -> str:
        """The text ``key`` for this reader."""
        return t(self.lang, key, count, **params)

    def money(self, amount: int) -> str:
        """An amount in minor units for this reader."""
        return money(amount, self.currency, self.lang)

    def when(self, moment: dt.datetime, *, fmt: str = "medium") -> str:
        """A UTC time in this reader's zone."""
        return when(moment, self.tz, self.lang, fmt=fmt)

    def day(self, day: dt.date) -> str:
        """A calendar day in this reader's language (``Jan 5, 2026`` / ``2026. 1. 5.``)."""
        return str(format_date(day, format="medium", locale=_BABEL[self.lang]))

    def pick(self, texts: Mapping[str, str] | str | None) -> str:
        """The reader's version of a ``{"en": ..., "ko": ...}`` text from a project file."""
        if texts is None:
            return ""
        if isinstance(texts, str):
            return texts
        return texts.get(self.lang) or texts.get("en") or next(iter(texts.values()), "")


def translator(lang: str, tz: str = "Asia/Seoul", currency: str = "KRW") -> Translator:
    """A Translator for one reader."""
    return Translator(lang, tz, currency)
