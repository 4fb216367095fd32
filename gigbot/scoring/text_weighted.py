"""ROVER with reliability-weighted word votes (``wrover``): a worker who errs less counts more.

1. Every task's transcriptions are compared pairwise: ``d(a, b)`` = word edit distance /
   the longer length (normalised words, :mod:`gigbot.scoring.text_agg`).
2. Each worker's word error rate ``e_w`` is estimated. From agreement: two transcriptions
   with independent error rates ``e_a`` and ``e_b`` differ in about ``e_a + e_b`` of their
   words, so a worker's mean distance to the others of their tasks, ``D_w``, is about
   ``e_w + ē`` where ``ē``, the crowd's error, is half the mean pairwise distance; hence
   ``e_w ≈ D_w − ē``. From gold, where the worker transcribed gold tasks: their WER there.
   Both are shrunk towards ``ē`` with the weight of ``strength`` answers (a worker seen twice
   is not judged from two answers), gold first when the two are given.
3. The vote weight is the log-odds that a word of the worker is right, ``log((1 − e)/e)``
   (the optimal weight of independent voters, Nitzan & Paroush 1982), floored at
   ``min_weight`` so that a transcription always counts a little.
4. The backbone is the weighted medoid (smallest ``Σ_b w_b d(a, b)``); every transcription is
   aligned to it and each word slot and gap goes to the most weight (ROVER, Fiscus 1997).

The pairwise distances are computed once per task and serve both the reliabilities and the
medoid, so the method costs one ROVER. Confidence: the weighted mean word similarity of the
result to the task's transcriptions (0 for a single one).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Self

from rapidfuzz.distance import Levenshtein

from gigbot.scoring.base import Answers, TextAggregator, TextDecision, group_by_task
from gigbot.scoring.text import words
from gigbot.scoring.text_agg import Tokens, similarity, tokens_of, vote_words
from gigbot.scoring.types import TaskAnswer

__all__ = ["WeightedRover"]

_E_MIN, _E_MAX = 0.01, 0.99


@dataclass(slots=True)
class _Task:
    workers: list[str]
    tokens: list[Tokens]
    distance: list[list[float]]  # normalised pairwise word distance


def _distances(tokens: list[Tokens]) -> list[list[float]]:
    n = len(tokens)
    table = [[0.0] * n for _ in range(n)]
    for i in range(n):
        a = tokens[i].keys
        for j in range(i + 1, n):
            b = tokens[j].keys
            longest = max(len(a), len(b))
            d = Levenshtein.distance(a, b) / longest if longest else 0.0
            table[i][j] = table[j][i] = d
    return table


@dataclass(slots=True)
class WeightedRover(TextAggregator):
    """Reliability-weighted ROVER (module doc); ``errors_`` maps workers to their estimated
    word error rate."""

    strength: float = 3.0
    min_weight: float = 0.05
    errors_: dict[str, float] = field(default_factory=dict, init=False)

    def combine(self, texts: list[str]) -> TextDecision:
        """One item's transcriptions with equal weights (no crowd to learn reliability from)."""
        rows = [TaskAnswer("t", str(i), text) for i, text in enumerate(texts)]
        return self.fit(rows).decisions()["t"]

    def fit(self, answers: Answers, *, gold: Mapping[str, str] | None = None) -> Self:
        """Estimate every worker's reliability, then vote every task's words by it."""
        tasks: dict[str, _Task] = {}
        for task, rows in group_by_task(answers).items():
            tokens = [tokens_of(_text_of(a)) for a in rows]
            tasks[task] = _Task([str(a.worker) for a in rows], tokens, _distances(tokens))
        self.errors_ = errors = self._reliability(tasks, gold or {})
        decisions: dict[str, TextDecision] = {}
        for task, item in tasks.items():
            weights = [_weight(errors[w], self.min_weight) for w in item.workers]
            n = len(item.tokens)
            pivot = min(
                range(n),
                key=lambda i: (sum(weights[j] * item.distance[i][j] for j in range(n)), i),
            )
            keys, chosen = vote_words(item.tokens, pivot, weights)
            confidence = 0.0
            if n > 1:
                sims = [similarity(keys, t.keys) for t in item.tokens]
                confidence = sum(w * s for w, s in zip(weights, sims, strict=True)) / sum(weights)
            decisions[task] = TextDecision(text=" ".join(chosen), confidence=confidence)
        self._decisions = decisions
        return self

    def _reliability(
        self, tasks: Mapping[str, _Task], gold: Mapping[str, str]
    ) -> dict[str, float]:
        spread: dict[str, list[float]] = {}  # worker -> mean distance to the others, per answer
        pair_total, pair_count = 0.0, 0
        for item in tasks.values():
            n = len(item.tokens)
            if n < 2:
                spread.setdefault(item.workers[0], [])
                continue
            for i, worker in enumerate(item.workers):
                mean = sum(item.distance[i]) / (n - 1)
                spread.setdefault(worker, []).append(mean)
                pair_total += mean
                pair_count += 1
        crowd = pair_total / pair_count / 2.0 if pair_count else 0.1
        crowd = min(max(crowd, _E_MIN), _E_MAX)
        on_gold: dict[str, list[float]] = {}
        for task, reference in gold.items():
            known = tasks.get(task)
            ref = words(reference)
            if known is None:
                continue
            for worker, tokens in zip(known.workers, known.tokens, strict=True):
                err = Levenshtein.distance(ref, tokens.keys) / len(ref) if ref else 0.0
                on_gold.setdefault(worker, []).append(min(err, 1.0))
        errors: dict[str, float] = {}
        s = self.strength
        for worker, distances in spread.items():
            own = [d - crowd for d in distances]
            estimate = (sum(own) + s * crowd) / (len(own) + s)
            graded = on_gold.get(worker, [])
            if graded:  # gold outranks agreement: the agreement estimate becomes the prior
                estimate = (sum(graded) + s * estimate) / (len(graded) + s)
            errors[worker] = min(max(estimate, _E_MIN), _E_MAX)
        return errors


def _text_of(answer: Any) -> str:
    if not isinstance(answer.label, str):
        raise TypeError("a text method needs string answers")
    return str(answer.label)


def _weight(error: float, floor: float) -> float:
    return max(math.log((1.0 - error) / error), floor)
