"""Items of project and quiz files (pure): validate each one, stream them twice, find duplicates.

The first pass (``check_project`` / ``check_quiz``) reads every item once, checks it and its media
and records an 8-byte hash of its key; duplicate keys are found by sorting that array (8 MB for
a million items instead of a set of strings) and, only when two hashes are equal, a second look
that names both lines. Nothing is written. ``rows()`` is the second pass used inside the import
transaction: the same items again, with media paths pointing into the media store.
"""

from __future__ import annotations

import hashlib
from array import array
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from gigbot.catalog.files import Bundle, MediaChecker, TomlDoc, iter_jsonl, read_toml
from gigbot.catalog.specs import (
    ImportRejected,
    ItemsSource,
    Problems,
    ProjectSpec,
    QuizSpec,
    bilingual_problem,
    is_int,
    project_spec,
    quiz_spec,
    show,
)
from gigbot.errors import ImportFileError
from gigbot.qualification.draw import can_draw_balanced, label_quotas

__all__ = [
    "CheckedProject",
    "CheckedQuiz",
    "ItemRow",
    "ItemRules",
    "Scan",
    "check_item",
    "check_project",
    "check_quiz",
    "rows",
]

MAX_TEXT = 4000  # a Telegram message is 4096 characters; the rest is for the instructions
MAX_CAPTION_CONTEXT = 1000  # context of a photo or audio item goes in a caption (1024)
MAX_KEY = 200
_ITEM_KEYS = ("key", "text", "image", "audio", "context", "gold", "explanation")


@dataclass(frozen=True, slots=True)
class ItemRules:
    """What an item of this file must look like."""

    kind: str
    labels: tuple[str, ...]
    multi_label: bool
    gold_required: bool


@dataclass(frozen=True, slots=True)
class ItemRow:
    """A valid item as written in the file (media still as paths inside the bundle)."""

    key: str
    text: str | None
    image: str | None
    audio: str | None
    context: str | None
    gold: Any
    explanation: str | dict[str, str] | None

    @property
    def is_control(self) -> bool:
        """Items with gold are control items."""
        return self.gold is not None


def check_item(raw: Mapping[str, Any], rules: ItemRules, file: str,
               line_of: Callable[[str], int | None], problems: Problems) -> ItemRow | None:
    """The item, or None with its problems recorded (each naming the file, line and field)."""
    before = problems.total

    def error(field: str, problem: str) -> None:
        problems.add(ImportFileError(file, line_of(field), field, problem))

    for extra in raw:
        if extra not in _ITEM_KEYS:
            error(extra, f"unknown key (an item has {', '.join(_ITEM_KEYS)})")
    key = raw.get("key")
    if key is None:
        error("key", "missing; every item needs a unique key")
    elif not (isinstance(key, str) or is_int(key)) or not str(key).strip():
        error("key", f"expected a non-empty string, got {show(key)}")
    elif len(str(key)) > MAX_KEY:
        error("key", f"longer than {MAX_KEY} characters")
    content = [f for f in ("text", "image", "audio") if raw.get(f) is not None]
    if not content:
        error("text", "missing: an item has one of text, image, audio")
    elif len(content) > 1:
        error(content[1], f"an item has one of text, image, audio, not {' and '.join(content)}")
    else:
        _check_content(raw, content[0], rules.kind, error)
    _check_gold(raw.get("gold"), rules, error)
    explanation = raw.get("explanation")
    if explanation is not None:
        problem = bilingual_problem(explanation)
        if problem:
            error("explanation", problem)
    if problems.total > before:
        return None
    return ItemRow(str(key), raw.get("text"), raw.get("image"), raw.get("audio"),
                   raw.get("context"), raw.get("gold"), explanation)


def _check_content(raw: Mapping[str, Any], field: str, kind: str,
                   error: Callable[[str, str], None]) -> None:
    value = raw[field]
    if not isinstance(value, str) or not value.strip():
        error(field, f"expected a non-empty string, got {show(value)}")
        return
    if kind == "classification" and field == "audio":
        error(field, "a classification item is a text or an image")
    if kind == "transcription" and field == "text":
        error(field, "a transcription item needs audio or an image to transcribe")
    context = raw.get("context")
    if context is not None and not isinstance(context, str):
        error("context", f"expected a string, got {show(context)}")
        context = None
    if field == "text" and len(value) > MAX_TEXT:
        error("text", f"{len(value)} characters; at most {MAX_TEXT} fit in a message")
    elif field == "text" and context and len(value) + len(context) > MAX_TEXT:
        error("context", f"text and context together are over {MAX_TEXT} characters")
    elif field != "text" and context and len(context) > MAX_CAPTION_CONTEXT:
        error("context", f"over {MAX_CAPTION_CONTEXT} characters (it goes in a caption)")


def _check_gold(gold: Any, rules: ItemRules, error: Callable[[str, str], None]) -> None:
    if gold is None:
        if rules.gold_required:
            error("gold", "missing; quiz items need gold")
        return
    allowed = ", ".join(rules.labels)
    if rules.kind == "transcription":
        if not isinstance(gold, str) or not gold.strip():
            error("gold", f"expected the reference transcription as a string, got {show(gold)}")
        elif len(gold) > MAX_TEXT:
            error("gold", f"longer than {MAX_TEXT} characters")
    elif rules.multi_label:
        if not isinstance(gold, list) or not gold:
            error("gold", f"expected a non-empty list of label values, got {show(gold)}")
            return
        for value in gold:
            if value not in rules.labels:
                error("gold", f"{show(value)} is not one of {allowed}")
        if len(set(map(show, gold))) != len(gold):
            error("gold", "a label value is listed twice")
    elif not isinstance(gold, str):
        error("gold", f"expected one label value, got {show(gold)}")
    elif gold not in rules.labels:
        error("gold", f"{show(gold)} is not one of {allowed}")


# ----- the two passes

LineOf = Callable[[str], int | None]


def _records(bundle: Bundle, doc: TomlDoc, source: ItemsSource
             ) -> Iterator[tuple[str, Mapping[str, Any] | None, LineOf, ImportFileError | None]]:
    """(file, item, line of a field, error) for every item, inline or from a JSONL file."""
    if source.file is None:
        for index, raw in enumerate(source.inline):

            def line_of(key: str, table: str = f"{source.table}#{index}") -> int | None:
                return doc.lines.line(key, table)

            yield doc.name, raw, line_of, None
        return
    name = str(source.file)
    for record in iter_jsonl(bundle, source.file):

        def at_line(_key: str, line: int = record.line) -> int | None:
            return line

        yield name, record.value, at_line, record.error


def _key_of(raw: Mapping[str, Any]) -> str | None:
    key = raw.get("key")
    return str(key) if isinstance(key, str) or is_int(key) else None


def _key_hash(key: str) -> int:
    return int.from_bytes(hashlib.blake2b(key.encode(), digest_size=8).digest(), "little")


@dataclass(slots=True)
class Scan:
    """What the first pass over one items source found."""

    items: int = 0
    control: int = 0
    first_gold: Counter[str] = field(default_factory=Counter)  # balance of the exam draw
    hashes: array[int] = field(default_factory=lambda: array("Q"))


def _first_gold(gold: Any, rules: ItemRules) -> str:
    if rules.kind == "transcription":
        return ""
    return str(gold[0]) if isinstance(gold, list) else str(gold)


def scan_source(bundle: Bundle, doc: TomlDoc, source: ItemsSource, rules: ItemRules,
                media: MediaChecker, problems: Problems) -> Scan:
    """First pass: check every item and its media; find duplicate keys."""
    scan = Scan()
    if source.file is not None and not bundle.is_file(source.file):
        problems.add(ImportFileError(doc.name, doc.lines.line(source.table), source.field,
                                     f"{show(str(source.file))} is missing"))
        return scan
    for file, raw, line_of, error in _records(bundle, doc, source):
        if error is not None or raw is None:
            problems.add(error or ImportFileError(file, None, "item", "unreadable"))
            continue
        key = _key_of(raw)
        if key is not None:
            scan.hashes.append(_key_hash(key))
        row = check_item(raw, rules, file, line_of, problems)
        if row is None:
            continue
        for kind, path in (("image", row.image), ("audio", row.audio)):
            if path is not None:
                checked = media.check(path, kind)
                if isinstance(checked, str):
                    problems.add(ImportFileError(file, line_of(kind), kind, checked))
        scan.items += 1
        scan.control += row.is_control
        if row.gold is not None:
            scan.first_gold[_first_gold(row.gold, rules)] += 1
    if not scan.items and not problems:
        problems.add(ImportFileError(doc.name, doc.lines.line(source.table), source.field,
                                     "has no items"))
    _find_duplicates(bundle, doc, source, scan.hashes, problems)
    return scan


def _find_duplicates(bundle: Bundle, doc: TomlDoc, source: ItemsSource, hashes: array[int],
                     problems: Problems) -> None:
    """Sort the key hashes; only when two are equal, read the items again to name the lines."""
    if len(hashes) < 2:
        return
    ordered = np.sort(np.frombuffer(hashes, dtype=np.uint64))
    repeated = ordered[1:][ordered[1:] == ordered[:-1]]
    if not repeated.size:
        return
    suspects = {int(h) for h in np.unique(repeated)[: problems.limit * 4]}
    first_line: dict[str, int | None] = {}
    for file, raw, line_of, _error in _records(bundle, doc, source):
        key = _key_of(raw) if raw is not None else None
        if key is None or _key_hash(key) not in suspects:
            continue
        if key in first_line:
            where = f" (first on line {first_line[key]})" if first_line[key] else ""
            problems.add(ImportFileError(file, line_of("key"), "key",
                                         f"{show(key)} is used twice{where}"))
        else:
            first_line[key] = line_of("key")


def rows(bundle: Bundle, doc: TomlDoc, source: ItemsSource, rules: ItemRules,
         media: MediaChecker, store: str) -> Iterator[ItemRow]:
    """Second pass: the items again, media as paths in the store (relative to the data dir).

    The file was checked by the first pass; should it have changed since, the first problem
    is raised (inside the import transaction, which then rolls back).
    """
    problems = Problems()
    for file, raw, line_of, error in _records(bundle, doc, source):
        row = check_item(raw, rules, file, line_of, problems) if raw is not None else None
        if error is not None or row is None:
            raise ImportRejected(
                problems.errors or [error or ImportFileError(file, None, "item", "changed")]
            )
        image = _stored(media, row.image, "image", store)
        audio = _stored(media, row.audio, "audio", store)
        yield ItemRow(row.key, row.text, image, audio, row.context, row.gold, row.explanation)


def _stored(media: MediaChecker, path: str | None, kind: str, store: str) -> str | None:
    if path is None:
        return None
    checked = media.check(path, kind)
    if isinstance(checked, str):
        raise ImportRejected([ImportFileError(path, None, kind, checked)])
    return f"{store}/{checked.stored_name()}"


# ----- whole files


@dataclass(slots=True)
class CheckedProject:
    """A project file that passed every check that needs no database."""

    bundle: Bundle
    doc: TomlDoc
    spec: ProjectSpec
    rules: ItemRules
    media: MediaChecker
    scan: Scan


@dataclass(slots=True)
class CheckedQuiz:
    """A quiz file that passed every check that needs no database."""

    bundle: Bundle
    doc: TomlDoc
    spec: QuizSpec
    rules: ItemRules
    media: MediaChecker
    training: Scan
    exam: Scan


def check_project(bundle: Bundle, problems: Problems) -> CheckedProject | None:
    """Check a project file and all its items and media; None when a problem was recorded."""
    doc = read_toml(bundle)
    spec = project_spec(doc, problems)
    if spec is None:
        return None
    rules = ItemRules(spec.kind, tuple(lb["value"] for lb in spec.labels), spec.multi_label,
                      gold_required=False)
    media = MediaChecker(bundle)
    scan = scan_source(bundle, doc, spec.items, rules, media, problems)
    return None if problems else CheckedProject(bundle, doc, spec, rules, media, scan)


def check_quiz(bundle: Bundle, problems: Problems) -> CheckedQuiz | None:
    """Check a quiz file, its training and exam items, and that the exam draw can be made."""
    doc = read_toml(bundle)
    spec = quiz_spec(doc, problems)
    if spec is None:
        return None
    rules = ItemRules(spec.kind, tuple(lb["value"] for lb in spec.labels), spec.multi_label,
                      gold_required=True)
    media = MediaChecker(bundle)
    training = scan_source(bundle, doc, spec.training, rules, media, problems)
    exam = scan_source(bundle, doc, spec.exam, rules, media, problems)
    if exam.items and not problems:
        _check_exam(doc, spec, exam.first_gold, problems)
    return None if problems else CheckedQuiz(bundle, doc, spec, rules, media, training, exam)


def _check_exam(doc: TomlDoc, spec: QuizSpec, counts: Counter[str], problems: Problems) -> None:
    position = {label["value"]: index for index, label in enumerate(spec.labels)}
    ordered = {label: counts[label]
               for label in sorted(counts, key=lambda v: position.get(v, len(position)))}
    if can_draw_balanced(ordered, spec.questions):
        return
    quotas = label_quotas(ordered, spec.questions)
    short = next(label for label, quota in quotas.items() if quota > ordered[label])
    spread = ", ".join(f"{label} {count}" for label, count in ordered.items() if label)
    which = f"label {show(short)}" if short else "the exam"
    problems.add(ImportFileError(
        doc.name, doc.lines.line("questions"), "questions",
        f"{spec.questions} exam questions balanced over labels need {quotas[short]} items "
        f"for {which}, which has {ordered[short]}" + (f" (exam gold: {spread})" if spread else "")
    ))
