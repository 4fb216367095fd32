"""Dawid-Skene on synthetic crowds with known truth, and on public datasets when present."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest

from gigbot.scoring.dawid_skene import DawidSkene
from gigbot.scoring.majority import MajorityVote
from gigbot.scoring.methods import label_aggregator
from gigbot.scoring.text import wer
from gigbot.scoring.text_agg import Rover
from gigbot.scoring.types import AnswerMatrix, Decision, TaskAnswer


def dawid_skene(
    answers: list[TaskAnswer], gold: dict[str, str] | None = None
) -> dict[str, Decision]:
    return DawidSkene().fit(answers, gold=gold).decisions()


def majority_vote(answers: list[TaskAnswer]) -> dict[str, Decision]:
    return MajorityVote().fit(answers).decisions()


def _crowd(
    seed: int, accuracies: list[float], *, n_tasks: int = 300, k: int = 3
) -> tuple[list[TaskAnswer], dict[str, str]]:
    """Every worker answers every task: right with their accuracy, else a random wrong label."""
    rng = np.random.default_rng(seed)
    truth = {f"t{i}": f"c{rng.integers(k)}" for i in range(n_tasks)}
    answers = []
    for task, label in truth.items():
        for w, accuracy in enumerate(accuracies):
            if rng.random() < accuracy:
                given = label
            else:
                given = f"c{(int(label[1:]) + rng.integers(1, k)) % k}"
            answers.append(TaskAnswer(task, f"w{w}", given))
    return answers, truth


def _accuracy(result: dict[str, Decision], truth: dict[str, str]) -> float:
    return float(np.mean([result[t].label == label for t, label in truth.items()]))


def test_ds_beats_majority_vote_against_adversaries() -> None:
    # three decent workers and two who are almost always wrong, in the same direction
    answers, truth = _crowd(1, [0.75, 0.7, 0.65, 0.05, 0.05], k=2)
    mv = _accuracy(majority_vote(answers), truth)
    ds = _accuracy(dawid_skene(answers), truth)
    assert ds > mv + 0.1
    assert ds > 0.9


def test_ds_learns_worker_confusions() -> None:
    answers, _ = _crowd(2, [0.9, 0.9, 0.9, 0.6, 0.2], k=2, n_tasks=500)
    model = DawidSkene().fit(answers)
    diagonal = np.einsum("wkk->wk", model.errors_).mean(axis=1)
    assert diagonal[:3] == pytest.approx([0.9, 0.9, 0.9], abs=0.05)
    assert diagonal[3] == pytest.approx(0.6, abs=0.07)
    assert diagonal[4] == pytest.approx(0.2, abs=0.07)
    assert model.priors_.sum() == pytest.approx(1.0)
    assert np.allclose(model.errors_.sum(axis=2), 1.0)


def test_ds_is_deterministic_and_converges() -> None:
    answers, _ = _crowd(3, [0.8, 0.7, 0.6, 0.55])
    first, second = DawidSkene().fit(answers), DawidSkene().fit(answers)
    assert first.decisions() == second.decisions()
    assert 1 < first.n_iter_ < 100
    history = first.loss_history_
    assert abs(history[-1] - history[-2]) < first.tol
    assert history[-1] <= history[0]


def test_confidence_is_the_posterior_of_the_chosen_label() -> None:
    answers, truth = _crowd(4, [0.8, 0.7, 0.6])
    model = DawidSkene().fit(answers)
    decisions = model.decisions()
    assert list(decisions) == list(truth)
    assert np.allclose(model.posteriors_.sum(axis=1), 1.0)
    for row, decision in zip(model.posteriors_, decisions.values(), strict=True):
        assert decision.confidence == pytest.approx(row.max())


def test_gold_tasks_are_clamped() -> None:
    answers = [
        TaskAnswer("t1", "w1", "a"),
        TaskAnswer("t1", "w2", "a"),
        TaskAnswer("t2", "w1", "b"),
    ]
    result = dawid_skene(answers, {"t1": "z"})
    assert result["t1"] == Decision("z", 1.0)
    with pytest.raises(ValueError, match="not among the answer labels"):
        DawidSkene().fit(AnswerMatrix.build(answers), gold={"t1": "z"})


def test_gold_helps_when_the_crowd_is_mostly_wrong() -> None:
    # the majority is adversarial: unsupervised EM cannot know which side is right, gold can
    answers, truth = _crowd(5, [0.85, 0.8, 0.1, 0.1, 0.15], k=2, n_tasks=400)
    gold = dict(list(truth.items())[:40])
    hidden = {t: v for t, v in truth.items() if t not in gold}
    assert _accuracy(dawid_skene(answers), hidden) < 0.5
    assert _accuracy(dawid_skene(answers, gold), hidden) > 0.9


def test_ties_go_to_the_smallest_label() -> None:
    answers = [TaskAnswer("t", "w1", "b"), TaskAnswer("t", "w2", "a")]
    assert dawid_skene(answers)["t"].label == "a"
    assert majority_vote(answers)["t"].label == "a"


def test_degenerate_inputs() -> None:
    assert dawid_skene([]) == {}
    single = dawid_skene([TaskAnswer("t", "w", "only"), TaskAnswer("u", "w", "only")])
    assert single == {"t": Decision("only", 1.0), "u": Decision("only", 1.0)}
    with pytest.raises(RuntimeError):
        DawidSkene().decisions()


def test_plain_model_is_available() -> None:
    answers, truth = _crowd(6, [0.8, 0.75, 0.7, 0.6], k=2)
    plain = DawidSkene(prior_strength=0).fit(answers).decisions()
    assert _accuracy(plain, truth) >= _accuracy(majority_vote(answers), truth)


def test_aggregate_dispatches() -> None:
    answers, _ = _crowd(7, [0.8, 0.7, 0.6])
    assert label_aggregator("mv").fit(answers).decisions() == majority_vote(answers)
    assert label_aggregator("ds").fit(answers).decisions() == dawid_skene(answers)
    wmv = label_aggregator("wmv").fit(answers, gold={"t0": "c0"}).decisions()
    assert set(wmv) == set(majority_vote(answers))
    with pytest.raises(ValueError, match="unknown method"):
        label_aggregator("kos")


def _load(folder: Path) -> tuple[list[TaskAnswer], dict[str, str]]:
    with (folder / "answers.csv").open(encoding="utf-8", newline="") as handle:
        answers = [TaskAnswer(r["task"], r["worker"], r["label"]) for r in csv.DictReader(handle)]
    with (folder / "gold.csv").open(encoding="utf-8", newline="") as handle:
        gold = {r["task"]: r["label"] for r in csv.DictReader(handle)}
    return answers, gold


def test_snow_rte_ds_at_least_majority_vote(shared_datasets: Path) -> None:
    answers, gold = _load(shared_datasets / "snow_rte")
    mv, ds = _accuracy(majority_vote(answers), gold), _accuracy(dawid_skene(answers), gold)
    assert mv == pytest.approx(0.9187, abs=1e-4)  # the reference figure of the README
    assert ds >= mv - 0.01


def test_crowdwsa_rover_beats_a_single_worker(shared_datasets: Path) -> None:
    answers, gold = _load(shared_datasets / "crowdwsa2019_t1")
    combined = Rover().fit(answers).decisions()
    mean_wer = float(np.mean([wer(g, combined[t].text) for t, g in gold.items()]))
    single = float(np.mean([wer(gold[a.task], a.label) for a in answers]))
    assert mean_wer < single - 0.05
