"""Comparing an answer with the gold of a control item (DESIGN §7).

- classification: exact match of the label value; score 1 or 0.
- multi-label: set equality is correct; the score is the Jaccard index of the two sets (two empty
  sets score 1), so a partly right answer earns partial credit.
- transcription: character error rate after :func:`gigbot.scoring.text.normalize` (NFC, case,
  punctuation, spaces; Korean by syllable); correct when CER ≤ ``cer_threshold`` (default 0.1);
  the score is ``max(0, 1 - CER)``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from gigbot.scoring.text import cer

__all__ = ["DEFAULT_CER_THRESHOLD", "GoldResult", "Kind", "compare", "jaccard"]

Kind = Literal["classification", "transcription"]
DEFAULT_CER_THRESHOLD = 0.1


@dataclass(frozen=True, slots=True)
class GoldResult:
    """How a control answer fared against its gold."""

    correct: bool
    score: float  # in [0, 1]: 1 or 0 (single label), Jaccard (multi-label), 1 - CER (text)

    @property
    def credit(self) -> float:
        """The share of one right answer this result counts for in a worker's skill.

        A correct answer counts fully (a transcription within the threshold is right, not 0.95
        right); a wrong one counts for the part of it that was right (its score): 0 for a wrong
        single label, the Jaccard index for a partly right set, 1 - CER for a transcription.
        """
        return 1.0 if self.correct else self.score


def jaccard(a: Iterable[str], b: Iterable[str]) -> float:
    """|A ∩ B| / |A ∪ B|; two empty sets are identical (1.0)."""
    sa, sb = set(a), set(b)
    union = sa | sb
    return 1.0 if not union else len(sa & sb) / len(union)


def compare(
    kind: Kind | str,
    answer: str | Iterable[str],
    gold: str | Iterable[str],
    *,
    multi_label: bool = False,
    cer_threshold: float = DEFAULT_CER_THRESHOLD,
) -> GoldResult:
    """Score ``answer`` against ``gold`` for a project of ``kind`` (see the module docstring)."""
    if kind == "transcription":
        if not isinstance(answer, str) or not isinstance(gold, str):
            raise TypeError("a transcription answer and its gold are strings")
        error = cer(gold, answer)
        return GoldResult(correct=error <= cer_threshold, score=max(0.0, 1.0 - error))
    if kind != "classification":
        raise ValueError(f"unknown kind {kind!r}; expected classification or transcription")
    if multi_label:
        answer_set = {answer} if isinstance(answer, str) else set(answer)
        gold_set = {gold} if isinstance(gold, str) else set(gold)
        return GoldResult(correct=answer_set == gold_set, score=jaccard(answer_set, gold_set))
    if not isinstance(answer, str) or not isinstance(gold, str):
        raise TypeError("a single-label answer and its gold are label values (strings)")
    right = answer == gold
    return GoldResult(correct=right, score=1.0 if right else 0.0)
