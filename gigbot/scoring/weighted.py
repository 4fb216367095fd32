"""Weighted votes: the one-coin weighted vote (by gold or by live skills) and its helpers.

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
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Self, TypeVar

import numpy as np
import numpy.typing as npt

from gigbot.scoring.base import (
    Answers,
    LabelAggregator,
    Probas,
    answer_matrix,
    check_dense_budget,
    group_by_task,
)
from gigbot.scoring.skill import PRIOR_RIGHT, PRIOR_SKILL, PRIOR_WRONG, Skill
from gigbot.scoring.types import AnswerMatrix, Decision, Label, Vote, label_order

__all__ = [
    "GOLD_PRIOR_STRENGTH",
    "WeightedVote",
    "agreement_accuracies",
    "clamps",
    "gold_accuracies",
    "initial_posteriors",
    "log_odds",
    "needs_more",
    "weighted_vote",
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


def agreement_accuracies(
    matrix: AnswerMatrix, *, strength: float = GOLD_PRIOR_STRENGTH
) -> npt.NDArray[np.float64]:
    """Each worker's smoothed agreement with the majority of the *other* answers of a task.

    The Wawa idea (worker agreement with aggregate, crowd-kit's ``Wawa``) without counting the
    worker's own answer in the majority they are compared with, which would flatter workers who
    answer tasks with few others. An answer agrees by ``1 / m`` when its label is one of the
    ``m`` tied leaders of the others; tasks with a single answer say nothing. Smoothed like
    :func:`gold_accuracies`: ``(agree_w + s · ā) / (n_w + s)`` with ``ā`` the crowd's mean.
    """
    k = len(matrix.labels)
    counts = matrix.vote_counts()
    others = counts[matrix.task]
    others[np.arange(matrix.n_answers), matrix.label] -= 1.0
    top = others.max(axis=1)
    leaders = (others == top[:, None]).sum(axis=1)
    informative = top > 0
    own = others[np.arange(matrix.n_answers), matrix.label]
    agree = np.where(informative & (own == top), 1.0 / np.maximum(leaders, 1), 0.0)
    n_w = np.bincount(
        matrix.worker, weights=informative.astype(np.float64), minlength=len(matrix.workers)
    )
    a_w = np.bincount(matrix.worker, weights=agree, minlength=len(matrix.workers))
    mean = (a_w.sum() + 1.0) / (n_w.sum() + k) if k > 1 else 1.0
    result: npt.NDArray[np.float64] = (a_w + strength * mean) / (n_w + strength)
    return result


def clamps(
    matrix: AnswerMatrix, gold: Mapping[str, str]
) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.float64]]:
    """The rows of the gold tasks in ``matrix`` and their one-hot posteriors."""
    k = len(matrix.labels)
    index = {task: i for i, task in enumerate(matrix.tasks)}
    label_ix = {label: i for i, label in enumerate(matrix.labels)}
    pairs = [(index[t], label_ix[v]) for t, v in gold.items() if t in index and v in label_ix]
    rows = np.asarray([r for r, _ in pairs], dtype=np.intp)
    probs = np.zeros((len(pairs), k))
    if pairs:
        probs[np.arange(len(pairs)), [c for _, c in pairs]] = 1.0
    return rows, probs


def initial_posteriors(matrix: AnswerMatrix, gold: Mapping[str, str]) -> npt.NDArray[np.float64]:
    """Where EM starts: majority vote shares; with gold, the gold-weighted vote's posteriors.

    Starting from the plain majority would let a crowd whose majority is wrong (the gold says
    so) pull EM into the mirrored solution that the clamped gold tasks cannot undo.
    """
    known = any(task in gold for task in matrix.tasks) if gold else False
    if not known:
        counts = matrix.vote_counts()
        shares: npt.NDArray[np.float64] = counts / counts.sum(axis=1, keepdims=True)
        return shares
    k = len(matrix.labels)
    p = np.clip(gold_accuracies(matrix, gold), _P_MIN, _P_MAX)
    return _one_coin_vote(matrix, p, k)[1]


def _one_coin_vote(
    matrix: AnswerMatrix, p: npt.NDArray[np.float64], k: int
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """Scores and posteriors per (task, listed label) of the log-odds vote, ``k`` labels in all."""
    listed = len(matrix.labels)
    weight = np.log(p * (k - 1) / (1.0 - p)) if k > 1 else np.zeros_like(p)
    flat = np.bincount(
        matrix.task * listed + matrix.label,
        weights=weight[matrix.worker],
        minlength=len(matrix.tasks) * listed,
    )
    scores = np.asarray(flat, dtype=np.float64).reshape(len(matrix.tasks), listed)
    top = scores.max(axis=1, keepdims=True)
    if k > listed:  # labels not listed score 0: they join the shift and the mass
        top = np.maximum(top, 0.0)
    shifted = np.exp(scores - top)
    mass = shifted.sum(axis=1, keepdims=True)
    if k > listed:
        mass = mass + (k - listed) * np.exp(-top)
    return scores, shifted / mass


@dataclass(slots=True)
class WeightedVote(LabelAggregator):
    """The one-coin weighted vote (``wmv``); ``probas_`` is the posterior of the module doc.

    Each worker's accuracy ``p`` comes either from ``skills`` given to :meth:`fit` (a Skill,
    whose Beta mean is used, or an accuracy; workers not in it get PRIOR_SKILL): the live
    completion rule; or from the gold tasks, smoothed by :func:`gold_accuracies` with
    ``strength``; or, without skills and without gold (or gold on none of the tasks), from
    each worker's agreement with the majority of the others (:func:`agreement_accuracies`, the
    Wawa method). ``skills_`` holds the accuracies used by the last gold or agreement fit,
    indexed like the matrix's workers. Gold tasks are voted like the others (gold only sets
    the weights).

    ``classes`` is the label space: the project's label values, or their number K; ``None``
    takes the labels seen in the answers and the gold. ``multi_label``: each label set is one
    category (exact-set semantics, as gold compares sets), so K = 2 ** len(classes). Labels
    nobody voted for share the rest of the probability, so two agreeing newcomers on a 10-class
    item are less sure than on 2; ``probas_`` lists them when they can be named (label values
    or the labels seen, not a number of labels or label sets), so only then it sums to 1. The
    label of a task is always one somebody voted for; ties go to the smallest label.
    """

    classes: Sequence[str] | int | None = None
    multi_label: bool = False
    strength: float = GOLD_PRIOR_STRENGTH
    skills_: npt.NDArray[np.float64] = field(default_factory=lambda: np.zeros(0), init=False)

    def fit(
        self,
        answers: Answers,
        *,
        gold: Mapping[str, str] | None = None,
        skills: Mapping[Any, Skill | float] | None = None,
    ) -> Self:
        """Weigh every task's votes by ``skills`` when given, else by accuracy on ``gold``."""
        if skills is not None:
            if gold:
                raise ValueError("WeightedVote weighs workers by skills or by gold, not both")
            self._fit_skills(answers, skills)
        else:
            self._fit_gold(answers, gold or {})
        return self

    def _declared_k(self) -> int | None:
        if self.classes is None:
            return None
        n = self.classes if isinstance(self.classes, int) else len(self.classes)
        return 2**n if self.multi_label else n

    def _named_classes(self) -> list[str]:
        """Labels of the label space that can be listed in ``probas_``."""
        if self.multi_label or self.classes is None or isinstance(self.classes, int):
            return []
        return list(self.classes)

    def _fit_skills(self, answers: Answers, skills: Mapping[Any, Skill | float]) -> None:
        by_task = group_by_task(answers)
        declared = self._declared_k()
        named: list[Label] = list(self._named_classes())
        if declared is None:
            named = sorted({a.label for rows in by_task.values() for a in rows}, key=label_order)
            declared = len(named)
        labels: dict[str, Label] = {}
        probas: Probas = {}
        for task, rows in by_task.items():
            labels[task], probas[task] = _posterior(rows, skills, declared, named)
        self._learn(labels, probas)

    def _fit_gold(self, answers: Answers, gold: Mapping[str, str]) -> None:
        matrix = answer_matrix(answers, [*gold.values(), *self._named_classes()])
        if not matrix.tasks:
            self._learn({}, {})
            return
        check_dense_budget(matrix, type(self).__name__)
        k = max(self._declared_k() or 0, len(matrix.labels))
        known = any(task in gold for task in matrix.tasks) if gold else False
        if known:
            p = gold_accuracies(matrix, gold, strength=self.strength)
        else:
            p = agreement_accuracies(matrix, strength=self.strength)
        self.skills_ = p
        scores, probas = _one_coin_vote(matrix, np.clip(p, _P_MIN, _P_MAX), k)
        # equal posteriors (e.g. every worker at chance) go to the most voted label, then to
        # the smallest: a vote count is never worth a weight difference above 1e-9
        scale = 1e-9 / max(1.0, float(matrix.n_answers))
        self._learn_matrix(matrix, scores + scale * matrix.vote_counts(), probas)


def _posterior(
    votes: Sequence[Any], skills: Mapping[Any, Skill | float], declared: int, named: list[Label]
) -> tuple[Label, dict[Label, float]]:
    """One item's label and posterior under the one-coin model, ``declared`` labels in all."""
    voted = sorted({v.label for v in votes}, key=label_order)
    k = max(declared, len(voted))
    if k == 1:
        return voted[0], {voted[0]: 1.0}
    # log P(l) = Σ_i log((1 - p_i) / (K - 1)) + Σ_{i: v_i = l} w_i; the first sum is the same
    # for every label and cancels, so a label nobody voted for scores 0
    score: dict[Label, float] = dict.fromkeys(voted, 0.0)
    for vote in votes:
        score[vote.label] += log_odds(_p(skills.get(vote.worker)), k)
    best = min(voted, key=lambda label: (-score[label], label_order(label)))
    top = max(score[best], 0.0)  # shift by the largest score, unvoted labels included
    mass = sum(math.exp(s - top) for s in score.values()) + (k - len(voted)) * math.exp(-top)
    probas = {label: math.exp(s - top) / mass for label, s in score.items()}
    unvoted = [label for label in named if label not in score][: k - len(voted)]
    probas.update(dict.fromkeys(unvoted, math.exp(-top) / mass))
    return best, probas


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


def weighted_vote(votes: Sequence[Vote[W]], skills: Mapping[W, Skill | float]) -> Decision:
    """Most skill-weighted label of one item (weight = Beta mean); confidence = its share.

    Linear weights, not the log-odds of the module doc; ties go to the smallest label.
    """
    if not votes:
        raise ValueError("weighted_vote() needs at least one vote")
    weight: defaultdict[Label, float] = defaultdict(float)
    for vote in votes:
        weight[vote.label] += _p(skills.get(vote.worker))
    best = min(weight, key=lambda label: (-weight[label], label_order(label)))
    return Decision(label=best, confidence=weight[best] / sum(weight.values()))
