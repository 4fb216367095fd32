"""Telegram's parse modes as the emulator validates them: texts, entities, error strings."""

from __future__ import annotations

import pytest

from gigbot.emulator import EntityParseError, format_text
from gigbot.emulator.parse import parse_html, parse_markdown, parse_markdown_v2, utf16_len


@pytest.mark.parametrize(
    ("source", "text", "entities"),
    [
        ("<b>bold</b> plain", "bold plain", [("bold", 0, 4)]),
        (
            "<strong>a</strong><em>b</em><ins>c</ins><del>d</del>",
            "abcd",
            [("bold", 0, 1), ("italic", 1, 1), ("underline", 2, 1), ("strikethrough", 3, 1)],
        ),
        ("&lt;tag&gt; &amp; &quot;q&quot; &#65;&#x42;", '<tag> & "q" AB', []),
        ("a & b; x&y", "a & b; x&y", []),
        ('<a href="https://example.com">site</a>', "site", [("text_link", 0, 4)]),
        (
            '<span class="tg-spoiler">s</span><tg-spoiler>t</tg-spoiler>',
            "st",
            [("spoiler", 0, 1), ("spoiler", 1, 1)],
        ),
        ("<b>😀x</b>", "😀x", [("bold", 0, 3)]),
        ("<b></b>empty", "empty", []),
        ("<B>upper</B>", "upper", [("bold", 0, 5)]),
    ],
)
def test_html_gives_text_and_entities(
    source: str, text: str, entities: list[tuple[str, int, int]]
) -> None:
    parsed = parse_html(source)
    assert parsed.text == text
    assert [(e["type"], e["offset"], e["length"]) for e in parsed.entities] == entities


def test_html_pre_with_code_language_is_one_pre_entity() -> None:
    parsed = parse_html('<pre><code class="language-python">x = 1</code></pre>')
    assert parsed.entities == ({"type": "pre", "offset": 0, "length": 5, "language": "python"},)


@pytest.mark.parametrize(
    ("source", "error"),
    [
        ("a < b", 'Unsupported start tag "" at byte offset 2'),
        ("<br>", 'Unsupported start tag "br" at byte offset 0'),
        ("가<div>x</div>", 'Unsupported start tag "div" at byte offset 3'),
        ("<b>open", 'Can\'t find end tag corresponding to start tag "b"'),
        ("<b>x</i>", 'Unmatched end tag at byte offset 4, expected "</b>", found "</i>"'),
        ("x</b>", "Unexpected end tag at byte offset 1"),
        ("<b", "Unclosed start tag at byte offset 0"),
        ('<span class="x">s</span>', 'Tag "span" must have class "tg-spoiler" at byte offset 0'),
    ],
)
def test_html_errors_match_telegram(source: str, error: str) -> None:
    with pytest.raises(EntityParseError) as caught:
        parse_html(source)
    assert caught.value.description == error


@pytest.mark.parametrize(
    ("source", "text", "entities"),
    [
        (
            "*b* _i_ __u__ ~s~ ||p|| `c`",
            "b i u s p c",
            [
                ("bold", 0, 1),
                ("italic", 2, 1),
                ("underline", 4, 1),
                ("strikethrough", 6, 1),
                ("spoiler", 8, 1),
                ("code", 10, 1),
            ],
        ),
        ("Version 1\\.0\\!", "Version 1.0!", []),
        ("[link](https://example.com/a\\)b)", "link", [("text_link", 0, 4)]),
        ("*bold _both_*", "bold both", [("bold", 0, 9), ("italic", 5, 4)]),
        ("`a.b-c`", "a.b-c", [("code", 0, 5)]),
        ("```python\nprint(1)```", "print(1)", [("pre", 0, 8)]),
        (">quoted\n>lines\nafter", "quoted\nlines\nafter", [("blockquote", 0, 12)]),
    ],
)
def test_markdown_v2_gives_text_and_entities(
    source: str, text: str, entities: list[tuple[str, int, int]]
) -> None:
    parsed = format_text(source, "MarkdownV2")
    assert parsed.text == text
    got = [(e["type"], e["offset"], e["length"]) for e in parsed.entities]
    assert sorted(got) == sorted(entities)


@pytest.mark.parametrize("char", list("]()>#+-=|{}.!"))
def test_markdown_v2_reserved_characters_must_be_escaped(char: str) -> None:
    """Characters that open no entity (``_*[~``` ` `` do; see the unclosed cases)."""
    source = f"x {char}"
    with pytest.raises(EntityParseError) as caught:
        parse_markdown_v2(source)
    assert caught.value.description == (
        f"Character '{char}' is reserved and must be escaped with the preceding '\\'"
    )
    assert parse_markdown_v2(f"x \\{char}").text == f"x {char}"


@pytest.mark.parametrize(
    ("source", "error"),
    [
        ("🏟 🏟_abacaba", "Can't find end of Italic entity at byte offset 9"),
        ("🏟 🏟_abac * asd ", "Can't find end of Bold entity at byte offset 15"),
        ("🏟 🏟`", "Can't find end of Code entity at byte offset 9"),
        ("🏟 🏟```", "Can't find end of Pre entity at byte offset 9"),
        ("🏟 🏟```a ", "Can't find end of PreCode entity at byte offset 9"),
        ("🏟 🏟_🏟 🏟__", "Can't find end of Underline entity at byte offset 19"),
        ("[a](http://x", "Can't find end of a URL at byte offset 4"),
    ],
)
def test_markdown_v2_unclosed_entities_match_telegram(source: str, error: str) -> None:
    with pytest.raises(EntityParseError) as caught:
        parse_markdown_v2(source)
    assert caught.value.description == error


def test_legacy_markdown() -> None:
    parsed = parse_markdown("*b* _i_ `c` [t](http://u) a\\_b")
    assert parsed.text == "b i c t a_b"
    assert [e["type"] for e in parsed.entities] == ["bold", "italic", "code", "text_link"]
    with pytest.raises(EntityParseError, match="starting at byte offset 0"):
        parse_markdown("*open")


def test_whitespace_is_trimmed_and_entities_follow() -> None:
    parsed = format_text("  \n<b>hi</b> there \n", "HTML")
    assert parsed.text == "hi there"
    assert parsed.entities == ({"type": "bold", "offset": 0, "length": 2},)
    assert format_text(" \n ", None).text == ""


def test_unknown_parse_mode_is_refused() -> None:
    with pytest.raises(ValueError, match="unsupported parse_mode"):
        format_text("x", "XML")


def test_given_entities_out_of_range_are_dropped() -> None:
    parsed = format_text(
        "abc",
        None,
        [{"type": "bold", "offset": 1, "length": 2}, {"type": "bold", "offset": 2, "length": 5}],
    )
    assert parsed.entities == ({"type": "bold", "offset": 1, "length": 2},)


def test_utf16_length_counts_astral_characters_twice() -> None:
    assert utf16_len("a가😀") == 4
