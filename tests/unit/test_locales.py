"""Every text exists in every language with the same placeholders; plurals are complete."""

from __future__ import annotations

import string
import tomllib
from pathlib import Path

import pytest

from gigbot.i18n import LANGUAGES, LOCALE_DIR, flatten

PLURAL_FORMS = ("zero", "one", "two", "few", "many", "other")
OPTIONAL_FORMS = frozenset(PLURAL_FORMS) - {"other"}  # Korean has only "other"


def flat(lang: str) -> dict[str, str]:
    with (LOCALE_DIR / f"{lang}.toml").open("rb") as fh:
        return flatten(tomllib.load(fh))


def fields(text: str) -> set[str]:
    """The ``{named}`` placeholders of a text (format specs and conversions ignored)."""
    return {name.split(".")[0].split("[")[0]
            for _, name, _, _ in string.Formatter().parse(text) if name is not None}


def plural_base(key: str) -> str | None:
    base, _, form = key.rpartition(".")
    return base if base and form in PLURAL_FORMS else None


def required_keys(catalog: dict[str, str]) -> set[str]:
    """Keys every language must have: all but optional plural forms (zero/one/...)."""
    return {k for k in catalog if not (plural_base(k) and k.rsplit(".", 1)[1] in OPTIONAL_FORMS)}


CATALOGS = {lang: flat(lang) for lang in LANGUAGES}
PAIRS = [(a, b) for a in LANGUAGES for b in LANGUAGES if a != b]


def test_the_locale_files_are_the_languages() -> None:
    assert sorted(p.stem for p in LOCALE_DIR.glob("*.toml")) == sorted(LANGUAGES)


@pytest.mark.parametrize(("lang", "other"), PAIRS)
def test_no_key_is_missing(lang: str, other: str) -> None:
    missing = sorted(required_keys(CATALOGS[lang]) - set(CATALOGS[other]))
    assert missing == [], f"in {other}.toml but only in {lang}.toml: {missing}"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_plural_has_other(lang: str) -> None:
    bases = {b for k in CATALOGS[lang] if (b := plural_base(k))}
    lacking = sorted(b for b in bases if f"{b}.other" not in CATALOGS[lang])
    assert lacking == []


@pytest.mark.parametrize(("lang", "other"), PAIRS)
def test_placeholders_match(lang: str, other: str) -> None:
    theirs = CATALOGS[other]
    wrong = []
    for key, text in CATALOGS[lang].items():
        base = plural_base(key)
        if key in theirs and base is None:
            if fields(text) != fields(theirs[key]):
                wrong.append((key, sorted(fields(text)), sorted(fields(theirs[key]))))
        elif base is not None:  # plural forms may drop {count} ("one answer")
            counterpart = theirs.get(key) or theirs.get(f"{base}.other", "")
            if fields(text) - {"count"} != fields(counterpart) - {"count"}:
                wrong.append((key, sorted(fields(text)), sorted(fields(counterpart))))
    assert wrong == []


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_text_parses(lang: str) -> None:
    broken = []
    for key, text in CATALOGS[lang].items():
        try:
            list(string.Formatter().parse(text))
        except ValueError:
            broken.append(key)
    assert broken == []


def test_the_checker_sees_placeholders_and_plurals() -> None:
    assert fields("{count} of {total:,} by {who!r} {{literal}}") == {"count", "total", "who"}
    assert plural_base("deleteme.answers.one") == "deleteme.answers"
    assert plural_base("settings.on") is None
    assert required_keys({"a.one": "x", "a.other": "y", "b": "z"}) == {"a.other", "b"}


@pytest.mark.parametrize(
    ("lang", "key", "needle"),
    [("en", "onboarding.language_name.en", "English"),
     ("en", "onboarding.language_name.ko", "한국어"),
     ("en", "onboarding.button.agree", "I agree"), ("ko", "onboarding.button.agree", "동의"),
     ("en", "settings.button.cancel", "Cancel"), ("ko", "settings.button.cancel", "취소"),
     ("en", "deleteme.button.cancel", "Cancel"), ("ko", "deleteme.button.cancel", "취소")],
)
def test_button_words_of_the_design(lang: str, key: str, needle: str) -> None:
    assert needle in CATALOGS[lang][key]


def _words(text: str) -> str:
    return "".join(literal for literal, _, _, _ in string.Formatter().parse(text))


def test_korean_texts_are_translated() -> None:
    ko, en = CATALOGS["ko"], CATALOGS["en"]
    same = sorted(
        k for k in ko
        if k.split(".")[0] in {"onboarding", "menu", "help", "settings", "deleteme", "fallback",
                               "commands", "errors"}
        and ko[k] == en.get(k) and any(c.isalpha() and c.isascii() for c in _words(ko[k]))
        and not k.startswith("onboarding.language_name.") and k != "onboarding.zone.utc"
    )
    assert same == []


def test_locales_symlink_points_at_the_package_files() -> None:
    top = Path(__file__).resolve().parents[2] / "locales"
    if not top.exists():
        pytest.skip("no top-level locales link in this checkout")
    assert (top / "en.toml").read_bytes() == (LOCALE_DIR / "en.toml").read_bytes()
