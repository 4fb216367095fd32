"""Votes: the live item decision, needs_more, weighted_vote, majority and gold-weighted vote."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np
import pytest

from gigbot.scoring.majority import MajorityVote
from gigbot.scoring.skill import Skill
from gigbot.scoring.types import AnswerMatrix, Decision, TaskAnswer, Vote
from gigbot.scoring.weighted import (
    WeightedVote,
    gold_accuracies,
    log_odds,
    needs_more,
    weighted_vote,
)


def item_decision(
    votes: list[Vote[Any]],
    skills: Mapping[Any, Skill | float],
    labels: list[str] | int,
    *,
    multi_label: bool = False,
) -> Decision:
    """One item decided as completion does: the weighted vote fitted with the workers' skills."""
    aggregator = WeightedVote(classes=labels, multi_label=multi_label)
    return aggregator.fit(votes, skills=skills).decisions()[""]


def majority_vote(answers: list[TaskAnswer]) -> dict[str, Decision]:
    return MajorityVote().fit(answers).decisions()


def wmv(answers: list[TaskAnswer], gold: dict[str, str]) -> dict[str, Decision]:
    return WeightedVote().fit(answers, gold=gold).decisions()


def test_item_decision_matches_the_formula() -> None:
    votes = [Vote(1, "a"), Vote(2, "a"), Vote(3, "b")]
    p = {1: 0.9, 2: 0.6, 3: 0.8}
    k = 3

    def lik(label: str) -> float:
        return math.prod(
            p[v.worker] if v.label == label else (1 - p[v.worker]) / (k - 1) for v in votes
        )

    total = lik("a") + lik("b") + lik("c")
    decision = item_decision(votes, p, ["a", "b", "c"])
    assert decision.label == "a"
    assert decision.confidence == pytest.approx(lik("a") / total)


def test_item_decision_uses_beta_means_and_prior_for_unknown_workers() -> None:
    votes = [Vote("x", "pos"), Vote("y", "neg")]
    # x: Beta mean (2 + 8) / (3 + 10) = 0.77; y unknown: 2/3
    decision = item_decision(votes, {"x": Skill(right=8, wrong=2)}, ["pos", "neg"])
    assert decision.label == "pos"
    px, py = 10 / 13, 2 / 3
    a, b = px * (1 - py), (1 - px) * py
    assert decision.confidence == pytest.approx(a / (a + b))


def test_item_decision_tie_goes_to_smallest_label() -> None:
    votes = [Vote(1, "zebra"), Vote(2, "apple")]
    decision = item_decision(votes, {1: 0.8, 2: 0.8}, ["zebra", "apple"])
    assert decision.label == "apple"
    assert decision.confidence == pytest.approx(0.5)


def test_more_classes_make_agreement_more_convincing_per_vote() -> None:
    votes = [Vote(1, "a"), Vote(2, "a")]
    two = item_decision(votes, {}, 2)
    ten = item_decision(votes, {}, 10)
    assert two.label == ten.label == "a"
    # with p = 2/3 a wrong vote is spread over K - 1 labels, so agreement on 10 classes is rarer
    assert ten.confidence > two.confidence


def test_item_decision_multi_label_sets_are_categories() -> None:
    votes = [Vote(1, ["cat", "dog"]), Vote(2, frozenset({"dog", "cat"})), Vote(3, ["cat"])]
    decision = item_decision(
        votes, {1: 0.9, 2: 0.9, 3: 0.9}, ["cat", "dog", "bird"], multi_label=True
    )
    assert decision.label == frozenset({"cat", "dog"})
    assert 0.9 < decision.confidence < 1.0


def test_item_decision_single_label_project_and_errors() -> None:
    assert item_decision([Vote(1, "only")], {}, ["only"]) == Decision("only", 1.0)
    # no votes, no item to decide (completion always has at least one)
    assert WeightedVote(classes=["a", "b"]).fit([], skills={}).decisions() == {}


def test_item_decision_below_chance_workers_do_not_overflow() -> None:
    votes = [Vote(i, "a") for i in range(400)]
    decision = item_decision(votes, dict.fromkeys(range(400), 0.01), 2)
    assert decision.label == "a"
    assert decision.confidence < 1e-100


@pytest.mark.parametrize(
    ("count", "confidence", "expected"),
    [
        (2, 0.99, True),  # below overlap: always more
        (3, 0.95, False),  # at overlap and confident
        (3, 0.85, True),  # at overlap, unsure
        (4, 0.9, False),  # exactly at the target
        (5, 0.5, False),  # at max_overlap: stop anyway
    ],
)
def test_needs_more(count: int, confidence: float, expected: bool) -> None:
    decision = Decision(label="a", confidence=confidence)
    assert needs_more(count, decision, overlap=3, max_overlap=5, confidence=0.9) is expected
    assert needs_more(0, None, overlap=3, max_overlap=5, confidence=0.9)


def test_weighted_vote_shares_weight() -> None:
    decision = weighted_vote([Vote(1, "a"), Vote(2, "b"), Vote(3, "b")], {1: 0.9, 2: 0.4, 3: 0.4})
    assert decision == Decision("a", pytest.approx(0.9 / 1.7))
    with pytest.raises(ValueError):
        weighted_vote([], {})


def test_log_odds_is_zero_at_chance() -> None:
    assert log_odds(0.5, 2) == 0.0
    assert log_odds(0.1, 10) == pytest.approx(0.0)
    assert log_odds(0.05, 2) < 0
    assert log_odds(0.9, 1) == 0.0


def _rows(*triples: tuple[str, str, str]) -> list[TaskAnswer]:
    return [TaskAnswer(*t) for t in triples]


def test_majority_vote_counts_ties_and_order() -> None:
    answers = _rows(
        ("t2", "w1", "b"),
        ("t2", "w2", "a"),  # tie -> "a"
        ("t1", "w1", "x"),
        ("t1", "w2", "x"),
        ("t1", "w3", "y"),
    )
    result = majority_vote(answers)
    assert list(result) == ["t2", "t1"]
    assert result["t2"] == Decision("a", 0.5)
    assert result["t1"] == Decision("x", pytest.approx(2 / 3))
    assert majority_vote([]) == {}


def test_answer_matrix_sorts_labels_and_keeps_task_order() -> None:
    matrix = AnswerMatrix.build(_rows(("b", "w", "z"), ("a", "w", "y")), extra_labels=["x"])
    assert matrix.tasks == ["b", "a"]
    assert matrix.labels == ["x", "y", "z"]
    assert matrix.label.tolist() == [2, 1]
    assert matrix.vote_counts().tolist() == [[0, 0, 1], [0, 1, 0]]


def test_gold_accuracies_shrink_to_pooled_mean() -> None:
    answers = _rows(
        ("g1", "good", "a"),
        ("g2", "good", "b"),
        ("g1", "bad", "b"),
        ("g2", "bad", "a"),
        ("t", "new", "a"),
    )
    matrix = AnswerMatrix.build(answers)
    p = gold_accuracies(matrix, {"g1": "a", "g2": "b"}, strength=3.0)
    pooled = (2 + 2) / (4 + 3)
    assert p[0] == pytest.approx((2 + 3 * pooled) / 5)
    assert p[1] == pytest.approx((0 + 3 * pooled) / 5)
    assert p[2] == pytest.approx(pooled)  # no gold answers: the mean


def test_wmv_follows_the_workers_gold_shows_reliable() -> None:
    rng = np.random.default_rng(7)
    truth = {f"t{i}": str(rng.integers(2)) for i in range(200)}
    answers: list[TaskAnswer] = []
    for task, label in truth.items():
        answers.append(TaskAnswer(task, "expert", label))
        for w in ("n1", "n2"):  # two noisy workers who agree on a wrong answer too often
            noisy = label if rng.random() < 0.55 else str(1 - int(label))
            answers.append(TaskAnswer(task, w, noisy))
    gold = dict(list(truth.items())[:40])
    mv = majority_vote(answers)
    mv_acc = np.mean([mv[t].label == truth[t] for t in truth])
    result = wmv(answers, gold)
    wmv_acc = np.mean([result[t].label == truth[t] for t in truth])
    assert wmv_acc > mv_acc + 0.1
    assert wmv_acc > 0.95


def test_wmv_without_gold_breaks_equal_weights_by_votes() -> None:
    answers = _rows(("t", "w1", "a"), ("t", "w2", "b"), ("u", "w1", "b"), ("u", "w2", "b"))
    assert {t: d.label for t, d in wmv(answers, {}).items()} == {"t": "a", "u": "b"}
