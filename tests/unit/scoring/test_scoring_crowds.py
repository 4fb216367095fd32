"""Every categorical method on synthetic crowds with known truth, and ``auto``'s choice."""

from __future__ import annotations

import numpy as np
import pytest

from gigbot.scoring.auto import AutoAggregator
from gigbot.scoring.base import MemoryBudgetError
from gigbot.scoring.dawid_skene import DawidSkene
from gigbot.scoring.glad import GLAD
from gigbot.scoring.mace import MACE
from gigbot.scoring.majority import MajorityVote
from gigbot.scoring.methods import METHOD_NAMES, label_aggregator
from gigbot.scoring.one_coin import OneCoinDawidSkene
from gigbot.scoring.types import TaskAnswer
from gigbot.scoring.weighted import WeightedVote

# noise of an accuracy measured on 300 tasks: one standard error at p = 0.9 is about 0.017
NOISE = 0.03


def crowd(
    kind: str, *, tasks: int = 300, per_task: int = 5, k: int = 3, seed: int = 0
) -> tuple[list[TaskAnswer], dict[str, str]]:
    """Answers of ``kind`` crowd: good workers plus adversaries, spammers or permuters."""
    rng = np.random.default_rng(seed)
    truth = rng.integers(k, size=tasks)
    workers = 20
    skill = rng.uniform(0.65, 0.9, workers)
    bad = np.zeros(workers, dtype=bool)
    if kind != "honest":
        bad[: workers // 4] = True  # a quarter of the crowd misbehaves
    answers = []
    for t in range(tasks):
        for w in rng.choice(workers, size=per_task, replace=False):
            z = int(truth[t])
            if bad[w] and kind == "adversarial":
                label = (z + 1) % k  # always a wrong label
            elif bad[w] and kind == "spammer":
                label = 0  # the same button every time
            elif bad[w] and kind == "permuting":
                label = (z + 1) % k if rng.random() < 0.9 else z  # reads classes shifted by one
            elif rng.random() < skill[w]:
                label = z
            else:
                label = int((z + rng.integers(1, k)) % k)
            answers.append(TaskAnswer(f"t{t}", f"w{w}", f"c{label}"))
    return answers, {f"t{t}": f"c{truth[t]}" for t in range(tasks)}


def accuracy(labels: dict[str, object], truth: dict[str, str]) -> float:
    return float(np.mean([labels.get(t) == g for t, g in truth.items()]))


@pytest.mark.parametrize("kind", ["honest", "adversarial", "spammer", "permuting"])
@pytest.mark.parametrize("seed", [0, 1])
def test_auto_never_loses_to_majority_vote(kind: str, seed: int) -> None:
    answers, truth = crowd(kind, seed=seed)
    mv = accuracy(MajorityVote().fit_predict(answers), truth)
    auto = AutoAggregator().fit(answers)
    assert accuracy(auto.labels_, truth) >= mv - NOISE, auto.scores_


@pytest.mark.parametrize("name", [n for n in METHOD_NAMES if n != "mv"])
def test_weighted_methods_see_through_spammers(name: str) -> None:
    answers, truth = crowd("spammer", seed=3)
    mv = accuracy(MajorityVote().fit_predict(answers), truth)
    assert accuracy(label_aggregator(name).fit_predict(answers), truth) > mv


def test_full_dawid_skene_undoes_permuting_workers() -> None:
    answers, truth = crowd("permuting", seed=4, per_task=7)
    ds = accuracy(DawidSkene().fit_predict(answers), truth)
    assert ds > 0.9
    assert ds > accuracy(MajorityVote().fit_predict(answers), truth) + 0.05


def test_one_coin_finds_adversaries_below_chance() -> None:
    answers, truth = crowd("adversarial", seed=5, k=2)
    fitted = OneCoinDawidSkene().fit(answers)
    assert accuracy(fitted.labels_, truth) > 0.9
    matrix = fitted.matrix_
    assert matrix is not None
    skills = dict(zip(matrix.workers, fitted.skills_.tolist(), strict=True))
    assert max(skills[f"w{w}"] for w in range(5)) < 0.2  # the five adversaries
    assert min(skills[f"w{w}"] for w in range(5, 20)) > 0.55
    assert fitted.loss_history_[-1] <= fitted.loss_history_[0]


def test_wmv_without_gold_weighs_by_agreement() -> None:
    answers, truth = crowd("adversarial", seed=6, k=2)
    fitted = WeightedVote().fit(answers)
    assert accuracy(fitted.labels_, truth) > 0.9
    assert fitted.skills_.min() < 0.3 < 0.6 < fitted.skills_.max()


def test_auto_with_gold_uses_held_out_gold() -> None:
    answers, truth = crowd("permuting", seed=7, per_task=7)
    gold = dict(list(truth.items())[:60])
    auto = AutoAggregator().fit(answers, gold=gold)
    assert set(auto.scores_) == {"mv", "wmv", "ocds", "glad", "ds", "mace"}
    assert auto.chosen_ == max(auto.scores_, key=lambda n: auto.scores_[n])
    hidden = {t: g for t, g in truth.items() if t not in gold}
    assert accuracy(auto.labels_, hidden) > 0.9


def test_auto_without_gold_compares_one_coin_estimators() -> None:
    answers, _ = crowd("honest", seed=8)
    auto = AutoAggregator().fit(answers)
    assert set(auto.scores_) == {"mv", "wmv", "ocds", "glad"}
    assert all(score < 0 for score in auto.scores_.values())  # mean log probabilities
    assert auto.labels_ == label_aggregator(auto.chosen_).fit_predict(answers)


def test_free_text_is_refused_by_the_memory_budget() -> None:
    # 3000 tasks each with its own 7 labels: 21 000 labels, a 3000 x 21 000 table
    answers = [
        TaskAnswer(f"t{t}", f"w{i}", f"text {t} {i}") for t in range(3000) for i in range(7)
    ]
    methods = (DawidSkene(), OneCoinDawidSkene(), MajorityVote(), WeightedVote(), GLAD(), MACE())
    for method in methods:
        with pytest.raises(MemoryBudgetError, match=r"over the budget of 512\.0 MiB"):
            method.fit(answers)
