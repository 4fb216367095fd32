"""The balanced exam draw: shares per label, the remainder, impossibility, no repeats."""

from __future__ import annotations

import random
from collections import Counter

import pytest

from gigbot.qualification.draw import balanced_draw, can_draw_balanced, label_quotas


def by_label(**counts: int) -> dict[str, list[str]]:
    return {label: [f"{label}{n}" for n in range(count)] for label, count in counts.items()}


def test_even_split_is_exact_and_shuffled() -> None:
    items = by_label(pos=6, neg=6)
    drawn = balanced_draw(items, 6, random.Random(1))
    assert Counter(x[:3] for x in drawn) == {"pos": 3, "neg": 3}
    assert len(set(drawn)) == 6
    orders = {tuple(balanced_draw(items, 6, random.Random(seed))) for seed in range(20)}
    assert len(orders) > 1  # different seeds, different draws
    assert balanced_draw(items, 6, random.Random(7)) == balanced_draw(items, 6, random.Random(7))


@pytest.mark.parametrize(
    ("counts", "questions", "quotas"),
    [
        ({"a": 5, "b": 5, "c": 5}, 7, {"a": 3, "b": 2, "c": 2}),  # tie: label order
        ({"a": 2, "b": 9, "c": 4}, 5, {"a": 1, "b": 2, "c": 2}),  # remainder to the biggest
        ({"a": 3, "b": 3}, 1, {"a": 1, "b": 0}),
        ({"a": 4, "b": 0, "c": 4}, 4, {"a": 2, "c": 2}),  # empty labels take no part
    ],
)
def test_quotas(counts: dict[str, int], questions: int, quotas: dict[str, int]) -> None:
    assert label_quotas(counts, questions) == quotas


def test_quotas_sum_to_questions() -> None:
    rng = random.Random(3)
    for _ in range(200):
        counts = {f"l{n}": rng.randint(0, 6) for n in range(rng.randint(1, 5))}
        questions = rng.randint(1, 12)
        if any(counts.values()):
            assert sum(label_quotas(counts, questions).values()) == questions


@pytest.mark.parametrize(
    ("counts", "questions", "possible"),
    [
        ({"pos": 6, "neg": 6}, 6, True),
        ({"pos": 6, "neg": 6}, 12, True),
        ({"pos": 6, "neg": 6}, 13, False),
        ({"pos": 7, "neg": 1}, 4, False),  # neg needs 2
        ({"pos": 7, "neg": 2}, 5, True),  # pos takes the remainder
        ({"pos": 2, "neg": 7}, 5, True),
        ({"a": 2, "b": 2, "c": 1}, 5, True),
        ({"a": 2, "b": 1, "c": 1}, 5, False),  # the remainder reaches b, which has 1
        ({}, 1, False),
        ({"pos": 0}, 1, False),
        ({"pos": 3}, 0, False),
    ],
)
def test_can_draw_balanced(counts: dict[str, int], questions: int, possible: bool) -> None:
    assert can_draw_balanced(counts, questions) is possible


def test_impossible_draw_raises() -> None:
    with pytest.raises(ValueError, match="label 'neg' has 1 items and needs 2"):
        balanced_draw(by_label(pos=7, neg=1), 4, random.Random(0))
    with pytest.raises(ValueError, match="at least 1"):
        balanced_draw(by_label(pos=3), 0, random.Random(0))


def test_every_feasible_draw_has_no_repeats_and_the_right_shares() -> None:
    rng = random.Random(11)
    for _ in range(300):
        counts = {f"l{n}": rng.randint(0, 5) for n in range(rng.randint(1, 4))}
        questions = rng.randint(1, 10)
        if not can_draw_balanced(counts, questions):
            continue
        drawn = balanced_draw(by_label(**counts), questions, rng)
        assert len(drawn) == len(set(drawn)) == questions
        shares = Counter(x.rstrip("0123456789") for x in drawn)
        assert max(shares.values()) - min(shares.values()) <= 1
