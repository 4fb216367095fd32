"""The one interface of every aggregation method, in the shape crowd-kit made familiar.

An aggregator is configured in its constructor and learns from plain data: ``fit(answers, *,
gold=None)`` returns the aggregator itself, after which the learned state (names ending in
``_``) holds the result. Categorical methods (:class:`LabelAggregator`) learn ``labels_`` (task
-> label) and ``probas_`` (task -> {label: probability}); text methods (:class:`TextAggregator`)
learn ``texts_`` and ``confidences_``. Both offer ``fit_predict`` and ``decisions()`` (label or
text with its confidence per task, tasks in order of first appearance); the categorical ones
also ``fit_predict_proba``. The registry of names (``mv``, ``wmv``, ``ds``, ``glad``, ``auto``,
``rover``, ``medoid``, ...) is :mod:`gigbot.scoring.methods`.

Answers are :class:`TaskAnswer` rows, :class:`Vote` values (their ``task`` field names the
item) or an :class:`AnswerMatrix` already built from them.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Self, TypeAlias

import numpy as np
import numpy.typing as npt

from gigbot.scoring.types import AnswerMatrix, Decision, Label, TaskAnswer, Vote

__all__ = [
    "MEMORY_BUDGET",
    "Answers",
    "LabelAggregator",
    "MemoryBudgetError",
    "TextAggregator",
    "TextDecision",
    "answer_matrix",
    "check_budget",
    "check_dense_budget",
    "group_by_task",
]

Answers: TypeAlias = Iterable[TaskAnswer | Vote[Any]] | AnswerMatrix
Probas: TypeAlias = dict[str, dict[Label, float]]

# The most memory one fit may ask for. Each method states its need from the sizes of its input
# before allocating (a task x label table for every method, classes^2 x workers more for full
# Dawid-Skene) and refuses above this with MemoryBudgetError, instead of asking the system for
# terabytes when free text is aggregated as categories.
MEMORY_BUDGET = 512 * 2**20
_FLOAT = 8


class MemoryBudgetError(ValueError):
    """A fit would need more memory than :data:`MEMORY_BUDGET`; the message is one line."""


def check_budget(need: float, what: str, budget: int = MEMORY_BUDGET) -> None:
    """Raise :class:`MemoryBudgetError` when ``need`` bytes (for ``what``) exceed ``budget``."""
    if need > budget:
        raise MemoryBudgetError(
            f"{what} would need {_size(need)} of memory, over the budget of {_size(budget)}"
        )


def check_dense_budget(matrix: AnswerMatrix, method: str, per_cell: int = 6) -> None:
    """Check the task x label tables of a fit (``per_cell`` floats live per cell at once)."""
    cells = float(len(matrix.tasks)) * len(matrix.labels)
    check_budget(
        cells * per_cell * _FLOAT,
        f"{method} on {len(matrix.tasks):,} tasks x {len(matrix.labels):,} labels",
    )


def _size(n: float) -> str:
    for unit, scale in (("TiB", 2**40), ("GiB", 2**30), ("MiB", 2**20)):
        if n >= scale:
            return f"{n / scale:.1f} {unit}"
    return f"{n / 2**10:.1f} KiB"


@dataclass(frozen=True, slots=True)
class TextDecision:
    """The combined text of one item and the agreement behind it (0-1)."""

    text: str
    confidence: float


def _row(answer: TaskAnswer | Vote[Any]) -> TaskAnswer:
    if isinstance(answer, TaskAnswer):
        return answer
    if not isinstance(answer.label, str):
        raise TypeError("this method needs string labels; encode label sets as strings first")
    return TaskAnswer(answer.task, str(answer.worker), answer.label)


def _text(answer: TaskAnswer | Vote[Any]) -> str:
    if not isinstance(answer.label, str):
        raise TypeError("a text method needs string answers")
    return answer.label


def answer_matrix(answers: Answers, extra_labels: Iterable[str] = ()) -> AnswerMatrix:
    """``answers`` as an AnswerMatrix (workers of votes as strings); a matrix is kept as is."""
    if isinstance(answers, AnswerMatrix):
        return answers
    return AnswerMatrix.build((_row(a) for a in answers), extra_labels)


def group_by_task(answers: Answers) -> dict[str, list[TaskAnswer | Vote[Any]]]:
    """The answers of each task, tasks in order of first appearance."""
    if isinstance(answers, AnswerMatrix):
        raise TypeError("this method reads answers, not an AnswerMatrix")
    by_task: dict[str, list[TaskAnswer | Vote[Any]]] = {}
    for answer in answers:
        by_task.setdefault(answer.task, []).append(answer)
    return by_task


@dataclass(slots=True)
class LabelAggregator(ABC):
    """A categorical aggregation method: ``fit`` learns ``labels_`` and ``probas_``.

    ``probas_[task]`` maps labels to their probability and sums to 1 (see each method for the
    labels it lists); the label of a task is always one of highest probability, ties broken as
    the method documents.
    """

    _labels: dict[str, Label] | None = field(default=None, init=False, repr=False)
    _probas: Probas | None = field(default=None, init=False, repr=False)
    # arrays of a matrix fit, turned into the dictionaries above on first use: a fit stays
    # the cost of the method itself
    _arrays: _MatrixFit | None = field(default=None, init=False, repr=False)

    @abstractmethod
    def fit(self, answers: Answers, *, gold: Mapping[str, str] | None = None) -> Self:
        """Learn the label of every task in ``answers``; ``gold`` maps tasks to known labels."""

    @property
    def labels_(self) -> dict[str, Label]:
        """The chosen label per task, tasks in order of first appearance."""
        return self._learned()[0]

    @property
    def probas_(self) -> Probas:
        """The probability of each label per task."""
        return self._learned()[1]

    def _learned(self) -> tuple[dict[str, Label], Probas]:
        if self._arrays is not None:
            self._labels, self._probas = self._arrays.dictionaries()
            self._arrays = None
        if self._labels is None or self._probas is None:
            raise RuntimeError(f"call {type(self).__name__}.fit() first")
        return self._labels, self._probas

    def decisions(self) -> dict[str, Decision]:
        """The chosen label per task with its probability as the confidence."""
        probas = self.probas_
        return {
            task: Decision(label=label, confidence=probas[task][label])
            for task, label in self.labels_.items()
        }

    def fit_predict(
        self, answers: Answers, *, gold: Mapping[str, str] | None = None
    ) -> dict[str, Label]:
        """``fit`` then ``labels_``."""
        return self.fit(answers, gold=gold).labels_

    def fit_predict_proba(
        self, answers: Answers, *, gold: Mapping[str, str] | None = None
    ) -> Probas:
        """``fit`` then ``probas_``."""
        return self.fit(answers, gold=gold).probas_

    def _learn_matrix(
        self,
        matrix: AnswerMatrix,
        scores: npt.NDArray[np.float64],
        probas: npt.NDArray[np.float64],
    ) -> None:
        """Set the learned state from per-(task, label) arrays: the label of a task is the first
        of highest score (labels are sorted, so ties go to the smallest)."""
        best = np.argmax(scores, axis=1) if matrix.tasks else np.zeros(0, dtype=np.intp)
        self._labels = self._probas = None
        self._arrays = _MatrixFit(matrix, best, probas)

    def _learn(self, labels: dict[str, Label], probas: Probas) -> None:
        self._labels, self._probas, self._arrays = labels, probas, None


@dataclass(frozen=True, slots=True)
class _MatrixFit:
    """A categorical result as arrays: the best label index and the probabilities per task."""

    matrix: AnswerMatrix
    best: npt.NDArray[np.intp]
    probas: npt.NDArray[np.float64]

    def dictionaries(self) -> tuple[dict[str, Label], Probas]:
        """``labels_`` and ``probas_`` of the result."""
        tasks, labels = self.matrix.tasks, self.matrix.labels
        chosen: dict[str, Label] = {
            task: labels[b] for task, b in zip(tasks, self.best.tolist(), strict=True)
        }
        probas: Probas = {
            task: dict(zip(labels, row, strict=True))
            for task, row in zip(tasks, self.probas.tolist(), strict=True)
        }
        return chosen, probas


@dataclass(slots=True)
class TextAggregator(ABC):
    """A text aggregation method: ``fit`` learns ``texts_`` and ``confidences_`` per task."""

    _decisions: dict[str, TextDecision] | None = field(default=None, init=False, repr=False)

    @abstractmethod
    def combine(self, texts: list[str]) -> TextDecision:
        """One item's transcriptions combined into one text."""

    def fit(self, answers: Answers, *, gold: Mapping[str, str] | None = None) -> Self:
        """Combine every task's transcriptions; ``gold`` is accepted but not used."""
        del gold  # no text method learns from gold yet
        self._decisions = {
            task: self.combine([_text(a) for a in rows])
            for task, rows in group_by_task(answers).items()
        }
        return self

    def decisions(self) -> dict[str, TextDecision]:
        """The combined text per task with its confidence, tasks in order of first appearance."""
        if self._decisions is None:
            raise RuntimeError(f"call {type(self).__name__}.fit() first")
        return self._decisions

    @property
    def texts_(self) -> dict[str, str]:
        """The combined text per task."""
        return {task: d.text for task, d in self.decisions().items()}

    @property
    def confidences_(self) -> dict[str, float]:
        """The agreement behind each task's text (0-1)."""
        return {task: d.confidence for task, d in self.decisions().items()}

    def fit_predict(
        self, answers: Answers, *, gold: Mapping[str, str] | None = None
    ) -> dict[str, str]:
        """``fit`` then ``texts_``."""
        return self.fit(answers, gold=gold).texts_
