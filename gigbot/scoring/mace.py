"""MACE: Multi-Annotator Competence Estimation (Hovy, Berg-Kirkpatrick, Vaswani and Hovy 2013).

Model: task ``t`` has a true label ``z_t``, uniform over the ``K`` labels. On each task worker
``w`` either answers honestly, with probability ``θ_w`` (their competence), and then gives
``z_t``, or spams, and then draws the answer from their own strategy ``ξ_w`` (a distribution
over the labels, whatever the truth):

    P(answer j | z = k, w) = θ_w · [j = k] + (1 - θ_w) · ξ_w[j].

Unlike the one-coin worker, a spammer who always presses the same button is recognised as
such: their answers agree with the truth only as often as the truth is that button.

Training is variational Bayes (the paper's recommended mode), with a symmetric Beta(``a``,
``b``) prior on ``θ_w`` (0.5, 0.5: the paper's) and a symmetric Dirichlet(``strategy_prior``)
on ``ξ_w``. The E-step gives the posteriors ``T[t, k]`` of the labels and, per answer, the
expected number of honest answers ``h = T[t, j] · θ / (θ + (1 - θ) ξ[j])``; the update takes
the expected counts ``H_w = Σ h``, ``S_w = n_w - H_w`` and ``S_w[j]`` (spammed answers ``j``)
to the geometric means of the posterior Dirichlets:

    θ_w ← exp(ψ(H_w + a) - ψ(n_w + a + b)),   1 - θ_w ← exp(ψ(S_w + b) - ψ(n_w + a + b)),
    ξ_w[j] ← exp(ψ(S_w[j] + δ) - ψ(S_w + K δ)),

ψ the digamma function (these need not sum to one: that is the variational bound). Where the
paper restarts from random points and keeps the best, this starts once from the majority vote
shares (with gold: the gold-weighted vote), deterministically; gold tasks are clamped to their
label. Stops when the negative log-likelihood per answer changes by less than ``tol``. Ties go
to the smallest label. Confidence = the posterior ``T[t, k]`` of the label. ``competence_``
and ``strategies_`` hold the normalised point estimates (posterior means).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Self

import numpy as np
import numpy.typing as npt

from gigbot.scoring.base import (
    Answers,
    LabelAggregator,
    answer_matrix,
    check_budget,
    check_dense_budget,
)
from gigbot.scoring.types import AnswerMatrix
from gigbot.scoring.weighted import clamps, initial_posteriors

__all__ = ["MACE", "digamma"]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.intp]
_PER_ANSWER = 8  # floats alive per answer during a step
_TINY = 1e-300


def digamma(x: FloatArray) -> FloatArray:
    """ψ(x) for ``x > 0``: the recurrence ψ(x) = ψ(x + 1) - 1/x up to 6, then the asymptotic
    series (error below 1e-10)."""
    x = np.asarray(x, dtype=np.float64).copy()
    shift = np.zeros_like(x)
    small = x < 6.0
    while small.any():
        shift[small] -= 1.0 / x[small]
        x[small] += 1.0
        small = x < 6.0
    inv = 1.0 / x
    inv2 = inv * inv
    series = inv2 * (1.0 / 12 - inv2 * (1.0 / 120 - inv2 * (1.0 / 252 - inv2 / 240)))
    out: FloatArray = shift + np.log(x) - 0.5 * inv - series
    return out


@dataclass(slots=True)
class MACE(LabelAggregator):
    """MACE (``mace``, see the module doc); learns ``competence_`` (P(not spamming) per worker,
    indexed like ``matrix_.workers``), ``strategies_`` (workers x labels), ``posteriors_`` and
    ``loss_history_``."""

    n_iter: int = 100
    tol: float = 1e-5
    a: float = 0.5
    b: float = 0.5
    strategy_prior: float = 1.0

    matrix_: AnswerMatrix | None = field(default=None, init=False)
    posteriors_: FloatArray = field(default_factory=lambda: np.zeros((0, 0)), init=False)
    competence_: FloatArray = field(default_factory=lambda: np.zeros(0), init=False)
    strategies_: FloatArray = field(default_factory=lambda: np.zeros((0, 0)), init=False)
    loss_history_: list[float] = field(default_factory=list, init=False)
    n_iter_: int = field(default=0, init=False)

    def fit(self, answers: Answers, *, gold: Mapping[str, str] | None = None) -> Self:
        """Run variational EM on ``answers``; tasks in ``gold`` are clamped to their label."""
        gold = gold or {}
        matrix = answer_matrix(answers, gold.values())
        self.matrix_, self.loss_history_, self.n_iter_ = matrix, [], 0
        n_tasks, k = len(matrix.tasks), len(matrix.labels)
        if n_tasks == 0:
            self._learn({}, {})
            return self
        n_workers = len(matrix.workers)
        check_dense_budget(matrix, type(self).__name__)
        check_budget(
            (float(matrix.n_answers) * _PER_ANSWER + 4.0 * n_workers * k) * 8,
            f"{type(self).__name__} on {matrix.n_answers:,} answers x {k:,} labels",
        )
        rows, fixed = clamps(matrix, gold)
        probas = initial_posteriors(matrix, gold)
        probas[rows] = fixed
        answered = np.bincount(matrix.worker, minlength=n_workers).astype(np.float64)
        flat = matrix.task * k + matrix.label
        pair = matrix.worker * k + matrix.label
        # the start: every answer half honest (the paper's default noise 0.5)
        honest = 0.5 * probas[matrix.task, matrix.label]
        for _ in range(self.n_iter):
            self.n_iter_ += 1
            theta, spam = self._m_step(matrix, honest, answered, pair)
            probas, loss = self._e_step(matrix, flat, pair, theta, spam)
            probas[rows] = fixed
            honest = self._honest(matrix, probas, pair, theta, spam)
            self.loss_history_.append(loss / matrix.n_answers)
            history = self.loss_history_
            if len(history) > 1 and abs(history[-2] - history[-1]) < self.tol:
                break
        theta_mean = (self._expected(matrix, honest, answered) + self.a) / (
            answered + self.a + self.b
        )
        spammed = self._spammed(matrix, honest, pair) + self.strategy_prior
        self.posteriors_, self.competence_ = probas, theta_mean
        self.strategies_ = spammed / spammed.sum(axis=1, keepdims=True)
        self._learn_matrix(matrix, probas, probas)
        return self

    @staticmethod
    def _expected(matrix: AnswerMatrix, honest: FloatArray, answered: FloatArray) -> FloatArray:
        counts = np.bincount(matrix.worker, weights=honest, minlength=answered.size)
        return counts.astype(np.float64, copy=False)

    @staticmethod
    def _spammed(matrix: AnswerMatrix, honest: FloatArray, pair: IntArray) -> FloatArray:
        n_workers, k = len(matrix.workers), len(matrix.labels)
        counts = np.bincount(pair, weights=1.0 - honest, minlength=n_workers * k)
        return counts.astype(np.float64, copy=False).reshape(n_workers, k)

    def _m_step(
        self, matrix: AnswerMatrix, honest: FloatArray, answered: FloatArray, pair: IntArray
    ) -> tuple[FloatArray, FloatArray]:
        """Variational updates: ``(log θ, log (1 - θ) + log ξ)`` per worker (and label)."""
        h = self._expected(matrix, honest, answered)
        total = digamma(answered + self.a + self.b)
        log_theta = digamma(h + self.a) - total
        log_spam = digamma(answered - h + self.b) - total
        spammed = self._spammed(matrix, honest, pair) + self.strategy_prior
        log_xi = digamma(spammed) - digamma(spammed.sum(axis=1, keepdims=True))
        return np.exp(log_theta), np.exp(log_spam[:, None] + log_xi)

    @staticmethod
    def _e_step(
        matrix: AnswerMatrix,
        flat: IntArray,
        pair: IntArray,
        theta: FloatArray,
        spam: FloatArray,
    ) -> tuple[FloatArray, float]:
        n_tasks, k = len(matrix.tasks), len(matrix.labels)
        noise = spam.reshape(-1)[pair]  # (1 - θ) ξ[j] of each answer
        bonus = np.log(theta[matrix.worker] + noise) - np.log(np.maximum(noise, _TINY))
        scores = np.bincount(flat, weights=bonus, minlength=n_tasks * k).reshape(n_tasks, k)
        base = np.bincount(
            matrix.task, weights=np.log(np.maximum(noise, _TINY)), minlength=n_tasks
        )
        top = scores.max(axis=1, keepdims=True)
        weights = np.exp(scores - top)
        total = weights.sum(axis=1, keepdims=True)
        loss = -float((np.log(total / k) + top).sum() + base.sum())
        return weights / total, loss

    @staticmethod
    def _honest(
        matrix: AnswerMatrix,
        probas: FloatArray,
        pair: IntArray,
        theta: FloatArray,
        spam: FloatArray,
    ) -> FloatArray:
        """Expected honesty of every answer: P(z = j) · θ / (θ + (1 - θ) ξ[j])."""
        t = theta[matrix.worker]
        noise = spam.reshape(-1)[pair]
        out: FloatArray = probas[matrix.task, matrix.label] * t / (t + noise)
        return out
