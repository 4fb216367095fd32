"""Validation of project and quiz files (pure): TOML settings and items into plain values.

Every problem becomes one ``ImportFileError`` (``file:line: field: problem``) collected in
``Problems``; nothing here touches the database or the disk. DESIGN.md §4 is the format;
docs/import.md lists every key and its default.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any

from gigbot.catalog.files import TomlDoc, member_path
from gigbot.catalog.states import Acceptance
from gigbot.errors import ImportFileError

__all__ = [
    "ImportRejected",
    "ItemsSource",
    "Problems",
    "ProjectSpec",
    "QuizSpec",
    "bilingual_problem",
    "is_int",
    "project_spec",
    "quiz_spec",
    "show",
]

SLUG = re.compile(r"^[a-z0-9-]{3,40}$")
KINDS = ("classification", "transcription")
ACCEPT = tuple(policy.value for policy in Acceptance)
MAX_LABELS = 12
MAX_LABEL_BYTES = 32  # a label value must never break a callback codec (64 bytes in all)
MAX_ERRORS = 20

_PROJECT_KEYS = frozenset({
    "slug", "kind", "title", "instructions", "labels", "multi_label", "reward", "overlap",
    "max_overlap", "confidence", "gold_ratio", "qualification", "min_accuracy", "accept",
    "hold_days", "lease_minutes", "rules", "items", "item", "review_reward",
})
_QUIZ_KEYS = frozenset({
    "slug", "kind", "title", "instructions", "labels", "multi_label", "pass_score", "questions",
    "cooldown_hours", "max_attempts", "training", "exam",
})
_MISSING: Any = object()


class ImportRejected(ImportFileError):
    """A file with errors: nothing was imported. ``str()`` is the first error's line."""

    def __init__(self, errors: Sequence[ImportFileError], total: int | None = None) -> None:
        first = errors[0]
        super().__init__(first.file, first.line, first.field, first.problem)
        self.errors = list(errors)
        self.total = total if total is not None else len(errors)


class Problems:
    """The errors found so far (the first ``limit`` kept, all counted)."""

    def __init__(self, limit: int = MAX_ERRORS) -> None:
        self.errors: list[ImportFileError] = []
        self.total = 0
        self.limit = limit

    def add(self, error: ImportFileError) -> None:
        """Record one error."""
        self.total += 1
        if len(self.errors) < self.limit:
            self.errors.append(error)

    def __bool__(self) -> bool:
        return self.total > 0

    def raise_if_any(self) -> None:
        """Raise ``ImportRejected`` when anything was found."""
        if self.errors:
            raise ImportRejected(self.errors, self.total)


def show(value: Any) -> str:
    """A value as the file wrote it, shortened for a one-line message."""
    text = json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= 40 else text[:37] + "..."


def _type_name(value: Any) -> str:
    return {bool: "a boolean", int: "an integer", float: "a number", str: "a string",
            list: "a list", dict: "a table"}.get(type(value), type(value).__name__)


def is_int(value: Any) -> bool:
    """An int that is not a bool (TOML and JSON booleans are ints in Python)."""
    return isinstance(value, int) and not isinstance(value, bool)


class _Table:
    """Typed access to one TOML table that reports problems with the key's line."""

    def __init__(self, doc: TomlDoc, data: Mapping[str, Any], problems: Problems) -> None:
        self.doc, self.data, self.problems = doc, data, problems

    def line(self, key: str) -> int | None:
        return self.doc.lines.line(key)

    def error(self, key: str, problem: str, line: int | None = None) -> None:
        self.problems.add(ImportFileError(self.doc.name, line or self.line(key), key, problem))

    def unknown(self, allowed: frozenset[str]) -> None:
        for key in self.data:
            if key not in allowed:
                self.error(key, "unknown key (see docs/import.md for the keys)")

    def raw(self, key: str, default: Any) -> Any:
        value = self.data.get(key, _MISSING)
        if value is _MISSING and default is _MISSING:
            self.error(key, "missing; this key is required")
        return default if value is _MISSING else value

    def string(self, key: str, default: Any = _MISSING) -> str | None:
        value = self.raw(key, default)
        if value is _MISSING or value is None:
            return None
        if not isinstance(value, str):
            self.error(key, f"expected a string, got {_type_name(value)} {show(value)}")
            return None
        return value

    def integer(self, key: str, default: Any = _MISSING, *, minimum: int = 0) -> int | None:
        value = self.raw(key, default)
        if value is _MISSING:
            return None
        if not is_int(value):
            self.error(key, f"expected an integer, got {_type_name(value)} {show(value)}")
            return None
        if value < minimum:
            self.error(key, f"{value} is below {minimum}")
            return None
        return int(value)

    def number(self, key: str, default: Any = _MISSING, *, lo: float = 0.0,
               hi: float | None = 1.0, open_lo: bool = False) -> float | None:
        value = self.raw(key, default)
        if value is _MISSING:
            return None
        if not isinstance(value, int | float) or isinstance(value, bool):
            self.error(key, f"expected a number, got {_type_name(value)} {show(value)}")
            return None
        if (value <= lo if open_lo else value < lo) or (hi is not None and value > hi):
            if hi is None:
                self.error(key, f"{value:g} is below {lo:g}")
            else:
                self.error(key, f"{value:g} is outside {'(' if open_lo else '['}{lo:g}, {hi:g}]")
            return None
        return float(value)

    def boolean(self, key: str, default: bool) -> bool:
        value = self.raw(key, default)
        if not isinstance(value, bool):
            self.error(key, f"expected true or false, got {show(value)}")
            return default
        return value

    def choice(self, key: str, choices: Sequence[str], default: Any = _MISSING) -> str | None:
        value = self.string(key, default)
        if value is not None and value not in choices:
            self.error(key, f"{show(value)} is not one of {', '.join(choices)}")
            return None
        return value

    def text(self, key: str, default: Any = _MISSING) -> dict[str, str] | None:
        """A text for readers: a string (both languages) or a table with en and ko."""
        value = self.raw(key, default)
        if value is _MISSING:
            return None
        problem = bilingual_problem(value)
        if problem:
            self.error(key, problem)
            return None
        return {"en": value, "ko": value} if isinstance(value, str) else dict(value)


def bilingual_problem(value: Any) -> str | None:
    """Why ``value`` is not a string or an ``{en, ko}`` table of strings (None when it is)."""
    if isinstance(value, str):
        return None
    if not isinstance(value, Mapping):
        return f"expected a string or {{ en = ..., ko = ... }}, got {_type_name(value)}"
    missing = [lang for lang in ("en", "ko") if not isinstance(value.get(lang), str)]
    extra = sorted(set(value) - {"en", "ko"})
    if missing:
        return f"needs a string for {' and '.join(missing)}"
    if extra:
        return f"unknown language {', '.join(extra)} (use en and ko)"
    return None


# ----- labels and the items source


def _labels(table: _Table, kind: str | None, multi: bool) -> list[dict[str, str]]:
    raw = table.data.get("labels")
    if kind == "transcription":
        if raw:
            table.error("labels", "a transcription has no labels; remove them")
        return []
    if raw is None:
        table.error("labels", "missing; a classification needs labels")
        return []
    if not isinstance(raw, list) or not all(isinstance(x, dict) for x in raw):
        table.error("labels", "expected a list of { value = ..., en = ..., ko = ... }")
        return []
    least = 1 if multi else 2
    if len(raw) < least:
        table.error("labels", f"empty or too few: give at least {least}")
    if len(raw) > MAX_LABELS:
        table.error("labels", f"{len(raw)} labels; at most {MAX_LABELS} fit on the buttons")
    start = table.line("labels")
    out: list[dict[str, str]] = []
    seen: set[str] = set()
    for index, label in enumerate(raw):
        value = label.get("value")
        where = table.doc.lines.line("value", f"labels#{index}")
        if where is None:  # an inline table in the labels array: the index-th "value ="
            where = table.doc.lines.find(r"\bvalue\s*=", start, nth=index)
        field = f"labels[{index}]"
        if not isinstance(value, str) or not value.strip():
            table.error(field, "value: missing or not a string", where)
            continue
        if ":" in value or any(ch < " " for ch in value):
            table.error(field, f"value {show(value)} must not contain ':' or control characters",
                        where)
        if len(value.encode()) > MAX_LABEL_BYTES:
            table.error(field, f"value {show(value)} is over {MAX_LABEL_BYTES} bytes", where)
        if value in seen:
            table.error(field, f"value {show(value)} is used twice", where)
        seen.add(value)
        for lang in ("en", "ko"):
            if not isinstance(label.get(lang), str) or not label[lang].strip():
                table.error(field, f"{lang}: missing; every label needs en and ko names", where)
        for extra in sorted(set(label) - {"value", "en", "ko"}):
            table.error(field, f"{extra}: unknown key (a label has value, en, ko)", where)
        out.append({"value": value, "en": str(label.get("en")), "ko": str(label.get("ko"))})
    return out


@dataclass(frozen=True, slots=True)
class ItemsSource:
    """Where a file's items are: a JSONL file in the bundle, or inline TOML tables."""

    field: str  # the TOML key that named them: items | training | exam
    file: PurePosixPath | None
    inline: tuple[Mapping[str, Any], ...]
    table: str  # the TOML array-of-tables name of inline items (item, training, exam)


def _source(table: _Table, names: Sequence[str]) -> ItemsSource | None:
    given = [name for name in names if name in table.data]
    field = names[0]
    if len(given) > 1:
        table.error(given[1], f"give the items once: {field} = \"file.jsonl\" or [[{names[-1]}]]")
        return None
    if not given:
        table.error(field, f"missing; give {field} = \"{field}.jsonl\" or [[{names[-1]}]] tables")
        return None
    value = table.data[given[0]]
    if isinstance(value, str):
        rel = member_path(value)
        if rel is None:
            table.error(given[0], f"{show(value)} is not a relative path inside the folder")
            return None
        return ItemsSource(field, rel, (), given[0])
    if isinstance(value, list) and all(isinstance(x, dict) for x in value):
        return ItemsSource(field, None, tuple(value), given[0])
    table.error(given[0], f"expected a file name or [[{given[0]}]] tables, got {show(value)}")
    return None


# ----- projects and quizzes


@dataclass(frozen=True, slots=True)
class ProjectSpec:
    """A valid project file's settings."""

    slug: str
    kind: str
    title: dict[str, str]
    instructions: dict[str, str]
    labels: list[dict[str, str]]
    multi_label: bool
    reward: int
    overlap: int
    max_overlap: int
    confidence: float
    gold_ratio: float
    qualification: str | None
    min_accuracy: float
    accept: str
    hold_days: int
    lease_minutes: float
    rules: dict[str, Any]
    items: ItemsSource
    review_reward: int = 0  # minor units per review decision (accept = "review")


@dataclass(frozen=True, slots=True)
class QuizSpec:
    """A valid quiz file's settings."""

    slug: str
    kind: str
    title: dict[str, str]
    instructions: dict[str, str]
    labels: list[dict[str, str]]
    multi_label: bool
    pass_score: float
    questions: int
    cooldown_hours: float
    max_attempts: int
    training: ItemsSource
    exam: ItemsSource


def _common(table: _Table) -> tuple[str | None, str | None, bool]:
    slug = table.string("slug")
    if slug is not None and not SLUG.match(slug):
        table.error("slug", f"{show(slug)} does not match [a-z0-9-]{{3,40}}")
        slug = None
    kind = table.choice("kind", KINDS)
    multi = table.boolean("multi_label", False)
    if multi and kind == "transcription":
        table.error("multi_label", "a transcription cannot be multi-label")
    return slug, kind, multi


def project_spec(doc: TomlDoc, problems: Problems) -> ProjectSpec | None:
    """The settings of a project file, or None with the problems recorded."""
    table = _Table(doc, doc.data, problems)
    before = problems.total
    table.unknown(_PROJECT_KEYS)
    slug, kind, multi = _common(table)
    title = table.text("title")
    instructions = table.text("instructions", "")
    labels = _labels(table, kind, multi)
    reward = table.integer("reward")
    overlap = table.integer("overlap", 3, minimum=1)
    max_overlap = table.integer("max_overlap", overlap or 1, minimum=1)
    if overlap is not None and max_overlap is not None and overlap > max_overlap:
        table.error("overlap", f"{overlap} is above max_overlap {max_overlap}")
    confidence = table.number("confidence", 0.9)
    gold_ratio = table.number("gold_ratio", 0.1)
    qualification = table.string("qualification", None)
    if qualification is not None and not SLUG.match(qualification):
        table.error("qualification", f"{show(qualification)} is not a quiz slug")
    min_accuracy = table.number("min_accuracy", 0.8)
    accept = table.choice("accept", ACCEPT, Acceptance.AUTO.value)
    hold_days = table.integer("hold_days", 0)
    review_reward = table.integer("review_reward", 0)
    lease_minutes = table.number("lease_minutes", 10, lo=0, hi=24 * 60, open_lo=True)
    rules = _rules(table, kind)
    items = _source(table, ("items", "item"))
    if problems.total > before:
        return None
    if (slug is None or kind is None or title is None or instructions is None or items is None
            or reward is None or overlap is None or max_overlap is None or accept is None
            or hold_days is None or confidence is None or gold_ratio is None
            or min_accuracy is None or lease_minutes is None or rules is None
            or review_reward is None):
        raise RuntimeError("a project field passed its checks without a value")
    return ProjectSpec(slug, kind, title, instructions, labels, multi, reward, overlap,
                       max_overlap, confidence, gold_ratio, qualification, min_accuracy, accept,
                       hold_days, lease_minutes, rules, items, review_reward=review_reward)


def _rules(table: _Table, kind: str | None) -> dict[str, Any] | None:
    raw = table.data.get("rules", {})
    if not isinstance(raw, dict):
        table.error("rules", f"expected a [rules] table, got {show(raw)}")
        return None
    rules = dict(raw)
    if kind == "transcription":
        rules.setdefault("cer_threshold", 0.1)
    cer = rules.get("cer_threshold")
    if cer is not None and (not isinstance(cer, int | float) or isinstance(cer, bool)
                            or not 0 <= cer <= 1):
        line = table.doc.lines.line("cer_threshold", "rules")
        table.error("rules.cer_threshold", f"{show(cer)} is not a number in [0, 1]", line)
        return None
    problem = _scoring_rules_problem(rules)
    if problem:
        key, message = problem
        line = table.doc.lines.line(key, "rules") if key else table.doc.lines.line("", "rules")
        table.error(f"rules.{key}" if key else "rules", message, line)
        return None
    return rules


def _scoring_rules_problem(rules: Mapping[str, Any]) -> tuple[str, str] | None:
    """What the scoring library says of ``rules`` (when it offers a validator)."""
    try:
        from gigbot.scoring import rules as scoring_rules
    except ImportError:
        return None
    from_mapping: Callable[[Mapping[str, Any]], object] | None = getattr(
        getattr(scoring_rules, "Rules", None), "from_mapping", None
    )
    if from_mapping is None:
        return None
    try:
        from_mapping(rules)
    except (ValueError, TypeError, KeyError) as exc:
        message = str(exc).strip("'\"") or type(exc).__name__
        key = next((k for k in rules if k in message), "")
        return key, message.removeprefix(f"rules.{key} ").removeprefix(f"{key} ")
    return None


def quiz_spec(doc: TomlDoc, problems: Problems) -> QuizSpec | None:
    """The settings of a quiz file, or None with the problems recorded."""
    table = _Table(doc, doc.data, problems)
    before = problems.total
    table.unknown(_QUIZ_KEYS)
    slug, kind, multi = _common(table)
    title = table.text("title")
    instructions = table.text("instructions", "")
    labels = _labels(table, kind, multi)
    pass_score = table.number("pass_score")
    questions = table.integer("questions", minimum=1)
    cooldown = table.number("cooldown_hours", 24, hi=None)
    max_attempts = table.integer("max_attempts", 3, minimum=1)
    training = _source(table, ("training",))
    exam = _source(table, ("exam",))
    if problems.total > before:
        return None
    if (slug is None or kind is None or title is None or instructions is None
            or pass_score is None or questions is None or cooldown is None
            or max_attempts is None or training is None or exam is None):
        raise RuntimeError("a quiz field passed its checks without a value")
    return QuizSpec(slug, kind, title, instructions, labels, multi, pass_score, questions,
                    cooldown, max_attempts, training, exam)
