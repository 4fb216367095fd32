"""GLAD: worker ability and task difficulty (Whitehill, Ruvolo, Wu, Bergsma and Movellan 2009).

Model: task ``t`` has a true label ``z_t`` drawn from class priors ``ρ`` and an easiness
``β_t > 0`` (the inverse of its difficulty); worker ``w`` has an ability ``α_w`` (negative:
adversarial, 0: guessing). The worker gives the true label with probability

    P(right | t, w) = σ(α_w · β_t),      σ(x) = 1 / (1 + e^(-x)),

and otherwise one of the ``K - 1`` other labels uniformly (the multi-class form of the paper).
On a very hard task (``β → 0``) everybody guesses; on an easy one good workers are nearly
always right. The one-coin worker is the special case of equal easiness everywhere.

EM (the paper's): the E-step gives the posteriors ``T[t, k]`` of the labels as in one-coin
Dawid-Skene with a per-answer accuracy; the M-step maximises the expected complete log
likelihood

    Q = Σ_{answers (t, w, j)} ( r · log σ(α_w β_t) + (1 - r) · log((1 - σ(α_w β_t)) / (K - 1)) )
        - Σ_w (α_w - μ_α)² / 2  - Σ_t (log β_t)² / 2,        r = T[t, j],

plus the class priors ``ρ_k = (Σ_t T[t, k] + 1) / (n_tasks + K)``, by gradient steps: given
the easiness ``Q`` is concave in every ``α_w`` separately, so each takes a Newton step (the
gradient ``Σ (r - σ) β_t`` over the curvature ``Σ σ(1 - σ) β_t² + 1``); then every ``log β_t``
takes a step of its gradient ``Σ (r - σ) α_w β_t - log β_t`` over the Fisher curvature
``Σ σ(1 - σ) (α_w β_t)² + 1``; a step that would lower ``Q`` is halved until it does not, so
every M-step raises ``Q`` (a generalised EM step). ``m_steps`` such rounds per M-step.
The Gaussian priors (unit variance; ``log β`` centred on 0, i.e. average easiness 1, which
also fixes the scale the product ``α β`` leaves free) keep a worker or task with a couple of
answers near the crowd: ``μ_α`` is the crowd's mean ability under the current fit (an
empirical-Bayes prior, as ``ocds`` shrinks to the crowd's mean accuracy).

Initialisation: majority vote shares, or with gold the gold-weighted vote; gold tasks are
clamped to their label. Stops when the negative log-likelihood per answer changes by less than
``tol``. Ties go to the smallest label. Confidence = the posterior ``T[t, k]`` of the label.
Vectorised: every step is a gather over the answers and an ``np.bincount``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import partial
from typing import Self, TypedDict

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

__all__ = ["GLAD"]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.intp]
_MAX_STEP = 2.0  # the largest change of one parameter per gradient step
_HALVINGS = 8
_PER_ANSWER = 12  # floats alive per answer during a step


def log_sigmoid(x: FloatArray) -> FloatArray:
    """``log σ(x)``, stable for large ``|x|``."""
    out: FloatArray = np.minimum(x, 0.0) - np.log1p(np.exp(-np.abs(x)))
    return out


def sigmoid(x: FloatArray) -> FloatArray:
    """``σ(x)`` without overflow."""
    out: FloatArray = 0.5 + 0.5 * np.tanh(0.5 * x)
    return out


class _Data(TypedDict):
    right: FloatArray
    mean: float
    t: IntArray
    w: IntArray


def _objective(
    alphas: FloatArray,
    log_betas: FloatArray,
    *,
    right: FloatArray,
    mean: float,
    t: IntArray,
    w: IntArray,
) -> float:
    """The M-step's ``Q`` (up to a constant): expected log likelihood plus the log priors."""
    x = alphas[w] * np.exp(log_betas)[t]
    fit = log_sigmoid(x) - (1.0 - right) * x  # log σ(-x) = log σ(x) - x
    penalty = ((alphas - mean) ** 2).sum() + (log_betas**2).sum()
    return float(fit.sum() - 0.5 * penalty)


def _ascend(
    start: FloatArray, step: FloatArray, q: float, objective: Callable[[FloatArray], float]
) -> tuple[FloatArray, float]:
    """``start + step``, halved until ``objective`` does not decrease (at most ``_HALVINGS``
    times, else ``start``): every M-step then raises ``Q``, a generalised EM step."""
    for _ in range(_HALVINGS):
        moved = start + step
        value = objective(moved)
        if value >= q:
            return moved, value
        step = step * 0.5
    return start, q


@dataclass(slots=True)
class GLAD(LabelAggregator):
    """GLAD (``glad``, see the module doc); learns ``alphas_`` (ability per worker, indexed
    like ``matrix_.workers``), ``betas_`` (easiness per task, like ``matrix_.tasks``),
    ``priors_``, ``posteriors_``, ``loss_history_``."""

    n_iter: int = 100
    tol: float = 1e-5
    m_steps: int = 3

    matrix_: AnswerMatrix | None = field(default=None, init=False)
    posteriors_: FloatArray = field(default_factory=lambda: np.zeros((0, 0)), init=False)
    alphas_: FloatArray = field(default_factory=lambda: np.zeros(0), init=False)
    betas_: FloatArray = field(default_factory=lambda: np.zeros(0), init=False)
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
        check_budget(
            float(matrix.n_answers) * _PER_ANSWER * 8,
            f"{type(self).__name__} on {matrix.n_answers:,} answers",
        )
        rows, fixed = clamps(matrix, gold)
        probas = initial_posteriors(matrix, gold)
        probas[rows] = fixed
        alphas = np.ones(len(matrix.workers))
        log_betas = np.zeros(n_tasks)
        flat = matrix.task * k + matrix.label
        for _ in range(self.n_iter):
            self.n_iter_ += 1
            alphas, log_betas, priors = self._m_step(matrix, probas, alphas, log_betas)
            probas, loss = self._e_step(matrix, flat, alphas, np.exp(log_betas), priors)
            probas[rows] = fixed
            self.loss_history_.append(loss / matrix.n_answers)
            history = self.loss_history_
            if len(history) > 1 and abs(history[-2] - history[-1]) < self.tol:
                break
        self.posteriors_, self.alphas_, self.betas_ = probas, alphas, np.exp(log_betas)
        self.priors_ = priors
        self._learn_matrix(matrix, probas, probas)
        return self

    def _m_step(
        self, matrix: AnswerMatrix, probas: FloatArray, alphas: FloatArray, log_betas: FloatArray
    ) -> tuple[FloatArray, FloatArray, FloatArray]:
        t, w = matrix.task, matrix.worker
        right = probas[t, matrix.label]  # P(answer is right) under the posteriors
        n_workers, n_tasks = alphas.size, log_betas.size
        mean = float(alphas.mean())  # the empirical-Bayes centre of the abilities
        data: _Data = {"right": right, "mean": mean, "t": t, "w": w}
        q = _objective(alphas, log_betas, **data)
        for _ in range(self.m_steps):
            beta = np.exp(log_betas)[t]
            s = sigmoid(alphas[w] * beta)
            grad = np.bincount(w, weights=(right - s) * beta, minlength=n_workers)
            curve = np.bincount(w, weights=s * (1.0 - s) * beta * beta, minlength=n_workers)
            step = np.clip((grad - (alphas - mean)) / (curve + 1.0), -_MAX_STEP, _MAX_STEP)
            given_betas = partial(_objective, log_betas=log_betas, **data)
            alphas, q = _ascend(alphas, step, q, given_betas)
            x = alphas[w] * beta
            s = sigmoid(x)
            grad = np.bincount(t, weights=(right - s) * x, minlength=n_tasks)
            curve = np.bincount(t, weights=s * (1.0 - s) * x * x, minlength=n_tasks)
            step = np.clip((grad - log_betas) / (curve + 1.0), -_MAX_STEP, _MAX_STEP)
            log_betas, q = _ascend(log_betas, step, q, partial(_objective, alphas, **data))
        k = probas.shape[1]
        priors = (probas.sum(axis=0) + 1.0) / (n_tasks + k)
        return alphas, log_betas, priors

    @staticmethod
    def _e_step(
        matrix: AnswerMatrix,
        flat: IntArray,
        alphas: FloatArray,
        betas: FloatArray,
        priors: FloatArray,
    ) -> tuple[FloatArray, float]:
        n_tasks, k = len(matrix.tasks), len(matrix.labels)
        x = alphas[matrix.worker] * betas[matrix.task]
        right = log_sigmoid(x)
        wrong = right - x - np.log(max(k - 1, 1))
        scores = np.bincount(flat, weights=right - wrong, minlength=n_tasks * k)
        base = np.bincount(matrix.task, weights=wrong, minlength=n_tasks)
        joint = scores.reshape(n_tasks, k) + np.log(priors)[None, :]
        top = joint.max(axis=1, keepdims=True)
        weights = np.exp(joint - top)
        total = weights.sum(axis=1, keepdims=True)
        loss = -float((np.log(total) + top).sum() + base.sum())
        return weights / total, loss
