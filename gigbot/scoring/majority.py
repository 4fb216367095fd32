"""Majority vote: the most frequent label of each task."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Self

from gigbot.scoring.base import Answers, LabelAggregator, answer_matrix, check_dense_budget

__all__ = ["MajorityVote"]


@dataclass(slots=True)
class MajorityVote(LabelAggregator):
    """Most frequent label per task; ``probas_`` = the vote shares of the labels in the answers.

    ``P(l | task) = n_l / n`` over the task's ``n`` answers. Ties go to the smallest label
    string. ``gold`` is accepted and not used: every answer counts once.
    """

    def fit(self, answers: Answers, *, gold: Mapping[str, str] | None = None) -> Self:
        """Count the votes of every task in ``answers``."""
        del gold  # one answer, one vote
        matrix = answer_matrix(answers)
        if not matrix.tasks:
            self._learn({}, {})
            return self
        check_dense_budget(matrix, type(self).__name__, per_cell=3)
        counts = matrix.vote_counts()
        self._learn_matrix(matrix, counts, counts / counts.sum(axis=1, keepdims=True))
        return self
