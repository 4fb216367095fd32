"""Callback codecs: round trips, the 64-byte limit, strict parsing, unique prefixes."""

from __future__ import annotations

import dataclasses
import re
import typing

import pytest

from gigbot import callbacks
from gigbot.callbacks import (
    MAX_BYTES,
    AcceptTerms,
    Codec,
    ConfirmDelete,
    PickLanguage,
    PickZone,
    SettingsAction,
    codec,
)
from gigbot.errors import BadCallback

CODECS = sorted(
    (c for c in vars(callbacks).values()
     if isinstance(c, type) and issubclass(c, Codec) and c is not Codec),
    key=lambda c: c.PREFIX,
)


def sample(cls: type[Codec]) -> Codec:
    """An instance of ``cls`` with typical values."""
    values: list[object] = []
    for f in dataclasses.fields(cls):  # type: ignore[arg-type]
        kind = typing.get_type_hints(cls)[f.name]
        values.append(123456 if kind is int else "ko")
    return cls(*values)


def test_there_are_codecs() -> None:
    assert {PickLanguage, AcceptTerms, PickZone, SettingsAction, ConfirmDelete} <= set(CODECS)


def test_prefixes_are_unique_and_free_of_colons() -> None:
    prefixes = [c.PREFIX for c in CODECS]
    assert len(prefixes) == len(set(prefixes))
    assert all(":" not in p and p for p in prefixes)


@pytest.mark.parametrize("cls", CODECS, ids=lambda c: c.__name__)
def test_round_trip(cls: type[Codec]) -> None:
    value = sample(cls)
    data = value.pack()

    assert cls.parse(data) == value
    assert len(data.encode()) <= MAX_BYTES
    assert re.match(cls.pattern(), data)


@pytest.mark.parametrize("cls", CODECS, ids=lambda c: c.__name__)
def test_patterns_do_not_match_other_codecs(cls: type[Codec]) -> None:
    others = [sample(c).pack() for c in CODECS if c is not cls]
    assert [d for d in others if re.match(cls.pattern(), d)] == []


@pytest.mark.parametrize(
    ("cls", "data", "expected"),
    [(PickLanguage, "lang:ko", PickLanguage("ko")), (AcceptTerms, "terms", AcceptTerms()),
     (PickZone, "tz:3", PickZone(3)), (SettingsAction, "set:sum", SettingsAction("sum")),
     (ConfirmDelete, "del:0", ConfirmDelete(0))],
)
def test_the_sign_up_codecs_wire_format(cls: type[Codec], data: str, expected: Codec) -> None:
    assert cls.parse(data) == expected
    assert expected.pack() == data


@pytest.mark.parametrize(
    ("cls", "data"),
    [(PickZone, None), (PickZone, ""), (PickZone, "tz"), (PickZone, "tz:x"), (PickZone, "tz:1:2"),
     (PickZone, "lang:1"), (PickZone, "tz:" + "9" * 19), (PickLanguage, "lang:k o"),
     (PickLanguage, "lang:한국어"), (PickLanguage, "lang:" + "a" * 70), (AcceptTerms, "terms:1"),
     (ConfirmDelete, "del:1.0"), (SettingsAction, "zz:1")],
)
def test_parse_refuses_malformed_data(cls: type[Codec], data: str | None) -> None:
    with pytest.raises(BadCallback) as caught:
        cls.parse(data)

    assert caught.value.key == "errors.bad_button"


def test_pack_refuses_more_than_64_bytes_counting_utf8() -> None:
    @codec("zz")
    class Wide(Codec):
        text: str

    assert len(Wide("a" * 61).pack()) == 64
    with pytest.raises(ValueError, match="64 bytes"):
        Wide("a" * 62).pack()
    with pytest.raises(ValueError, match="64 bytes"):
        Wide("가" * 21).pack()  # 63 bytes of Hangul plus the prefix


def test_pack_refuses_a_colon_inside_a_field() -> None:
    with pytest.raises(ValueError, match="':'"):
        SettingsAction("a:b").pack()
