"""GLAD and MACE on synthetic crowds with known truth: their labels and what they learn."""

from __future__ import annotations

import math
from collections.abc import Mapping
from types import ModuleType

import numpy as np
import pytest

from gigbot.scoring import glad, mace
from gigbot.scoring.base import MemoryBudgetError, check_budget
from gigbot.scoring.glad import GLAD
from gigbot.scoring.mace import MACE, digamma
from gigbot.scoring.majority import MajorityVote
from gigbot.scoring.types import AnswerMatrix, TaskAnswer


def accuracy(labels: Mapping[str, object], truth: Mapping[str, str]) -> float:
    return float(np.mean([labels.get(t) == g for t, g in truth.items()]))


def glad_crowd(
    seed: int, *, tasks: int = 400, per_task: int = 7, k: int = 3
) -> tuple[list[TaskAnswer], dict[str, str], np.ndarray, np.ndarray]:
    """Answers drawn from GLAD's own model: P(right) = σ(α_w β_t), else a uniform wrong label."""
    rng = np.random.default_rng(seed)
    workers = 30
    alpha = rng.uniform(-0.5, 3.0, workers)
    alpha[:3] = -2.0  # three adversaries
    beta = np.exp(rng.normal(0.0, 0.7, tasks))
    truth = rng.integers(k, size=tasks)
    answers = []
    for t in range(tasks):
        for w in rng.choice(workers, size=per_task, replace=False):
            z = int(truth[t])
            right = rng.random() < 1.0 / (1.0 + math.exp(-alpha[w] * beta[t]))
            label = z if right else int((z + rng.integers(1, k)) % k)
            answers.append(TaskAnswer(f"t{t}", f"w{w}", f"c{label}"))
    return answers, {f"t{t}": f"c{truth[t]}" for t in range(tasks)}, alpha, beta


def mace_crowd(
    seed: int, *, tasks: int = 400, per_task: int = 5, k: int = 3
) -> tuple[list[TaskAnswer], dict[str, str], np.ndarray]:
    """Answers drawn from MACE's model: honest with probability θ_w, else the worker's
    favourite button (a third of the crowd are near-total spammers of label c0)."""
    rng = np.random.default_rng(seed)
    workers = 24
    theta = rng.uniform(0.6, 0.95, workers)
    theta[:8] = 0.05
    truth = rng.integers(k, size=tasks)
    answers = []
    for t in range(tasks):
        for w in rng.choice(workers, size=per_task, replace=False):
            honest = rng.random() < theta[w]
            label = int(truth[t]) if honest else (0 if w < 8 else int(rng.integers(k)))
            answers.append(TaskAnswer(f"t{t}", f"w{w}", f"c{label}"))
    return answers, {f"t{t}": f"c{truth[t]}" for t in range(tasks)}, theta


def test_glad_recovers_truth_abilities_and_easiness() -> None:
    answers, truth, alpha, beta = glad_crowd(0)
    fitted = GLAD().fit(answers)
    mv = accuracy(MajorityVote().fit_predict(answers), truth)
    assert accuracy(fitted.labels_, truth) > max(0.9, mv + 0.02)
    matrix = fitted.matrix_
    assert matrix is not None
    order = [int(w[1:]) for w in matrix.workers]
    learned = dict(zip(order, fitted.alphas_.tolist(), strict=True))
    assert all(learned[w] < 0 for w in range(3))  # the adversaries are found
    true_alpha = np.array([alpha[w] for w in order])
    assert np.corrcoef(true_alpha, fitted.alphas_)[0, 1] > 0.9
    true_beta = np.array([beta[int(t[1:])] for t in matrix.tasks])
    assert np.corrcoef(np.log(true_beta), np.log(fitted.betas_))[0, 1] > 0.3
    assert np.all(fitted.betas_ > 0)
    assert fitted.priors_.sum() == pytest.approx(1.0)


def test_glad_is_deterministic_and_converges() -> None:
    answers, _, _, _ = glad_crowd(1, tasks=200)
    first, second = GLAD().fit(answers), GLAD().fit(answers)
    assert first.decisions() == second.decisions()
    assert 1 < first.n_iter_ < first.n_iter
    history = first.loss_history_
    assert abs(history[-1] - history[-2]) < first.tol
    assert history[-1] <= history[0]


def test_mace_sees_through_spammers() -> None:
    answers, truth, theta = mace_crowd(2)
    fitted = MACE().fit(answers)
    mv = accuracy(MajorityVote().fit_predict(answers), truth)
    assert accuracy(fitted.labels_, truth) > max(0.9, mv + 0.05)
    matrix = fitted.matrix_
    assert matrix is not None
    learned = dict(zip(matrix.workers, fitted.competence_.tolist(), strict=True))
    assert max(learned[f"w{w}"] for w in range(8)) < 0.25
    assert min(learned[f"w{w}"] for w in range(8, 24)) > 0.4
    true_theta = np.array([theta[int(w[1:])] for w in matrix.workers])
    assert np.corrcoef(true_theta, fitted.competence_)[0, 1] > 0.9
    spammers = [matrix.workers.index(f"w{w}") for w in range(8)]
    assert np.all(fitted.strategies_[spammers, 0] > 0.8)  # their favourite button
    assert np.allclose(fitted.strategies_.sum(axis=1), 1.0)


def test_mace_is_deterministic_and_converges() -> None:
    answers, _, _ = mace_crowd(3, tasks=200)
    first, second = MACE().fit(answers), MACE().fit(answers)
    assert first.decisions() == second.decisions()
    assert 1 < first.n_iter_ < first.n_iter
    history = first.loss_history_
    assert abs(history[-1] - history[-2]) < first.tol


@pytest.mark.parametrize("method", [GLAD, MACE])
def test_interface_gold_clamping_and_confidence(method: type[GLAD] | type[MACE]) -> None:
    answers, truth, _ = mace_crowd(4, tasks=120)
    gold = dict(list(truth.items())[:20])
    wrong = {t: ("c1" if g != "c1" else "c2") for t, g in list(gold.items())[:3]}
    fitted = method().fit(answers, gold={**gold, **wrong})
    for task, label in wrong.items():
        assert fitted.labels_[task] == label  # gold tasks keep their given label
        assert fitted.probas_[task][label] == pytest.approx(1.0)
    for task, decision in fitted.decisions().items():
        probas = fitted.probas_[task]
        assert sum(probas.values()) == pytest.approx(1.0)
        assert decision.confidence == pytest.approx(max(probas.values()))
        assert decision.label == fitted.labels_[task]
    matrix = AnswerMatrix.build(answers)
    assert method().fit(matrix).labels_ == method().fit(answers).labels_
    assert method().fit([]).labels_ == {}


def test_ties_go_to_the_smallest_label() -> None:
    answers = [TaskAnswer("t", "a", "y"), TaskAnswer("t", "b", "x")]
    for method in (GLAD(), MACE()):
        assert method.fit(answers).labels_ == {"t": "x"}


def test_digamma_matches_known_values() -> None:
    euler = 0.5772156649015329
    x = np.array([1.0, 0.5, 2.0, 10.0, 123.4])
    expected = [
        -euler,
        -euler - 2 * math.log(2),
        1 - euler,
        sum(1 / n for n in range(1, 10)) - euler,
        float(np.log(123.4) - 1 / (2 * 123.4) - 1 / (12 * 123.4**2)),
    ]
    assert digamma(x) == pytest.approx(expected, abs=1e-9)


@pytest.mark.parametrize("module", [glad, mace])
def test_per_answer_arrays_are_checked_against_the_budget(
    module: ModuleType, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked: list[float] = []

    def tight(need: float, what: str, budget: int = 0) -> None:
        asked.append(need)
        check_budget(need, what, budget=1000)

    monkeypatch.setattr(module, "check_budget", tight)
    answers = [
        TaskAnswer(f"t{t}", f"w{w}", f"c{(t + w) % 2}") for t in range(50) for w in range(3)
    ]
    method = GLAD() if module is glad else MACE()
    with pytest.raises(MemoryBudgetError, match="150 answers"):
        method.fit(answers)
    assert asked and asked[0] >= 150 * 8
