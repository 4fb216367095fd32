"""The balanced exam draw (pure): ``questions`` items spread as evenly as possible over labels.

With K labels each label gets ``questions // K`` items; the remainder goes one each to the labels
with the most items (ties by the mapping's order). A label with fewer items than its share makes
the draw impossible: ``can_draw_balanced`` says so up front (the importer refuses such a quiz)
and ``balanced_draw`` raises ``ValueError``. Labels with no items at all take no part (they are
not counted in K). For multi-label quizzes callers group items by their first gold label.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from typing import TypeVar

__all__ = ["balanced_draw", "can_draw_balanced", "label_quotas"]

T = TypeVar("T")


def label_quotas(counts_by_label: Mapping[str, int], questions: int) -> dict[str, int]:
    """How many items each label contributes to a draw of ``questions`` (may exceed a count)."""
    if questions < 1:
        raise ValueError(f"questions must be at least 1, got {questions}")
    labels = [label for label, count in counts_by_label.items() if count > 0]
    if not labels:
        raise ValueError("there are no items to draw from")
    share, remainder = divmod(questions, len(labels))
    order = {label: index for index, label in enumerate(labels)}
    by_size = sorted(labels, key=lambda label: (-counts_by_label[label], order[label]))
    quotas = dict.fromkeys(labels, share)
    for label in by_size[:remainder]:
        quotas[label] += 1
    return quotas


def can_draw_balanced(counts_by_label: Mapping[str, int], questions: int) -> bool:
    """True when a balanced draw of ``questions`` items can be made from these counts."""
    try:
        quotas = label_quotas(counts_by_label, questions)
    except ValueError:
        return False
    return all(quotas[label] <= counts_by_label[label] for label in quotas)


def balanced_draw(
    items_by_label: Mapping[str, Sequence[T]], questions: int, rng: random.Random
) -> list[T]:
    """``questions`` distinct items balanced over labels, in a shuffled order."""
    counts = {label: len(items) for label, items in items_by_label.items()}
    quotas = label_quotas(counts, questions)
    short = [label for label, quota in quotas.items() if quota > counts[label]]
    if short:
        raise ValueError(
            f"cannot draw {questions} balanced items: label {short[0]!r} has "
            f"{counts[short[0]]} items and needs {quotas[short[0]]}"
        )
    drawn: list[T] = []
    for label, quota in quotas.items():
        drawn.extend(rng.sample(list(items_by_label[label]), quota))
    rng.shuffle(drawn)
    return drawn
