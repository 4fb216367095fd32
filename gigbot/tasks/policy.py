"""Pure rules of the task engine: when a control item is due, lease deadlines, answer checks.

Nothing here awaits or touches the database, so every rule is unit-tested on plain values.

Control spacing (DESIGN §6, "interleaved at gold_ratio and look exactly like other items"):
with an effective ratio ``r`` (``gold_ratio``, doubled on probation, at most 1) the answers of
a worker in a project are cut into consecutive blocks of ``1/r`` positions and each block holds
exactly one control position, drawn from a hash of (worker, project, block). So after ``n``
answers the worker has been due ``floor(n·r)`` or ``floor(n·r) + 1`` controls: the share is
exact, while the place of the control inside its block is not predictable from the position
(a worker who counts items learns nothing, and two workers see different patterns).
The rule is "due while fewer controls were answered than the target for the next answer", so a
skipped or unavailable control is simply served later: skipping cannot dodge the checks.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import statistics
from collections.abc import Iterable, Mapping, Sequence
from enum import StrEnum
from fractions import Fraction
from typing import Any

__all__ = [
    "DEFAULT_ANSWER_CHARS",
    "REPORTS_TO_PAUSE",
    "REPORT_REASONS",
    "TextProblem",
    "answer_limit",
    "check_text_answer",
    "control_due",
    "control_target",
    "effective_ratio",
    "label_value",
    "lease_deadline",
    "median_seconds",
    "toggled",
    "worker_seed",
]

DEFAULT_ANSWER_CHARS = 1000
REPORT_REASONS: tuple[str, ...] = ("unclear", "offensive", "broken")
REPORTS_TO_PAUSE = 3
_RATIO_DENOMINATOR = 10_000


def effective_ratio(gold_ratio: float, *, probation: bool) -> Fraction:
    """The share of control items a worker gets: doubled on probation, within [0, 1]."""
    ratio = Fraction(gold_ratio).limit_denominator(_RATIO_DENOMINATOR)
    if probation:
        ratio *= 2
    return min(max(ratio, Fraction(0)), Fraction(1))


def worker_seed(worker_id: int, project_id: int) -> int:
    """A stable 64-bit seed for one worker in one project."""
    digest = hashlib.blake2b(f"{worker_id}:{project_id}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big")


def _offset(seed: int, block: int) -> Fraction:
    """Where, in [0, 1), the control of ``block`` sits inside it (a hash of seed and block)."""
    digest = hashlib.blake2b(f"{seed}:{block}".encode(), digest_size=8).digest()
    return Fraction(int.from_bytes(digest, "big"), 2**64)


def control_target(answers: int, ratio: Fraction, seed: int) -> int:
    """How many controls are due among the first ``answers`` answers.

    Control ``k`` sits at position ``floor((k + u_k) / r)`` with ``u_k`` in [0, 1) from the seed,
    one per block ``[k/r, (k+1)/r)``. It is among the first ``answers`` positions exactly when
    ``k + u_k < answers·r``: every block before ``floor(answers·r)`` is, and the current one
    is when its offset is below the fractional part.
    """
    if answers <= 0 or ratio <= 0:
        return 0
    scaled = answers * ratio
    whole = scaled.numerator // scaled.denominator
    return whole + (1 if _offset(seed, whole) < scaled - whole else 0)


def control_due(
    answered: int, controls: int, gold_ratio: float, *, probation: bool, seed: int
) -> bool:
    """True when the next item served should be a control item.

    ``answered``: the worker's answers in the project; ``controls``: how many of them were to
    control items.
    """
    ratio = effective_ratio(gold_ratio, probation=probation)
    return controls < control_target(answered + 1, ratio, seed)


def lease_deadline(now: dt.datetime, minutes: float) -> dt.datetime:
    """When a lease served ``now`` expires."""
    return now + dt.timedelta(minutes=minutes)


def label_value(labels: Sequence[Mapping[str, Any]], choice: int) -> str | None:
    """The value of label button ``choice``, or None for an index that is not a button."""
    if 0 <= choice < len(labels):
        return str(labels[choice]["value"])
    return None


def toggled(chosen: Iterable[str], value: str, on: bool, order: Sequence[str]) -> list[str]:
    """The chosen label values after setting ``value`` on or off, in the labels' order."""
    picked = set(chosen)
    if on:
        picked.add(value)
    else:
        picked.discard(value)
    return [v for v in order if v in picked]


class TextProblem(StrEnum):
    """Why a typed answer is refused (the lease stays open)."""

    EMPTY = "empty"
    TOO_LONG = "too_long"


def answer_limit(rules: Mapping[str, Any] | None) -> int:
    """The longest transcription a project accepts (``max_answer_chars``, default 1000)."""
    value = (rules or {}).get("max_answer_chars")
    if isinstance(value, int) and not isinstance(value, bool) and value > 0:
        return value
    return DEFAULT_ANSWER_CHARS


def check_text_answer(text: str | None, limit: int) -> TextProblem | None:
    """None when ``text`` is an acceptable transcription, else why not."""
    stripped = (text or "").strip()
    if not stripped:
        return TextProblem.EMPTY
    if len(stripped) > limit:
        return TextProblem.TOO_LONG
    return None


def median_seconds(seconds: Iterable[float]) -> float | None:
    """The median answer time, or None when there is no answer yet."""
    values = list(seconds)
    return float(statistics.median(values)) if values else None
