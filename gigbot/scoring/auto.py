"""``auto``: choose the aggregation method for this crowd by a rule computed from its own data.

No method wins on every crowd: worker-weighted methods beat the majority vote when workers
answer many tasks and differ in skill, and lose to it when most workers give two answers and
their weights are noise. ``auto`` therefore measures, on the data at hand, how well each
candidate predicts what it has not seen, and keeps the best.

- **With gold** (on at least ``min_gold`` tasks): held-out gold. The gold tasks are split into
  ``folds`` parts; each candidate is fitted with the other parts' gold and scored on the
  hidden part (accuracy, ties by the log-loss of the hidden gold); the winner is refitted with
  all the gold. Every categorical method is a candidate, full Dawid-Skene and MACE included:
  the gold judges them directly.
- **Without gold**: held-out answers. Every task with several answers lends one answer to each
  of ``folds`` folds; each candidate is fitted without the fold and scored by the mean log
  probability it gives the held-out answers, ``P(j) = Σ_k T[t, k] · π_w(j | k)``, with ``T``
  its posteriors from the remaining answers and ``π_w`` its own worker model (a worker it
  never saw is its crowd's mean worker). The candidates share one noise model: a worker gives
  the true label or else a wrong one uniformly, with a probability of being right that is one
  for all (majority vote), estimated per worker (``wmv`` from agreement, ``ocds`` by EM) or per
  worker and task (``glad``: ability times easiness). Under that model every departure of the
  answers from uniform noise goes through the latent label, so the better held-out likelihood
  is the better account of the labels. Full Dawid-Skene and MACE are not candidates here: each
  has a part that predicts a worker's answers whatever the truth (class-conditional rates; the
  spamming strategy ``ξ_w``), which can explain a bias or a difficulty shared by the crowd
  without the labels, and then their better likelihood goes with worse labels (on ZenCrowd
  both have the best held-out likelihood and the worst accuracy, docs/quality.md), so without
  gold a likelihood cannot vouch for them.

Ties (equal scores) go to the earlier candidate in ``candidates``, the simpler first. The
chosen name is ``chosen_``, the scores ``scores_`` (name -> criterion, higher is better).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Self

import numpy as np
import numpy.typing as npt

from gigbot.scoring.base import Answers, LabelAggregator, answer_matrix
from gigbot.scoring.dawid_skene import DawidSkene
from gigbot.scoring.glad import GLAD
from gigbot.scoring.mace import MACE
from gigbot.scoring.majority import MajorityVote
from gigbot.scoring.one_coin import OneCoinDawidSkene
from gigbot.scoring.types import AnswerMatrix
from gigbot.scoring.weighted import WeightedVote

__all__ = ["AutoAggregator", "heldout_answer_loglik"]

FloatArray = npt.NDArray[np.float64]
Factory = Callable[[], LabelAggregator]
_UNSUPERVISED: dict[str, Factory] = {
    "mv": MajorityVote,
    "wmv": WeightedVote,
    "ocds": OneCoinDawidSkene,
    "glad": GLAD,
}
_SUPERVISED: dict[str, Factory] = {**_UNSUPERVISED, "ds": DawidSkene, "mace": MACE}


def _posteriors(aggregator: LabelAggregator, matrix: AnswerMatrix) -> FloatArray:
    """The fitted posteriors as a tasks x labels array in ``matrix``'s order."""
    arrays = aggregator._arrays
    if arrays is not None and arrays.matrix is matrix:
        return arrays.probas
    probas = aggregator.probas_
    return np.array([[probas[t].get(label, 0.0) for label in matrix.labels] for t in matrix.tasks])


def _accuracies(aggregator: LabelAggregator, matrix: AnswerMatrix, post: FloatArray) -> FloatArray:
    """The one-coin accuracy of every worker under a fitted candidate (0-1)."""
    n_workers = len(matrix.workers)
    seen = np.bincount(matrix.worker, minlength=n_workers) > 0
    if isinstance(aggregator, WeightedVote | OneCoinDawidSkene) and aggregator.skills_.size:
        p = aggregator.skills_.copy()
    else:  # majority vote: one accuracy for all, the mean posterior of the answers' labels
        p = np.full(n_workers, float(post[matrix.task, matrix.label].mean()))
    if seen.any():
        p[~seen] = p[seen].mean()
    return np.clip(p, 1e-4, 1.0 - 1e-4)


def _seen_mean(values: FloatArray, matrix: AnswerMatrix) -> FloatArray:
    """``values`` (per worker, first axis) with the workers who gave no answer in ``matrix``
    set to the mean of those who did."""
    seen = np.bincount(matrix.worker, minlength=len(matrix.workers)) > 0
    out = values.copy()
    if seen.any():
        out[~seen] = values[seen].mean(axis=0)
    return out


def _answer_probability(
    aggregator: LabelAggregator,
    matrix: AnswerMatrix,
    post: FloatArray,
    answers: tuple[npt.NDArray[np.intp], npt.NDArray[np.intp], npt.NDArray[np.intp]],
) -> FloatArray:
    """``P(j) = Σ_k T[t, k] · π_w(j | k)`` of answers ``(t, w, j)`` under a fitted candidate's
    own worker model (a worker it never saw is the crowd's mean worker)."""
    t, w, j = answers
    k = len(matrix.labels)
    right = post[t, j]
    if isinstance(aggregator, MACE) and aggregator.competence_.size:
        theta = _seen_mean(aggregator.competence_, matrix)[w]
        xi = _seen_mean(aggregator.strategies_, matrix)[w, j]
        spam: FloatArray = right * theta + (1.0 - theta) * xi
        return spam
    if isinstance(aggregator, GLAD) and aggregator.alphas_.size:
        x = _seen_mean(aggregator.alphas_, matrix)[w] * aggregator.betas_[t]
        p = np.clip(1.0 / (1.0 + np.exp(-x)), 1e-4, 1.0 - 1e-4)
    else:
        p = _accuracies(aggregator, matrix, post)[w]
    coin: FloatArray = right * p + (1.0 - right) * (1.0 - p) / max(k - 1, 1)
    return coin


def _subset(matrix: AnswerMatrix, keep: npt.NDArray[np.bool_]) -> AnswerMatrix:
    return AnswerMatrix(
        matrix.tasks,
        matrix.workers,
        matrix.labels,
        matrix.task[keep],
        matrix.worker[keep],
        matrix.label[keep],
    )


def _folds(matrix: AnswerMatrix, folds: int, seed: int) -> npt.NDArray[np.intp]:
    """The fold of every answer (-1: never held out); a task keeps at least one answer."""
    n = matrix.n_answers
    rng = np.random.default_rng(seed)
    order = np.lexsort((rng.random(n), matrix.task))
    sizes = np.bincount(matrix.task, minlength=len(matrix.tasks))
    starts = np.r_[0, np.cumsum(sizes)[:-1]]
    rank = np.empty(n, dtype=np.intp)
    rank[order] = np.arange(n) - starts[matrix.task[order]]
    # rank 0 of each task stays in; the others go round the folds
    fold: npt.NDArray[np.intp] = np.where(rank > 0, (rank - 1) % folds, -1)
    return fold


def heldout_answer_loglik(
    matrix: AnswerMatrix, factory: Factory, *, folds: int = 5, seed: int = 0
) -> float:
    """Mean log probability a candidate gives answers it was not fitted on (see module doc)."""
    fold = _folds(matrix, folds, seed)
    total, count = 0.0, 0
    for f in range(folds):
        held = fold == f
        if not held.any():
            continue
        train = _subset(matrix, ~held)
        fitted = factory().fit(train)
        post = _posteriors(fitted, train)
        t, w, j = matrix.task[held], matrix.worker[held], matrix.label[held]
        prob = _answer_probability(fitted, train, post, (t, w, j))
        total += float(np.log(np.maximum(prob, 1e-12)).sum())
        count += int(held.sum())
    return total / count if count else 0.0


def _heldout_gold(
    matrix: AnswerMatrix, gold: Mapping[str, str], factory: Factory, folds: int, seed: int
) -> tuple[float, float]:
    """Accuracy and mean log probability on hidden gold, each fold hidden in turn."""
    tasks = sorted(t for t in gold if t in set(matrix.tasks))
    rng = np.random.default_rng(seed)
    order = rng.permutation(len(tasks))
    index = {task: i for i, task in enumerate(matrix.tasks)}
    label_ix = {label: i for i, label in enumerate(matrix.labels)}
    right = logp = 0.0
    for f in range(folds):
        hidden = [tasks[i] for i in order[f::folds]]
        if not hidden:
            continue
        shown = {t: gold[t] for t in tasks if t not in set(hidden)}
        fitted = factory().fit(matrix, gold=shown)
        post = _posteriors(fitted, matrix)
        for task in hidden:
            row = post[index[task]]
            truth = label_ix.get(gold[task], -1)
            p = float(row[truth]) if truth >= 0 else 0.0
            right += float(truth >= 0 and int(np.argmax(row)) == truth)
            logp += float(np.log(max(p, 1e-12)))
    return right / len(tasks), logp / len(tasks)


@dataclass(slots=True)
class AutoAggregator(LabelAggregator):
    """Picks a method by held-out gold, or without gold by held-out answers (module doc)."""

    folds: int = 5
    min_gold: int = 10
    seed: int = 0
    candidates: Sequence[str] | None = None

    chosen_: str = field(default="", init=False)
    scores_: dict[str, float] = field(default_factory=dict, init=False)
    method_: LabelAggregator | None = field(default=None, init=False)

    def fit(self, answers: Answers, *, gold: Mapping[str, str] | None = None) -> Self:
        """Score every candidate on ``answers`` (and ``gold``), then fit the best."""
        gold = gold or {}
        matrix = answer_matrix(answers, gold.values())
        known = sum(1 for task in matrix.tasks if task in gold) if gold else 0
        supervised = known >= max(self.min_gold, self.folds)
        pool = _SUPERVISED if supervised else _UNSUPERVISED
        names = [n for n in (self.candidates or list(pool)) if n in pool]
        self.scores_ = {}
        if len(names) > 1 and matrix.n_answers > len(matrix.tasks):
            ranked: dict[str, tuple[float, float]] = {}
            for name in names:
                if supervised:
                    ranked[name] = _heldout_gold(matrix, gold, pool[name], self.folds, self.seed)
                else:
                    ranked[name] = (
                        heldout_answer_loglik(
                            matrix, pool[name], folds=self.folds, seed=self.seed
                        ),
                        0.0,
                    )
                self.scores_[name] = ranked[name][0]
            best = max(names, key=lambda n: (ranked[n], -names.index(n)))
        else:
            best = names[0] if names else "mv"
        self.chosen_ = best
        method = pool[best]().fit(matrix, gold=gold)
        self.method_ = method
        self._labels, self._probas, self._arrays = method._labels, method._probas, method._arrays
        return self
