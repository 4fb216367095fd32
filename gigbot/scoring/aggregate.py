"""One entry point for the categorical methods, as ``labels aggregate`` and exports name them."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Literal

from gigbot.scoring.dawid_skene import DawidSkene
from gigbot.scoring.majority import majority_vote, wmv
from gigbot.scoring.types import AnswerMatrix, Decision, TaskAnswer

__all__ = ["METHODS", "Method", "aggregate"]

Method = Literal["mv", "wmv", "ds"]
METHODS: tuple[Method, ...] = ("mv", "wmv", "ds")


def aggregate(
    answers: Iterable[TaskAnswer] | AnswerMatrix,
    method: Method,
    gold: Mapping[str, str] | None = None,
) -> dict[str, Decision]:
    """Labels per task (order of first appearance) by ``method``.

    - ``mv``: majority vote, ties to the smallest label; gold is not used.
    - ``wmv``: votes weighted by each worker's (smoothed) accuracy on the gold tasks.
    - ``ds``: pooled Dawid-Skene; gold tasks are clamped to their known label.
    """
    gold = gold or {}
    if method == "mv":
        return majority_vote(answers)
    if method == "wmv":
        return wmv(answers, gold)
    if method == "ds":
        matrix = (
            answers
            if isinstance(answers, AnswerMatrix)
            else AnswerMatrix.build(answers, gold.values())
        )
        return DawidSkene().fit(matrix, gold).decisions()
    raise ValueError(f"unknown method {method!r}; expected one of {', '.join(METHODS)}")
