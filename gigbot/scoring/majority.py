"""Votes: majority vote, skill-weighted vote, the live item decision and gold-weighted voting.

One model runs through this module, the "one-coin" worker: worker ``i`` gives the true label
with probability ``p_i`` and otherwise one of the ``K - 1`` wrong labels uniformly. With a
uniform prior over labels the posterior of label ``l`` given the votes ``v_i`` is

    P(l | votes) ∝ Π_i  p_i                 if v_i = l
                        (1 - p_i) / (K - 1)  otherwise

so that ``log P(l) = Σ_{i: v_i = l} w_i + const`` with the log-odds weight
``w_i = log(p_i (K - 1) / (1 - p_i))`` (Nitzan & Paroush 1982; the weighted vote is optimal
for this model). A worker at chance (``p = 1/K``) weighs nothing; one below chance counts
against the label they chose. Ties always go to the smallest label (:func:`label_order`).
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Hashable, Iterable, Mapping, Sequence
from typing import TypeVar

import numpy as np
import numpy.typing as npt

from gigbot.scoring.skill import PRIOR_RIGHT, PRIOR_SKILL, PRIOR_WRONG, Skill
from gigbot.scoring.types import AnswerMatrix, Decision, Label, TaskAnswer, Vote, label_order

__all__ = [
    "GOLD_PRIOR_STRENGTH",
    "gold_accuracies",
    "item_decision",
    "log_odds",
    "majority_vote",
    "needs_more",
    "weighted_vote",
    "wmv",
]

W = TypeVar("W", bound=Hashable)
_P_MIN, _P_MAX = 1e-4, 1.0 - 1e-4
# Pseudo-answers behind the pooled gold accuracy when a worker's own gold accuracy is estimated:
# the same total weight as the live prior Beta(2, 1).
GOLD_PRIOR_STRENGTH = 3.0


def _p(skill: Skill | float | None) -> float:
    if skill is None:
        value = PRIOR_SKILL
    elif isinstance(skill, Skill):
        value = skill.mean
    else:
        value = float(skill)
    return min(max(value, _P_MIN), _P_MAX)


def log_odds(p: float, k: int) -> float:
    """The vote weight of a worker with accuracy ``p`` among ``k`` labels (0 at chance)."""
    p = min(max(p, _P_MIN), _P_MAX)
    return math.log(p * (k - 1) / (1.0 - p)) if k > 1 else 0.0


def weighted_vote(votes: Sequence[Vote[W]], skills: Mapping[W, Skill | float]) -> Decision:
    """Most skill-weighted label (weight = Beta mean); confidence = its share of the weight."""
    if not votes:
        raise ValueError("weighted_vote() needs at least one vote")
    weight: defaultdict[Label, float] = defaultdict(float)
    for vote in votes:
        weight[vote.label] += _p(skills.get(vote.worker))
    best = min(weight, key=lambda label: (-weight[label], label_order(label)))
    return Decision(label=best, confidence=weight[best] / sum(weight.values()))


def item_decision(
    votes: Sequence[Vote[W]],
    skills: Mapping[W, Skill | float],
    labels: Sequence[str] | int,
    *,
    multi_label: bool = False,
) -> Decision:
    """The skill-weighted posterior of the leading label of one item (see the module doc).

    ``skills`` maps workers to their Skill (its Beta mean is used) or to an accuracy; unknown
    workers get PRIOR_SKILL. ``labels`` are the project's label values (or their number K).
    Multi-label: each label set is one category (exact-set semantics, as gold compares sets),
    so K = 2 ** len(labels), the empty set included. Labels nobody voted for share the rest of
    the probability, so two agreeing newcomers on a 10-class item are less sure than on 2.
    The decision is always a label somebody voted for.
    """
    if not votes:
        raise ValueError("item_decision() needs at least one vote")
    n = labels if isinstance(labels, int) else len(labels)
    k = 2**n if multi_label else n
    voted = sorted({v.label for v in votes}, key=label_order)
    k = max(k, len(voted))
    if k == 1:
        return Decision(label=voted[0], confidence=1.0)
    # log P(l) = Σ_i log((1 - p_i) / (K - 1)) + Σ_{i: v_i = l} w_i; the first sum is the same
    # for every label and cancels, so a label nobody voted for scores 0
    score: dict[Label, float] = dict.fromkeys(voted, 0.0)
    for vote in votes:
        score[vote.label] += log_odds(_p(skills.get(vote.worker)), k)
    best = min(voted, key=lambda label: (-score[label], label_order(label)))
    top = max(score[best], 0.0)  # shift by the largest score, unvoted labels included
    mass = sum(math.exp(s - top) for s in score.values()) + (k - len(voted)) * math.exp(-top)
    return Decision(label=best, confidence=math.exp(score[best] - top) / mass)


def needs_more(
    answers_count: int,
    decision: Decision | None,
    overlap: int,
    max_overlap: int,
    confidence: float,
) -> bool:
    """Whether an item should get another answer: below ``overlap`` always, at ``max_overlap``
    never, in between while the decision's confidence is below the target."""
    if answers_count < overlap:
        return True
    if answers_count >= max_overlap:
        return False
    return decision is None or decision.confidence < confidence


def _as_matrix(
    answers: Iterable[TaskAnswer] | AnswerMatrix, extra: Iterable[str] = ()
) -> AnswerMatrix:
    return answers if isinstance(answers, AnswerMatrix) else AnswerMatrix.build(answers, extra)


def _decide(
    matrix: AnswerMatrix, scores: npt.NDArray[np.float64], probs: npt.NDArray[np.float64]
) -> dict[str, Decision]:
    """Per task the first label of highest score (labels are sorted: ties go to the smallest)."""
    best = np.argmax(scores, axis=1)
    conf = probs[np.arange(len(matrix.tasks)), best]
    return {
        task: Decision(label=matrix.labels[int(b)], confidence=float(c))
        for task, b, c in zip(matrix.tasks, best, conf, strict=True)
    }


def majority_vote(answers: Iterable[TaskAnswer] | AnswerMatrix) -> dict[str, Decision]:
    """Most frequent label per task, ties to the smallest label; confidence = its vote share.

    Tasks come in order of first appearance.
    """
    matrix = _as_matrix(answers)
    if not matrix.tasks:
        return {}
    counts = matrix.vote_counts()
    return _decide(matrix, counts, counts / counts.sum(axis=1, keepdims=True))


def gold_accuracies(
    matrix: AnswerMatrix, gold: Mapping[str, str], *, strength: float = GOLD_PRIOR_STRENGTH
) -> npt.NDArray[np.float64]:
    """Each worker's smoothed accuracy on the gold tasks, indexed like ``matrix.workers``.

    ``p_w = (right_w + s · p̄) / (n_w + s)`` where ``p̄`` is the pooled accuracy of all answers
    on gold tasks (under the live prior Beta(2, 1), so 2/3 without gold) and ``s = strength``:
    a worker with no gold answers gets ``p̄``, one with a few is pulled towards it (an
    empirical-Bayes Beta prior).
    """
    index = {task: i for i, task in enumerate(matrix.tasks)}
    truth = np.full(len(matrix.tasks), -1, dtype=np.intp)
    label_ix = {label: i for i, label in enumerate(matrix.labels)}
    for task, label in gold.items():
        if task in index:
            truth[index[task]] = label_ix.get(label, -2)  # -2: gold nobody answered, always wrong
    on_gold = truth[matrix.task] != -1
    right = (matrix.label == truth[matrix.task]) & on_gold
    n_w = np.bincount(matrix.worker[on_gold], minlength=len(matrix.workers)).astype(np.float64)
    r_w = np.bincount(matrix.worker[right], minlength=len(matrix.workers)).astype(np.float64)
    pooled = (r_w.sum() + PRIOR_RIGHT) / (n_w.sum() + PRIOR_RIGHT + PRIOR_WRONG)
    result: npt.NDArray[np.float64] = (r_w + strength * pooled) / (n_w + strength)
    return result


def wmv(
    answers: Iterable[TaskAnswer] | AnswerMatrix,
    gold: Mapping[str, str],
    *,
    strength: float = GOLD_PRIOR_STRENGTH,
) -> dict[str, Decision]:
    """Gold-weighted vote: log-odds weights from each worker's smoothed gold accuracy.

    Confidence is the one-coin posterior of the chosen label over all K labels. Without any
    gold task among the answers every worker gets the same weight and this is majority vote.
    Tasks with gold are voted like the others (the gold is used for weights only).
    """
    matrix = _as_matrix(answers, gold.values())
    if not matrix.tasks:
        return {}
    k = len(matrix.labels)
    p = np.clip(gold_accuracies(matrix, gold, strength=strength), _P_MIN, _P_MAX)
    weight = np.log(p * (k - 1) / (1.0 - p)) if k > 1 else np.zeros_like(p)
    flat = np.bincount(
        matrix.task * k + matrix.label,
        weights=weight[matrix.worker],
        minlength=len(matrix.tasks) * k,
    )
    scores = np.asarray(flat, dtype=np.float64).reshape(len(matrix.tasks), k)
    shifted = np.exp(scores - scores.max(axis=1, keepdims=True))
    return _decide(matrix, scores, shifted / shifted.sum(axis=1, keepdims=True))
