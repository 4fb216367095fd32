"""One-coin Dawid-Skene by EM: one accuracy per worker instead of a confusion matrix.

Model (the "one-coin" simplification of Dawid & Skene 1979, as in Karger, Oh and Shah 2011 and
crowd-kit's ``OneCoinDawidSkene``): task ``t`` has a true label ``z_t`` drawn from class priors
``ρ``; worker ``w`` gives it with probability ``p_w`` and otherwise one of the ``K - 1`` other
labels uniformly.

    E-step:  log T[t, k] = log ρ_k + Σ_{answers (w, j) on t} ( [j = k] · log p_w
                                                             + [j ≠ k] · log((1 - p_w)/(K - 1)) )
    M-step:  p_w = (Σ_{answers (t, w, j)} T[t, j] + s · p̄) / (n_w + s)
             ρ_k = (Σ_t T[t, k] + 1) / (n_tasks + K)

``p̄`` is the crowd's mean accuracy under the current posteriors and ``s`` (``skill_strength``)
the weight, in answers, of that Beta prior: a worker with two answers is not judged perfect or
useless from them. With ``K`` parameters fewer per worker than full Dawid-Skene it cannot take
a crowd-wide asymmetry for a change of class priors, which is where full Dawid-Skene loses to
majority vote (ZenCrowd), and it keeps sparse workers well estimated; it cannot model a worker
who confuses two particular classes (a label-permuting worker looks merely bad to it).

Initialisation: majority vote shares, or with gold the gold-weighted vote; gold tasks are
clamped to their label. Stops when the negative log-likelihood per answer changes by less than
``tol``. Ties go to the smallest label. Confidence = the posterior ``T[t, k]`` of the label.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Self

import numpy as np
import numpy.typing as npt

from gigbot.scoring.base import Answers, LabelAggregator, answer_matrix, check_dense_budget
from gigbot.scoring.types import AnswerMatrix
from gigbot.scoring.weighted import clamps, initial_posteriors

__all__ = ["OneCoinDawidSkene"]

FloatArray = npt.NDArray[np.float64]
_P_MIN, _P_MAX = 1e-4, 1.0 - 1e-4


@dataclass(slots=True)
class OneCoinDawidSkene(LabelAggregator):
    """One-coin Dawid-Skene (``ocds``, see the module doc); learns ``skills_`` (accuracy per
    worker, indexed like ``matrix_.workers``), ``priors_``, ``posteriors_``, ``loss_history_``."""

    n_iter: int = 100
    tol: float = 1e-5
    skill_strength: float = 2.0

    matrix_: AnswerMatrix | None = field(default=None, init=False)
    posteriors_: FloatArray = field(default_factory=lambda: np.zeros((0, 0)), init=False)
    skills_: FloatArray = field(default_factory=lambda: np.zeros(0), init=False)
    priors_: FloatArray = field(default_factory=lambda: np.zeros(0), init=False)
    loss_history_: list[float] = field(default_factory=list, init=False)
    n_iter_: int = field(default=0, init=False)

    def fit(self, answers: Answers, *, gold: Mapping[str, str] | None = None) -> Self:
        """Run EM on ``answers``; tasks in ``gold`` are clamped to their known label."""
        gold = gold or {}
        matrix = answer_matrix(answers, gold.values())
        self.matrix_, self.loss_history_, self.n_iter_ = matrix, [], 0
        n_tasks, k = len(matrix.tasks), len(matrix.labels)
        if n_tasks == 0:
            self._learn({}, {})
            return self
        check_dense_budget(matrix, type(self).__name__)
        rows, fixed = clamps(matrix, gold)
        probas = initial_posteriors(matrix, gold)
        probas[rows] = fixed
        n_workers = len(matrix.workers)
        answered = np.bincount(matrix.worker, minlength=n_workers).astype(np.float64)
        flat = matrix.task * k + matrix.label
        skills = np.full(n_workers, 0.5)
        priors = np.full(k, 1.0 / k)
        for _ in range(self.n_iter):
            self.n_iter_ += 1
            skills, priors = self._m_step(matrix, probas, answered)
            probas, loss = self._e_step(matrix, flat, skills, priors)
            probas[rows] = fixed
            self.loss_history_.append(loss / matrix.n_answers)
            history = self.loss_history_
            if len(history) > 1 and abs(history[-2] - history[-1]) < self.tol:
                break
        self.posteriors_, self.skills_, self.priors_ = probas, skills, priors
        self._learn_matrix(matrix, probas, probas)
        return self

    def _m_step(
        self, matrix: AnswerMatrix, probas: FloatArray, answered: FloatArray
    ) -> tuple[FloatArray, FloatArray]:
        right = probas[matrix.task, matrix.label]  # P(answer is right) under the posteriors
        own = np.bincount(matrix.worker, weights=right, minlength=answered.size)
        mean = float(right.mean())
        skills = (own + self.skill_strength * mean) / (answered + self.skill_strength)
        n_tasks, k = probas.shape
        priors = (probas.sum(axis=0) + 1.0) / (n_tasks + k)
        return np.clip(skills, _P_MIN, _P_MAX), priors

    @staticmethod
    def _e_step(
        matrix: AnswerMatrix, flat: npt.NDArray[np.intp], skills: FloatArray, priors: FloatArray
    ) -> tuple[FloatArray, float]:
        n_tasks, k = len(matrix.tasks), len(matrix.labels)
        wrong = np.log((1.0 - skills) / max(k - 1, 1))
        bonus = (np.log(skills) - wrong)[matrix.worker]
        scores = np.bincount(flat, weights=bonus, minlength=n_tasks * k).reshape(n_tasks, k)
        joint = scores + np.log(priors)[None, :]
        top = joint.max(axis=1, keepdims=True)
        weights = np.exp(joint - top)
        total = weights.sum(axis=1, keepdims=True)
        loss = -float((np.log(total) + top).sum() + wrong[matrix.worker].sum())
        return weights / total, loss
