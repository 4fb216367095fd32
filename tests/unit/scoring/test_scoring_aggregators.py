"""The one aggregator interface: every registered method on toy data with a known answer."""

from __future__ import annotations

import pytest

from gigbot.scoring.auto import AutoAggregator
from gigbot.scoring.base import LabelAggregator, TextAggregator
from gigbot.scoring.methods import (
    METHOD_NAMES,
    METHODS,
    TEXT_METHODS,
    label_aggregator,
    resolve_method,
    text_aggregator,
)
from gigbot.scoring.skill import Skill
from gigbot.scoring.text_weighted import WeightedRover
from gigbot.scoring.types import AnswerMatrix, TaskAnswer, Vote
from gigbot.scoring.weighted import WeightedVote

# three workers, two of them right on every task; "t2" also tells apart a smallest-label tie-break
TOY = [
    TaskAnswer("t1", "w1", "cat"),
    TaskAnswer("t1", "w2", "cat"),
    TaskAnswer("t1", "w3", "dog"),
    TaskAnswer("t2", "w1", "dog"),
    TaskAnswer("t2", "w2", "dog"),
    TaskAnswer("t2", "w3", "cat"),
    TaskAnswer("t3", "w1", "bird"),
    TaskAnswer("t3", "w2", "bird"),
    TaskAnswer("t3", "w3", "bird"),
]
TRUTH = {"t1": "cat", "t2": "dog", "t3": "bird"}
GOLD = {"t3": "bird"}


@pytest.mark.parametrize("name", list(METHODS))
@pytest.mark.parametrize("gold", [None, GOLD])
def test_every_method_finds_the_known_labels(name: str, gold: dict[str, str] | None) -> None:
    aggregator = METHODS[name]()
    assert aggregator.fit(TOY, gold=gold) is aggregator  # fit returns self
    assert aggregator.labels_ == TRUTH
    assert list(aggregator.probas_) == list(TRUTH)  # tasks in order of first appearance
    for task, probas in aggregator.probas_.items():
        assert sum(probas.values()) == pytest.approx(1.0)
        assert probas[aggregator.labels_[task]] == max(probas.values())
    decisions = aggregator.decisions()
    assert {t: d.label for t, d in decisions.items()} == TRUTH
    assert all(d.confidence == aggregator.probas_[t][d.label] for t, d in decisions.items())


@pytest.mark.parametrize("name", list(METHODS))
def test_conveniences_match_fit(name: str) -> None:
    fitted = METHODS[name]().fit(TOY, gold=GOLD)
    assert METHODS[name]().fit_predict(TOY, gold=GOLD) == fitted.labels_
    assert METHODS[name]().fit_predict_proba(TOY, gold=GOLD) == fitted.probas_


@pytest.mark.parametrize("name", list(METHODS))
def test_votes_a_matrix_and_nothing(name: str) -> None:
    votes = [Vote(a.worker, a.label, task=a.task) for a in TOY]
    assert METHODS[name]().fit(votes).labels_ == TRUTH
    assert METHODS[name]().fit(AnswerMatrix.build(TOY)).labels_ == TRUTH
    empty = METHODS[name]().fit([])
    assert (empty.labels_, empty.probas_, empty.decisions()) == ({}, {}, {})


@pytest.mark.parametrize("name", list(METHODS))
def test_learned_state_needs_fit(name: str) -> None:
    aggregator = METHODS[name]()
    with pytest.raises(RuntimeError, match="fit"):
        _ = aggregator.labels_
    with pytest.raises(RuntimeError, match="fit"):
        aggregator.decisions()


def test_ties_go_to_the_smallest_label() -> None:
    tie = [TaskAnswer("t", "w1", "b"), TaskAnswer("t", "w2", "a")]
    for name in METHODS:
        assert METHODS[name]().fit_predict(tie) == {"t": "a"}, name


@pytest.mark.parametrize("name", list(TEXT_METHODS))
def test_every_text_method_combines_task_by_task(name: str) -> None:
    answers = [
        TaskAnswer("clip2", "w1", "good morning"),
        TaskAnswer("clip1", "w1", "hello world"),
        TaskAnswer("clip1", "w2", "Hello, world!"),
        TaskAnswer("clip1", "w3", "hello word"),
        TaskAnswer("clip2", "w2", "good morning"),
    ]
    aggregator = TEXT_METHODS[name]()
    assert aggregator.fit(answers, gold={"clip1": "hello world"}) is aggregator
    assert aggregator.texts_ == {"clip2": "good morning", "clip1": "hello world"}
    assert aggregator.confidences_["clip2"] == 1.0
    assert 0.0 < aggregator.confidences_["clip1"] < 1.0
    assert aggregator.decisions()["clip1"].text == "hello world"
    assert TEXT_METHODS[name]().fit_predict(answers) == aggregator.texts_
    with pytest.raises(RuntimeError, match="fit"):
        TEXT_METHODS[name]().decisions()


def test_registry_names_and_auto() -> None:
    assert METHOD_NAMES == ("auto", "mv", "wmv", "ocds", "ds", "glad", "mace")
    assert resolve_method("auto", gold=True) == "auto"  # auto decides on the data
    assert resolve_method("mv", gold=True) == "mv"
    assert isinstance(label_aggregator("auto", gold=True), AutoAggregator)
    assert isinstance(text_aggregator("auto"), WeightedRover)
    assert all(isinstance(label_aggregator(n), LabelAggregator) for n in METHOD_NAMES)
    assert all(isinstance(text_aggregator(n), TextAggregator) for n in TEXT_METHODS)
    with pytest.raises(ValueError, match="unknown method 'kos'"):
        label_aggregator("kos")
    with pytest.raises(ValueError, match="unknown text method"):
        text_aggregator("glad")


def test_weighted_vote_with_skills_is_the_live_posterior() -> None:
    # one item, as completion decides it: p = 0.9, 0.6 (a Skill's Beta mean 12/20) and 0.8
    votes = [Vote(1, "a", task="i"), Vote(2, "a", task="i"), Vote(3, "b", task="i")]
    skills: dict[int, Skill | float] = {1: 0.9, 2: Skill(right=10, wrong=7), 3: 0.8}
    aggregator = WeightedVote(classes=["a", "b", "c"]).fit(votes, skills=skills)
    p = {1: 0.9, 2: 12 / 20, 3: 0.8}

    def likelihood(label: str) -> float:
        result = 1.0
        for vote in votes:
            q = p[vote.worker]
            result *= q if vote.label == label else (1 - q) / 2
        return result

    total = sum(likelihood(label) for label in "abc")
    assert aggregator.probas_["i"] == {
        label: pytest.approx(likelihood(label) / total) for label in "abc"
    }
    [(task, decision)] = aggregator.decisions().items()
    assert (task, decision.label) == ("i", "a")
    assert decision.confidence == pytest.approx(likelihood("a") / total)


def test_weighted_vote_lists_only_nameable_labels() -> None:
    votes = [Vote(1, frozenset({"cat", "dog"})), Vote(2, frozenset({"dog", "cat"}))]
    multi = WeightedVote(classes=["cat", "dog"], multi_label=True).fit(votes, skills={})
    assert list(multi.probas_[""]) == [frozenset({"cat", "dog"})]  # 3 unnamed sets share the rest
    assert sum(multi.probas_[""].values()) < 1.0
    counted = WeightedVote(classes=4).fit([TaskAnswer("t", "w", "x")], skills={})
    assert counted.probas_["t"]["x"] == counted.decisions()["t"].confidence < 1.0


def test_weighted_vote_takes_skills_or_gold_not_both() -> None:
    with pytest.raises(ValueError, match="not both"):
        WeightedVote().fit(TOY, gold=GOLD, skills={"w1": 0.9})


def test_label_sets_need_encoding_for_matrix_methods() -> None:
    with pytest.raises(TypeError, match="string labels"):
        label_aggregator("mv").fit([Vote(1, frozenset({"cat", "dog"}))])
