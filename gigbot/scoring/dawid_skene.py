"""Dawid-Skene by EM, with worker confusion matrices shrunk towards the crowd (pooled prior).

Model (Dawid & Skene 1979, "Maximum likelihood estimation of observer error-rates using the EM
algorithm"): task ``t`` has a true label ``z_t`` drawn from class priors ``ρ``; worker ``w``
answers ``j`` when the truth is ``k`` with probability ``π_w[k, j]`` (a full confusion matrix).

    E-step:  T[t, k] ∝ ρ_k · Π_{answers (w, j) on t} π_w[k, j]
    M-step:  N_w[k, j] = Σ_{answers (t, w, j)} T[t, k]
             π_w[k, j] = (N_w[k, j] + s · M_w[k, j]) / (Σ_j N_w[k, j] + s)
             ρ_k = (Σ_t T[t, k] + 1) / (n_tasks + K)

The plain model fits a K × K matrix per worker; a worker with a handful of answers gets wild
estimates (many classes, sparse workers) and plain DS then loses to majority vote. Here each row
of a worker's matrix has a Dirichlet prior with mean ``M_w[k]`` and strength ``s`` (worth ``s``
answers; ``s = K`` by default, one answer per cell of the row), a hierarchical ("pooled")
Dawid-Skene:

    M_w[k, k] = a_w                               the worker's own overall accuracy
    M_w[k, j] = (1 - a_w) · P[k, j] / (1 - P[k, k])   their errors spread like the crowd's
    a_w = (Σ_k N_w[k, k] + s_a · ā) / (n_w + s_a)     shrunk to the crowd accuracy ā

where ``P`` is the pooled confusion matrix of all answers. A worker with few answers thus
behaves like a one-coin worker of the crowd's accuracy (close to a weighted majority vote);
one with many answers gets their own full confusion matrix. Both priors are conjugate, so the
M-step stays closed-form (MAP-EM).

Initialisation is the majority vote's vote shares (deterministic), or with gold the posteriors
of the gold-weighted vote (see :class:`gigbot.scoring.weighted.WeightedVote`); gold tasks are
clamped to their label at every E-step. The loss is the negative log-likelihood of the answers per
answer; EM stops when it changes by less than ``tol``. Ties go to the smallest label (labels
are sorted and the first maximum wins). The confidence of a label is its posterior ``T[t, k]``.

Everything is vectorised over index arrays computed once per fit: the E-step gathers
``log π_w[·, j]`` per (worker, label) pair and sums them per task with ``np.add.reduceat``; the
M-step sums task posteriors per (worker, label) pair the same way and scatters them into the
confusion counts.
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

__all__ = ["DawidSkene"]

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class _Layout:
    """Index arrays computed once per fit: answers grouped by task and by (worker, label)."""

    task_starts: npt.NDArray[np.intp]  # first answer of each task, answers sorted by task
    pair_by_task: npt.NDArray[np.intp]  # the (worker, label) pair of each answer, by task
    pair_worker: npt.NDArray[np.intp]  # worker of each distinct pair
    pair_label: npt.NDArray[np.intp]  # answered label of each distinct pair
    pair_starts: npt.NDArray[np.intp]  # first answer of each pair, answers sorted by pair
    task_by_pair: npt.NDArray[np.intp]  # the task of each answer, answers sorted by pair

    @classmethod
    def of(cls, matrix: AnswerMatrix) -> _Layout:
        """The layout of ``matrix``."""
        k = len(matrix.labels)
        pairs, pair_of = np.unique(matrix.worker * k + matrix.label, return_inverse=True)
        by_task = np.argsort(matrix.task, kind="stable")
        by_pair = np.argsort(pair_of, kind="stable")
        return cls(
            task_starts=_starts(matrix.task[by_task]),
            pair_by_task=pair_of[by_task],
            pair_worker=pairs // k,
            pair_label=pairs % k,
            pair_starts=_starts(pair_of[by_pair]),
            task_by_pair=matrix.task[by_pair],
        )


def _starts(sorted_keys: npt.NDArray[np.intp]) -> npt.NDArray[np.intp]:
    """Where each run of equal keys begins in a sorted array."""
    return np.flatnonzero(np.r_[True, sorted_keys[1:] != sorted_keys[:-1]])


@dataclass(slots=True)
class DawidSkene(LabelAggregator):
    """Pooled Dawid-Skene (see the module doc); ``fit`` learns ``labels_``, ``probas_`` and
    ``posteriors_`` (the same as an array, tasks × ``matrix_.labels``), ``errors_``, ``priors_``.

    ``prior_strength`` (s) is the weight, in answers, of the crowd-shaped prior on each row of
    a worker's confusion matrix, by default K (one answer's worth per cell of the row);
    ``skill_strength`` (s_a) the weight of the crowd accuracy in a worker's own accuracy.
    ``prior_strength=0`` gives plain (maximum-likelihood) Dawid-Skene
    with a tiny smoothing that only keeps logarithms finite. Ties go to the smallest label.
    """

    n_iter: int = 100
    tol: float = 1e-5
    prior_strength: float | None = None
    skill_strength: float = 2.0

    matrix_: AnswerMatrix | None = field(default=None, init=False)
    posteriors_: FloatArray = field(default_factory=lambda: np.zeros((0, 0)), init=False)
    errors_: FloatArray = field(default_factory=lambda: np.zeros((0, 0, 0)), init=False)
    priors_: FloatArray = field(default_factory=lambda: np.zeros(0), init=False)
    loss_history_: list[float] = field(default_factory=list, init=False)
    n_iter_: int = field(default=0, init=False)

    def fit(self, answers: Answers, *, gold: Mapping[str, str] | None = None) -> Self:
        """Run EM on ``answers``; tasks in ``gold`` are clamped to their known label."""
        gold = gold or {}
        if isinstance(answers, AnswerMatrix):
            matrix = answers
            missing = [v for v in gold.values() if v not in set(matrix.labels)]
            if missing:
                raise ValueError(f"gold label {missing[0]!r} is not among the answer labels")
        else:
            matrix = answer_matrix(answers, gold.values())
        self.matrix_ = matrix
        self.loss_history_ = []
        n_tasks, k, n_workers = len(matrix.tasks), len(matrix.labels), len(matrix.workers)
        if n_tasks == 0:
            self._learn({}, {})
            self.posteriors_, self.errors_, self.priors_ = (
                np.zeros((0, k)),
                np.zeros((0, k, k)),
                np.zeros(k),
            )
            self.n_iter_ = 0
            return self

        check_dense_budget(matrix, type(self).__name__)
        check_budget(
            float(n_workers) * k * k * 6 * 8,
            f"Dawid-Skene on {n_workers:,} workers x {k:,}² labels",
        )
        layout = _Layout.of(matrix)
        clamp_rows, clamp_probs = clamps(matrix, gold)
        probas = initial_posteriors(matrix, gold)
        probas[clamp_rows] = clamp_probs
        errors = np.zeros((n_workers, k, k))
        priors = np.full(k, 1.0 / k)
        self.n_iter_ = 0
        for _ in range(self.n_iter):
            self.n_iter_ += 1
            errors, priors = self._m_step(layout, probas, n_workers, k)
            probas, loss = self._e_step(layout, errors, priors)
            probas[clamp_rows] = clamp_probs
            self.loss_history_.append(loss / matrix.n_answers)
            history = self.loss_history_
            if len(history) > 1 and abs(history[-2] - history[-1]) < self.tol:
                break
        self.posteriors_, self.errors_, self.priors_ = probas, errors, priors
        self._learn_matrix(matrix, probas, probas)
        return self

    def _m_step(
        self, layout: _Layout, probas: FloatArray, n_workers: int, k: int
    ) -> tuple[FloatArray, FloatArray]:
        # soft counts N_w[k, j]: per (worker, answered label) pair, sum the posteriors of the
        # tasks it answered (answers pre-sorted by pair, so one reduceat), then scatter
        per_pair = np.add.reduceat(probas[layout.task_by_pair], layout.pair_starts, axis=0)
        counts = np.zeros((n_workers, k, k))
        counts[layout.pair_worker, :, layout.pair_label] = per_pair
        n_tasks = probas.shape[0]
        priors = (probas.sum(axis=0) + 1.0) / (n_tasks + k)
        s = float(k) if self.prior_strength is None else self.prior_strength
        if s <= 0:
            smoothed = counts + 1e-6
            return smoothed / smoothed.sum(axis=2, keepdims=True), priors
        pooled = counts.sum(axis=0) + 1.0 / k  # a fraction of an answer per cell keeps it finite
        pooled /= pooled.sum(axis=1, keepdims=True)
        diag = np.einsum("kk->k", pooled)
        crowd_accuracy = float(priors @ diag)
        answered = counts.sum(axis=(1, 2))
        own_right = np.einsum("wkk->w", counts)
        accuracy = (own_right + self.skill_strength * crowd_accuracy) / (
            answered + self.skill_strength
        )
        # the crowd's error pattern per true class, rescaled to each worker's accuracy
        off = pooled / np.maximum(1.0 - diag, 1e-12)[:, None]
        np.fill_diagonal(off, 0.0)
        mean = (1.0 - accuracy)[:, None, None] * off[None, :, :]
        idx = np.arange(k)
        mean[:, idx, idx] = accuracy[:, None]
        errors = (counts + s * mean) / (counts.sum(axis=2, keepdims=True) + s)
        return np.maximum(errors, 1e-12), priors

    @staticmethod
    def _e_step(
        layout: _Layout, errors: FloatArray, priors: FloatArray
    ) -> tuple[FloatArray, float]:
        log_errors = np.log(errors)
        per_pair = log_errors[layout.pair_worker, :, layout.pair_label]  # log π_w[·, j] per pair
        per_answer = per_pair[layout.pair_by_task]  # answers sorted by task
        joint = np.add.reduceat(per_answer, layout.task_starts, axis=0) + np.log(priors)[None, :]
        top = joint.max(axis=1, keepdims=True)
        weights = np.exp(joint - top)
        total = weights.sum(axis=1, keepdims=True)
        loss = -float((np.log(total) + top).sum())
        return weights / total, loss
