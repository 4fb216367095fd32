"""Plain values shared by the scoring modules: votes, answers, labels, decisions.

Nothing here does I/O. Labels are strings; a multi-label answer is a ``frozenset`` of strings
(use :func:`as_label` on a JSON value). Workers are any hashable id (an ``int`` in the bot, a
``str`` in a CSV file).
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Generic, NamedTuple, TypeAlias, TypeVar

import numpy as np
import numpy.typing as npt

__all__ = [
    "AnswerMatrix",
    "Decision",
    "Label",
    "TaskAnswer",
    "Vote",
    "as_label",
    "label_order",
    "label_values",
]

Label: TypeAlias = str | frozenset[str]
W = TypeVar("W", bound=Hashable)


def as_label(value: str | Iterable[str]) -> Label:
    """A stored answer value as a label: a string stays, a list of values becomes a frozenset."""
    if isinstance(value, str):
        return value
    return frozenset(value)


def label_order(label: Label) -> tuple[int, int, tuple[str, ...]]:
    """Sort key that makes ties deterministic: strings first, then sets by size and members."""
    if isinstance(label, str):
        return (0, 0, (label,))
    return (1, len(label), tuple(sorted(label)))


@dataclass(frozen=True, slots=True)
class Vote(Generic[W]):
    """One worker's answer on an item (``task``; empty when the votes are one item's)."""

    worker: W
    label: Label  # a list of values (a multi-label answer as stored) becomes a frozenset
    task: str = ""

    def __post_init__(self) -> None:
        if not isinstance(self.label, str | frozenset):
            object.__setattr__(self, "label", as_label(self.label))


class TaskAnswer(NamedTuple):
    """One row of a crowd-answer table: ``task,worker,label`` (all strings, as in a CSV file).

    A named tuple rather than a dataclass: files hold hundreds of thousands of rows.
    """

    task: str
    worker: str
    label: str


@dataclass(frozen=True, slots=True)
class Decision:
    """The chosen label of an item and how sure the method is about it."""

    label: Label
    confidence: float  # posterior (or share of weight) behind ``label``, in [0, 1]


def first_seen(values: Iterable[str]) -> list[str]:
    """Distinct values in order of first appearance."""
    return list(dict.fromkeys(values))


def tasks_in_order(answers: Sequence[TaskAnswer]) -> list[str]:
    """The tasks of ``answers`` in order of first appearance."""
    return first_seen(a.task for a in answers)


@dataclass(frozen=True, slots=True)
class AnswerMatrix:
    """Answers as index arrays, the form the vectorised methods work on.

    ``tasks`` keeps the order of first appearance (the order of every output); ``labels`` is
    sorted, so that picking the first of equal scores sends ties to the smallest label string.
    """

    tasks: list[str]
    workers: list[str]
    labels: list[str]
    task: npt.NDArray[np.intp]
    worker: npt.NDArray[np.intp]
    label: npt.NDArray[np.intp]

    @classmethod
    def build(
        cls, answers: Iterable[TaskAnswer], extra_labels: Iterable[str] = ()
    ) -> AnswerMatrix:
        """Encode answers; ``extra_labels`` (e.g. gold values nobody chose) join the label set."""
        task_ix: dict[str, int] = {}
        worker_ix: dict[str, int] = {}
        label_ix: dict[str, int] = {}
        t: list[int] = []
        w: list[int] = []
        raw: list[int] = []
        for a in answers:
            t.append(task_ix.setdefault(a.task, len(task_ix)))
            w.append(worker_ix.setdefault(a.worker, len(worker_ix)))
            raw.append(label_ix.setdefault(a.label, len(label_ix)))
        for extra in extra_labels:
            label_ix.setdefault(extra, len(label_ix))
        labels = sorted(label_ix)
        remap = np.empty(len(label_ix), dtype=np.intp)
        for rank, value in enumerate(labels):
            remap[label_ix[value]] = rank
        return cls(
            tasks=list(task_ix),
            workers=list(worker_ix),
            labels=labels,
            task=np.asarray(t, dtype=np.intp),
            worker=np.asarray(w, dtype=np.intp),
            label=remap[np.asarray(raw, dtype=np.intp)] if raw else np.zeros(0, dtype=np.intp),
        )

    @property
    def n_answers(self) -> int:
        """Number of answers."""
        return int(self.task.shape[0])

    def vote_counts(self) -> npt.NDArray[np.float64]:
        """Votes per (task, label), shape (tasks, labels)."""
        k = len(self.labels)
        flat = np.bincount(self.task * k + self.label, minlength=len(self.tasks) * k)
        return flat.reshape(len(self.tasks), k).astype(np.float64)


def label_values(labels: Iterable[Mapping[str, Any]]) -> list[str]:
    """The label values of a project or quiz, in button order."""
    return [str(label["value"]) for label in labels]
