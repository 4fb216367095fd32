"""Texts, plurals, English fallback, money and times in the reader's language and zone."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest

from gigbot import i18n
from gigbot.i18n import Translator, lang_of, money, t, when

TOY_EN = """
[toy]
hello = "Hello, {name}!"
only_en = "Only in English"
[toy.items]
zero = "No items"
one = "One item"
other = "{count} items"
"""
TOY_KO = """
[toy]
hello = "안녕하세요, {name}님!"
[toy.items]
other = "항목 {count}개"
"""


@pytest.fixture
def toy_locales(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    (tmp_path / "en.toml").write_text(TOY_EN, encoding="utf-8")
    (tmp_path / "ko.toml").write_text(TOY_KO, encoding="utf-8")
    monkeypatch.setattr(i18n, "LOCALE_DIR", tmp_path)
    i18n.catalog.cache_clear()
    yield tmp_path
    i18n.catalog.cache_clear()


@pytest.mark.parametrize(
    ("lang", "count", "text"),
    [("en", 0, "No items"), ("en", 1, "One item"), ("en", 2, "2 items"),
     ("en", 1200, "1,200 items"), ("ko", 0, "No items"), ("ko", 1, "항목 1개"),
     ("ko", 1200, "항목 1,200개")],
)
def test_plural_forms(toy_locales: Path, lang: str, count: int, text: str) -> None:
    assert t(lang, "toy.items", count=count) == text


def test_placeholders_and_english_fallback(toy_locales: Path) -> None:
    assert t("ko", "toy.hello", name="민지") == "안녕하세요, 민지님!"
    assert t("ko", "toy.only_en") == "Only in English"
    assert t("fr", "toy.hello", name="Ann") == "Hello, Ann!"  # unknown language: English


def test_a_missing_key_raises(toy_locales: Path) -> None:
    with pytest.raises(KeyError, match=r"toy\.nothing"):
        t("en", "toy.nothing")


@pytest.mark.parametrize(
    ("code", "lang"),
    [("ko", "ko"), ("ko-KR", "ko"), ("KO", "ko"), ("en", "en"), ("en-US", "en"), ("de", "en"),
     (None, "en"), ("", "en")],
)
def test_lang_of_telegram_language_codes(code: str | None, lang: str) -> None:
    assert lang_of(code) == lang


@pytest.mark.parametrize(
    ("amount", "currency", "lang", "text"),
    [(1234567, "KRW", "ko", "1,234,567원"), (1234567, "KRW", "en", "₩1,234,567"),
     (30, "KRW", "en", "₩30"), (1999, "USD", "en", "$19.99"), (0, "KRW", "ko", "0원")],
)
def test_money_in_minor_units(amount: int, currency: str, lang: str, text: str) -> None:
    assert money(amount, currency, lang) == text


def test_times_are_shown_in_the_reader_zone() -> None:
    moment = dt.datetime(2026, 3, 2, 12, 0, tzinfo=dt.UTC)

    assert when(moment, "Asia/Seoul", "ko", fmt="short").endswith("9:00")  # 21:00 KST
    assert "26. 3. 2." in when(moment, "Asia/Seoul", "ko", fmt="short")
    assert "7:00" in when(moment, "America/New_York", "en", fmt="short")  # 07:00 EST
    assert "3/3/26" in when(moment + dt.timedelta(hours=3), "Asia/Tokyo", "en", fmt="short")


def test_translator_for_one_reader() -> None:
    reader = Translator("ko", "Asia/Seoul", "KRW")

    assert reader("onboarding.button.agree") == "동의해요"
    assert reader.money(30) == "30원"
    assert reader.pick({"en": "Review sentiment", "ko": "리뷰 감정 분류"}) == "리뷰 감정 분류"
    assert reader.pick({"en": "Only English"}) == "Only English"
    assert reader.pick("plain") == "plain"
    assert reader.pick(None) == ""
    assert Translator("fr").lang == "en"
