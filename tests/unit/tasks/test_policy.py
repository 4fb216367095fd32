"""The pure task rules: control spacing, deadlines, labels, typed answers, medians."""

from __future__ import annotations

import datetime as dt
from fractions import Fraction

import pytest

from gigbot import scoring
from gigbot.tasks import policy
from gigbot.tasks.policy import TextProblem


def _positions(ratio: float, count: int, seed: int, *, probation: bool = False) -> list[int]:
    """Where controls land when every due control is served."""
    controls, out = 0, []
    for n in range(count):
        if policy.control_due(n, controls, ratio, probation=probation, seed=seed):
            controls += 1
            out.append(n)
    return out


@pytest.mark.parametrize("ratio", [0.05, 0.1, 0.15, 0.25, 1 / 3, 0.5])
@pytest.mark.parametrize("seed", [1, 2, 99])
def test_control_share_is_exact(ratio: float, seed: int) -> None:
    for count in (10, 100, 1000):
        got = len(_positions(ratio, count, seed))
        exact = count * Fraction(ratio).limit_denominator(10_000)
        assert got in (int(exact), int(exact) + 1), (count, got)


def test_one_control_per_block_at_a_seeded_place() -> None:
    positions = _positions(0.1, 200, seed=7)
    assert [p // 10 for p in positions] == list(range(20))  # exactly one in each block of ten
    offsets = {p % 10 for p in positions}
    assert len(offsets) > 3  # not a fixed every-tenth pattern


def test_workers_get_different_patterns() -> None:
    a = _positions(0.1, 100, seed=policy.worker_seed(1, 1))
    b = _positions(0.1, 100, seed=policy.worker_seed(2, 1))
    assert a != b
    assert a == _positions(0.1, 100, seed=policy.worker_seed(1, 1))  # deterministic


def test_probation_doubles_the_share_up_to_all() -> None:
    assert policy.effective_ratio(0.1, probation=True) == Fraction(1, 5)
    assert policy.effective_ratio(0.1, probation=False) == Fraction(1, 10)
    assert policy.effective_ratio(0.7, probation=True) == 1
    assert policy.effective_ratio(0.0, probation=True) == 0
    assert len(_positions(0.1, 100, seed=3, probation=True)) == 20


def test_a_missed_control_stays_due() -> None:
    # a control that could not be served (or was skipped) is asked again at the next answer
    first = _positions(0.1, 10, seed=5)[0]
    assert policy.control_due(first + 1, 0, 0.1, probation=False, seed=5)
    assert not policy.control_due(first + 1, 1, 0.1, probation=False, seed=5)


def test_no_controls_without_a_ratio() -> None:
    assert _positions(0.0, 100, seed=1) == []
    assert policy.control_target(0, Fraction(1, 10), 1) == 0


def test_lease_deadline() -> None:
    now = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    assert policy.lease_deadline(now, 10) == now + dt.timedelta(minutes=10)
    assert policy.lease_deadline(now, 0.5) == now + dt.timedelta(seconds=30)


def test_label_value_and_toggles() -> None:
    labels = [{"value": "pos"}, {"value": "neg"}]
    assert scoring.label_values(labels) == ["pos", "neg"]
    assert policy.label_value(labels, 1) == "neg"
    assert policy.label_value(labels, 2) is None
    assert policy.label_value(labels, -1) is None
    order = ["a", "b", "c"]
    assert policy.toggled([], "c", True, order) == ["c"]
    assert policy.toggled(["c"], "a", True, order) == ["a", "c"]
    assert policy.toggled(["a", "c"], "a", True, order) == ["a", "c"]  # idempotent
    assert policy.toggled(["a", "c"], "a", False, order) == ["c"]
    assert policy.toggled(["c"], "b", False, order) == ["c"]


@pytest.mark.parametrize(
    ("text", "problem"),
    [(None, TextProblem.EMPTY), ("", TextProblem.EMPTY), (" \n ", TextProblem.EMPTY),
     ("안녕하세요", None), ("x" * 1000, None), ("x" * 1001, TextProblem.TOO_LONG)],
)
def test_text_answers(text: str | None, problem: TextProblem | None) -> None:
    assert policy.check_text_answer(text, 1000) is problem


def test_answer_limit() -> None:
    assert policy.answer_limit(None) == 1000
    assert policy.answer_limit({"max_answer_chars": 200}) == 200
    assert policy.answer_limit({"max_answer_chars": True}) == 1000


def test_median_seconds() -> None:
    assert policy.median_seconds([]) is None
    assert policy.median_seconds([3.0, 1.0, 2.0]) == 2.0
    assert policy.median_seconds([1.0, 2.0, 3.0, 10.0]) == 2.5
