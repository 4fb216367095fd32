"""Combining several transcriptions of one item into one text: medoid and ROVER.

Words are compared after :func:`gigbot.scoring.text.normalize` (NFKC, case, punctuation,
spaces); the output keeps the workers' own spelling, case and punctuation.

- medoid: the transcription with the smallest summed word-level edit distance to the item's
  other transcriptions (ties: the more often given text, then the earlier one). It is always a
  text somebody actually wrote.
- ROVER (Fiscus 1997, "A post-processing system to yield reduced word error rates: Recognizer
  Output Voting Error Reduction"): every transcription is aligned word by word to a backbone
  (here the medoid, so a single alignment each, instead of Fiscus' incremental network), and
  each slot of the resulting word transition network takes the word most transcriptions put
  there (or nothing, when most left it out). Insertions relative to the backbone are voted as
  whole word sequences per gap. Ties keep the backbone's choice.

Confidence (both methods): the mean word-level similarity of the result to the transcriptions,
``1 - mean(distance / max(len(result), len(other)))``; one transcription alone gives 0 (no
agreement has been seen).

:func:`medoid` and :func:`rover` combine one item's texts; :class:`Medoid` and :class:`Rover` are
the same methods behind the aggregator interface (:mod:`gigbot.scoring.base`), task by task.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TypeVar

from rapidfuzz.distance import Levenshtein

from gigbot.scoring.base import TextAggregator, TextDecision
from gigbot.scoring.text import normalize

__all__ = [
    "Medoid", "Rover", "TextDecision", "Tokens", "medoid", "rover", "similarity", "tokens_of",
]

_T = TypeVar("_T", str, tuple[str, ...])


@dataclass(frozen=True, slots=True)
class Tokens:
    """A transcription as words: as written, and normalised for comparing."""

    surface: list[str]  # the words as written (punctuation attached)
    keys: list[str]  # the same words normalised; words that normalise to nothing are dropped


def tokens_of(text: str) -> Tokens:
    """The words of ``text`` as written and normalised."""
    surface: list[str] = []
    keys: list[str] = []
    for word in text.split():
        key = normalize(word, "NFKC")
        if key:
            # a word can normalise to several ("l'été" stays one; "a—b" becomes "ab"); keep it one
            surface.append(word)
            keys.append(key.replace(" ", ""))
    return Tokens(surface, keys)


def similarity(a: list[str], b: list[str]) -> float:
    """1 minus the word-level edit distance over the longer length (1.0 for two empty)."""
    longest = max(len(a), len(b))
    return 1.0 if longest == 0 else 1.0 - Levenshtein.distance(a, b) / longest


def _confidence(result: list[str], others: Sequence[Tokens], skip: int | None = None) -> float:
    sims = [similarity(result, t.keys) for i, t in enumerate(others) if i != skip]
    return sum(sims) / len(sims) if sims else 0.0


def _medoid_index(tokens: Sequence[Tokens]) -> int:
    n = len(tokens)
    totals = [0] * n
    for i in range(n):
        for j in range(i + 1, n):
            d = Levenshtein.distance(tokens[i].keys, tokens[j].keys)
            totals[i] += d
            totals[j] += d
    frequency = Counter(tuple(t.keys) for t in tokens)
    return min(range(n), key=lambda i: (totals[i], -frequency[tuple(tokens[i].keys)], i))


def medoid(texts: Sequence[str]) -> TextDecision:
    """The transcription closest to all the others (word-level edit distance)."""
    if not texts:
        raise ValueError("medoid() needs at least one text")
    tokens = [tokens_of(t) for t in texts]
    best = _medoid_index(tokens)
    return TextDecision(
        text=texts[best].strip(), confidence=_confidence(tokens[best].keys, tokens, best)
    )


def rover(texts: Sequence[str]) -> TextDecision:
    """Word-slot voting over transcriptions aligned to their medoid (see the module doc)."""
    if not texts:
        raise ValueError("rover() needs at least one text")
    tokens = [tokens_of(t) for t in texts]
    keys, words = vote_words(tokens, _medoid_index(tokens), [1.0] * len(tokens))
    agreement = _confidence(keys, tokens) if len(tokens) > 1 else 0.0
    return TextDecision(text=" ".join(words), confidence=agreement)


def vote_words(
    tokens: Sequence[Tokens], pivot: int, weights: Sequence[float]
) -> tuple[list[str], list[str]]:
    """ROVER's vote: every transcription aligned to ``tokens[pivot]``, each slot and gap won by
    the most weight; the chosen normalised words and their most weighted surface forms."""
    backbone = tokens[pivot]
    n = len(backbone.keys)
    own = weights[pivot]
    slots: list[dict[str, float]] = [{key: own} for key in backbone.keys]  # "" = nothing
    surfaces: defaultdict[str, defaultdict[str, float]] = defaultdict(lambda: defaultdict(float))
    for word, key in zip(backbone.surface, backbone.keys, strict=True):
        surfaces[key][word] += own
    gaps: list[dict[tuple[str, ...], float]] = [{(): own} for _ in range(n + 1)]
    for index, other in enumerate(tokens):
        if index == pivot:
            continue
        weight = weights[index]
        inserted: dict[int, list[str]] = {}
        for op in Levenshtein.opcodes(backbone.keys, other.keys):
            i1, i2, j1, j2 = op.src_start, op.src_end, op.dest_start, op.dest_end
            paired = min(i2 - i1, j2 - j1)  # equal/replace pair words; insert/delete pair none
            for step in range(paired):
                key = other.keys[j1 + step]
                slot = slots[i1 + step]
                slot[key] = slot.get(key, 0.0) + weight
                surfaces[key][other.surface[j1 + step]] += weight
            for position in range(i1 + paired, i2):
                slot = slots[position]
                slot[""] = slot.get("", 0.0) + weight  # left out by this transcription
            if j2 - j1 > paired:  # words this transcription adds before backbone word i2
                inserted.setdefault(i2, []).extend(other.keys[j1 + paired : j2])
                for j in range(j1 + paired, j2):
                    surfaces[other.keys[j]][other.surface[j]] += weight
        for gap in range(n + 1):
            option = tuple(inserted.get(gap, ()))
            gaps[gap][option] = gaps[gap].get(option, 0.0) + weight
    keys: list[str] = []
    for position in range(n + 1):
        keys.extend(_winner(gaps[position], default=()))
        if position < n:
            word = _winner(slots[position], default=backbone.keys[position])
            if word:
                keys.append(word)
    words = [max(surfaces[key].items(), key=lambda item: item[1])[0] for key in keys]
    return keys, words


def _winner(votes: Mapping[_T, float], default: _T) -> _T:
    """The most voted option; on a tie the backbone's own option (``default``) stays."""
    top = max(votes.values())
    if votes.get(default, 0) == top:
        return default
    return min(option for option, count in votes.items() if count == top)


@dataclass(slots=True)
class Medoid(TextAggregator):
    """Per task the transcription closest to all the others (:func:`medoid`); no gold used."""

    def combine(self, texts: list[str]) -> TextDecision:
        """One item's transcriptions: their medoid."""
        return medoid(texts)


@dataclass(slots=True)
class Rover(TextAggregator):
    """Per task ROVER word-slot voting (Fiscus 1997, :func:`rover`); no gold used."""

    def combine(self, texts: list[str]) -> TextDecision:
        """One item's transcriptions: ROVER over them."""
        return rover(texts)
