"""Telegram's formatting: parse_mode HTML, MarkdownV2 and Markdown into text plus entities.

The parsers follow the Bot API server's rules (tdlib) closely enough that a text Telegram
refuses is refused here with the same description, and a text it accepts gives the same plain
text and entities. Entity offsets and lengths are in UTF-16 code units, as in the Bot API.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "EntityParseError",
    "FormattedText",
    "format_text",
    "parse_html",
    "parse_markdown",
    "parse_markdown_v2",
    "utf16_len",
]

Entity = dict[str, Any]

_SPACES = " \t\r\n\x0b\x0c"
_HTML_TAGS = {
    "a": "text_link",
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "u": "underline",
    "ins": "underline",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
    "tg-emoji": "custom_emoji",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
}
_HTML_NAMED = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_MD2_RESERVED = frozenset("_*[]()~`>#+-=|{}.!")
_MD2_NAMES = {
    "bold": "Bold",
    "italic": "Italic",
    "underline": "Underline",
    "strikethrough": "Strikethrough",
    "spoiler": "Spoiler",
    "code": "Code",
    "pre": "Pre",
    "text_link": "TextUrl",
    "custom_emoji": "CustomEmoji",
}


class EntityParseError(ValueError):
    """Telegram's ``can't parse entities: <description>``."""

    def __init__(self, description: str) -> None:
        super().__init__(description)
        self.description = description


@dataclass(frozen=True, slots=True)
class FormattedText:
    """A message text as Telegram stores it: plain text and its entities."""

    text: str
    entities: tuple[Entity, ...] = field(default=())


def utf16_len(text: str) -> int:
    """Length in UTF-16 code units (characters above U+FFFF count twice)."""
    return len(text) + sum(1 for ch in text if ord(ch) > 0xFFFF)


class _Builder:
    """Output text with a running UTF-16 offset."""

    __slots__ = ("entities", "parts", "units")

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.units = 0
        self.entities: list[Entity] = []

    def add(self, text: str) -> None:
        self.parts.append(text)
        self.units += utf16_len(text)

    def entity(self, kind: str, start: int, **extra: Any) -> None:
        if self.units > start:
            self.entities.append({"type": kind, "offset": start, "length": self.units - start})
            self.entities[-1].update(extra)

    def result(self) -> FormattedText:
        for entity in self.entities:
            if entity["type"] == "code":
                entity.pop("language", None)  # only <pre><code class="language-…"> keeps it
        ordered = sorted(self.entities, key=lambda e: (e["offset"], -e["length"]))
        return FormattedText("".join(self.parts), tuple(ordered))


def _byte_offset(src: str, index: int) -> int:
    return len(src[:index].encode("utf-8"))


def _html_entity(src: str, i: int) -> tuple[str | None, int]:
    """Decode ``&name;`` or ``&#N;`` at ``src[i]``; (None, i) when it is not one."""
    end = src.find(";", i + 1, i + 12)
    if end < 0:
        return None, i
    body = src[i + 1 : end]
    if body.startswith("#"):
        digits = body[1:]
        try:
            if digits[:1] in ("x", "X"):
                code = int(digits[1:], 16)
            else:
                code = int(digits, 10) if digits.isdigit() else -1
        except ValueError:
            return None, i
        if not 0 < code <= 0x10FFFF or 0xD800 <= code <= 0xDFFF:
            return None, i
        return chr(code), end + 1
    char = _HTML_NAMED.get(body)
    return (char, end + 1) if char is not None else (None, i)


def parse_html(src: str) -> FormattedText:
    """Parse ``parse_mode=HTML``; raises EntityParseError with Telegram's description."""
    out = _Builder()
    stack: list[tuple[str, str, int]] = []  # tag, argument, start offset
    i, n = 0, len(src)
    while i < n:
        ch = src[i]
        if ch == "&":
            decoded, j = _html_entity(src, i)
            out.add(decoded if decoded is not None else "&")
            i = j if decoded is not None else i + 1
            continue
        if ch != "<":
            j = i + 1
            while j < n and src[j] not in "<&":
                j += 1
            out.add(src[i:j])
            i = j
            continue
        begin = i
        if i + 1 < n and src[i + 1] == "/":
            i = _html_end_tag(src, begin, stack, out)
        else:
            i = _html_start_tag(src, begin, stack, out)
    if stack:
        raise EntityParseError(f'Can\'t find end tag corresponding to start tag "{stack[-1][0]}"')
    return out.result()


def _html_end_tag(src: str, begin: int, stack: list[tuple[str, str, int]], out: _Builder) -> int:
    n = len(src)
    if not stack:
        raise EntityParseError(f"Unexpected end tag at byte offset {_byte_offset(src, begin)}")
    i = begin + 2
    while i < n and src[i] not in _SPACES and src[i] != ">":
        i += 1
    name = src[begin + 2 : i].lower()
    while i < n and src[i] in _SPACES:
        i += 1
    if i >= n or src[i] != ">":
        raise EntityParseError(f"Unclosed end tag at byte offset {_byte_offset(src, begin)}")
    tag, argument, start = stack.pop()
    if name and name != tag:
        raise EntityParseError(
            f"Unmatched end tag at byte offset {_byte_offset(src, begin)}, "
            f'expected "</{tag}>", found "</{name}>"'
        )
    _html_entity_for(tag, argument, start, out)
    return i + 1


def _html_entity_for(tag: str, argument: str, start: int, out: _Builder) -> None:
    kind = _HTML_TAGS[tag]
    if kind == "text_link":
        if argument:
            out.entity("text_link", start, url=argument)
    elif kind == "custom_emoji":
        out.entity("custom_emoji", start, custom_emoji_id=argument)
    elif kind == "code" and argument:
        out.entity("code", start)
        out.entities[-1]["language"] = argument  # merged into an enclosing <pre> below
    elif kind == "pre":
        inner = out.entities[-1] if out.entities else None
        if (
            inner is not None
            and inner["type"] == "code"
            and inner["offset"] == start
            and inner["offset"] + inner["length"] == out.units
        ):
            out.entities.pop()
            language = inner.get("language")
            out.entity("pre", start, **({"language": language} if language else {}))
        else:
            out.entity("pre", start)
    elif kind == "blockquote" and argument == "expandable":
        out.entity("expandable_blockquote", start)
    else:
        out.entity(kind, start)


def _html_start_tag(src: str, begin: int, stack: list[tuple[str, str, int]], out: _Builder) -> int:
    n = len(src)
    offset = _byte_offset(src, begin)
    i = begin + 1
    while i < n and src[i] not in _SPACES and src[i] != ">":
        i += 1
    if i >= n:
        raise EntityParseError(f"Unclosed start tag at byte offset {offset}")
    tag = src[begin + 1 : i].lower()
    if tag not in _HTML_TAGS:
        raise EntityParseError(f'Unsupported start tag "{tag}" at byte offset {offset}')
    argument = ""
    while True:
        while i < n and src[i] in _SPACES:
            i += 1
        if i >= n:
            raise EntityParseError(f"Unclosed start tag at byte offset {offset}")
        if src[i] == ">":
            break
        name_start = i
        while i < n and src[i] not in _SPACES and src[i] not in "=>":
            i += 1
        name = src[name_start:i].lower()
        if not name:
            raise EntityParseError(
                f'Empty attribute name in the tag "{tag}" at byte offset {offset}'
            )
        while i < n and src[i] in _SPACES:
            i += 1
        if i < n and src[i] != "=" and tag == "blockquote" and name == "expandable":
            argument = "expandable"
            continue
        if i >= n or src[i] != "=":
            raise EntityParseError(
                "Expected equal sign in declaration of an attribute of the tag "
                f'"{tag}" at byte offset {offset}'
            )
        i += 1
        while i < n and src[i] in _SPACES:
            i += 1
        if i >= n:
            raise EntityParseError(f"Unclosed start tag at byte offset {offset}")
        value, i = _html_attribute_value(src, i)
        if i >= n:
            raise EntityParseError(f"Unclosed start tag at byte offset {offset}")
        if tag == "a" and name == "href":
            argument = value
        elif tag == "code" and name == "class" and value.startswith("language-"):
            argument = value[len("language-") :]
        elif tag == "span" and name == "class" and value.startswith("tg-"):
            argument = value[len("tg-") :]
        elif tag == "tg-emoji" and name == "emoji-id":
            argument = value
    if tag == "span" and argument != "spoiler":
        raise EntityParseError(f'Tag "span" must have class "tg-spoiler" at byte offset {offset}')
    stack.append((tag, argument, out.units))
    return i + 1


def _html_attribute_value(src: str, i: int) -> tuple[str, int]:
    n = len(src)
    if src[i] not in "'\"":
        start = i
        while i < n and (src[i].isalnum() or src[i] in ".-"):
            i += 1
        if i < n and src[i] not in _SPACES and src[i] != ">":
            raise EntityParseError(
                f"Unexpected end of name token at byte offset {_byte_offset(src, start)}"
            )
        return src[start:i].lower(), i
    quote = src[i]
    i += 1
    chars: list[str] = []
    while i < n and src[i] != quote:
        if src[i] == "&":
            decoded, j = _html_entity(src, i)
            if decoded is not None:
                chars.append(decoded)
                i = j
                continue
        chars.append(src[i])
        i += 1
    if i < n:
        i += 1
    return "".join(chars), i


def _md2_closes(kind: str, src: str, i: int) -> bool:
    ch = src[i]
    nxt = src[i + 1 : i + 2]
    if kind == "bold":
        return ch == "*"
    if kind == "italic":
        return ch == "_" and nxt != "_"
    if kind == "underline":
        return src.startswith("__", i)
    if kind == "strikethrough":
        return ch == "~"
    if kind == "spoiler":
        return src.startswith("||", i)
    if kind == "code":
        return ch == "`"
    if kind == "pre":
        return src.startswith("```", i)
    return ch == "]"  # text_link, custom_emoji


def parse_markdown_v2(src: str) -> FormattedText:
    """Parse ``parse_mode=MarkdownV2``; raises EntityParseError with Telegram's description."""
    out = _Builder()
    stack: list[tuple[str, int, int, str]] = []  # kind, start offset, source index, argument
    quote: tuple[int, bool] | None = None  # start offset, expandable
    i, n = 0, len(src)
    while i < n:
        ch = src[i]
        kind = stack[-1][0] if stack else None
        in_code = kind in ("code", "pre")
        if not in_code and (i == 0 or src[i - 1] == "\n"):
            if src.startswith("**>", i) or ch == ">":
                if quote is None:
                    quote = (out.units, src.startswith("**>", i))
                i += 3 if src.startswith("**>", i) else 1
                continue
            if quote is not None:
                _close_quote(out, quote)
                quote = None
        if ch == "\\" and i + 1 < n and 0 < ord(src[i + 1]) <= 126:
            out.add(src[i + 1])
            i += 2
            continue
        if ch not in _MD2_RESERVED or (in_code and ch != "`"):
            out.add(ch)
            i += 1
            continue
        if kind is not None and _md2_closes(kind, src, i):
            i = _md2_close(src, i, stack, out)
            continue
        i = _md2_open(src, i, stack, out)
    if stack:
        kind, _, index, argument = stack[-1]
        name = "PreCode" if kind == "pre" and argument else _MD2_NAMES[kind]
        raise EntityParseError(
            f"Can't find end of {name} entity at byte offset {_byte_offset(src, index)}"
        )
    if quote is not None:
        _close_quote(out, quote)
    return out.result()


def _close_quote(out: _Builder, quote: tuple[int, bool]) -> None:
    start, expandable = quote
    text = "".join(out.parts)
    end = out.units - (1 if text.endswith("\n") else 0)
    if end > start:
        kind = "expandable_blockquote" if expandable else "blockquote"
        out.entities.append({"type": kind, "offset": start, "length": end - start})


def _md2_open(src: str, i: int, stack: list[tuple[str, int, int, str]], out: _Builder) -> int:
    ch, nxt, begin = src[i], src[i + 1 : i + 2], i
    argument = ""
    if ch == "_" and nxt == "_":
        kind, i = "underline", i + 2
    elif ch == "_":
        kind, i = "italic", i + 1
    elif ch == "*":
        kind, i = "bold", i + 1
    elif ch == "~":
        kind, i = "strikethrough", i + 1
    elif ch == "|" and nxt == "|":
        kind, i = "spoiler", i + 2
    elif ch == "[":
        kind, i = "text_link", i + 1
    elif ch == "!" and nxt == "[":
        kind, i = "custom_emoji", i + 2
    elif src.startswith("```", i):
        kind, i = "pre", i + 3
        end = i
        while end < len(src) and src[end] not in _SPACES and src[end] != "`":
            end += 1
        if end != i and end < len(src) and src[end] != "`":
            argument, i = src[i:end], end
        if src[i : i + 1] in ("\n", "\r"):
            i += 2 if src[i : i + 2] in ("\r\n", "\n\r") else 1
    elif ch == "`":
        kind, i = "code", i + 1
    else:
        raise EntityParseError(
            f"Character '{ch}' is reserved and must be escaped with the preceding '\\'"
        )
    stack.append((kind, out.units, begin, argument))
    return i


def _md2_close(src: str, i: int, stack: list[tuple[str, int, int, str]], out: _Builder) -> int:
    kind, start, _, argument = stack.pop()
    if kind in ("underline", "spoiler"):
        out.entity(kind, start)
        return i + 2
    if kind == "pre":
        out.entity("pre", start, **({"language": argument} if argument else {}))
        return i + 3
    if kind not in ("text_link", "custom_emoji"):
        out.entity(kind, start)
        return i + 1
    text = "".join(out.parts)
    url = ""
    if src[i + 1 : i + 2] == "(":
        i += 2
        url_start = i
        chars: list[str] = []
        while i < len(src) and src[i] != ")":
            if src[i] == "\\" and i + 1 < len(src) and 0 < ord(src[i + 1]) <= 126:
                chars.append(src[i + 1])
                i += 2
                continue
            chars.append(src[i])
            i += 1
        if i >= len(src):
            raise EntityParseError(
                f"Can't find end of a URL at byte offset {_byte_offset(src, url_start)}"
            )
        url = "".join(chars)
    else:
        url = text[len(text) - (out.units - start) :] if out.units > start else ""
    if kind == "custom_emoji":
        out.entity("custom_emoji", start, custom_emoji_id=url.rpartition("id=")[2])
    elif url:
        out.entity("text_link", start, url=url)
    return i + 1


def parse_markdown(src: str) -> FormattedText:
    """Parse the legacy ``parse_mode=Markdown``: *bold* _italic_ `code` ```pre``` [text](url)."""
    out = _Builder()
    i, n = 0, len(src)
    while i < n:
        ch = src[i]
        if ch == "\\" and src[i + 1 : i + 2] in ("_", "*", "`", "["):
            out.add(src[i + 1])
            i += 2
            continue
        if ch not in "_*`[":
            out.add(ch)
            i += 1
            continue
        begin = i
        end_char = "]" if ch == "[" else ch
        is_pre = src.startswith("```", i)
        i += 3 if is_pre else 1
        language = ""
        if is_pre:
            eol = src.find("\n", i)
            if eol > i and "`" not in src[i:eol] and " " not in src[i:eol]:
                language, i = src[i:eol], eol + 1
        start = out.units
        while i < n and (src[i] != end_char or (is_pre and not src.startswith("```", i))):
            out.add(src[i])
            i += 1
        if i >= n:
            raise EntityParseError(
                f"Can't find end of the entity starting at byte offset {_byte_offset(src, begin)}"
            )
        i += 3 if is_pre else 1
        if is_pre:
            out.entity("pre", start, **({"language": language} if language else {}))
        elif ch == "[":
            url = ""
            if src[i : i + 1] == "(":
                close = src.find(")", i)
                if close >= 0:
                    url, i = src[i + 1 : close], close + 1
            if url:
                out.entity("text_link", start, url=url)
        else:
            out.entity({"*": "bold", "_": "italic", "`": "code"}[ch], start)
    return out.result()


def _trim(formatted: FormattedText) -> FormattedText:
    """Drop leading and trailing whitespace as Telegram does, keeping entities aligned."""
    text = formatted.text
    stripped = text.strip(_SPACES)
    if stripped == text:
        return formatted
    if not stripped:
        return FormattedText("")
    left = utf16_len(text[: len(text) - len(text.lstrip(_SPACES))])
    size = utf16_len(stripped)
    entities: list[Entity] = []
    for entity in formatted.entities:
        begin = max(entity["offset"] - left, 0)
        end = min(entity["offset"] + entity["length"] - left, size)
        if end > begin:
            entities.append({**entity, "offset": begin, "length": end - begin})
    return FormattedText(stripped, tuple(entities))


def _given_entities(text: str, entities: object) -> tuple[Entity, ...]:
    if not isinstance(entities, list):
        return ()
    size = utf16_len(text)
    kept: list[Entity] = []
    for entity in entities:
        if not isinstance(entity, dict):
            continue
        offset, length = entity.get("offset"), entity.get("length")
        if not isinstance(entity.get("type"), str) or not isinstance(offset, int):
            continue
        if isinstance(length, int) and length > 0 and offset >= 0 and offset + length <= size:
            kept.append(dict(entity))
    return tuple(kept)


def format_text(text: str, parse_mode: str | None, entities: object = None) -> FormattedText:
    """The text Telegram would store for ``text`` under ``parse_mode`` (or given entities).

    Raises:
        EntityParseError: the markup is malformed (Telegram's ``can't parse entities``).
        ValueError: an unknown parse mode (Telegram's ``unsupported parse_mode``).
    """
    mode = (parse_mode or "").strip().lower()
    if not mode:
        formatted = FormattedText(text, _given_entities(text, entities))
    elif mode == "html":
        formatted = parse_html(text)
    elif mode == "markdownv2":
        formatted = parse_markdown_v2(text)
    elif mode == "markdown":
        formatted = parse_markdown(text)
    else:
        raise ValueError("unsupported parse_mode")
    return _trim(formatted)
