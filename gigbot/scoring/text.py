"""Text normalisation and error rates (CER, WER) for transcriptions.

Normalising: Unicode NFC (or NFKC), lower case (``str.casefold``), every punctuation character
(Unicode category P*) deleted, runs of whitespace collapsed to one space, ends stripped.
After NFC a Hangul syllable is one code point, so Korean text is compared by syllable: a
transcription that differs in one syllable has one character error, whatever jamo differ
inside it. Decomposed jamo (as some keyboards and macOS file names produce) are composed first.

Edit distances come from rapidfuzz (C++), which also accepts lists of words.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache
from typing import Literal

from rapidfuzz.distance import Levenshtein

__all__ = ["cer", "normalize", "wer", "words"]

NormalForm = Literal["NFC", "NFKC"]


class _DropPunctuation(dict[int, int | None]):
    """A ``str.translate`` table that deletes P* characters, filled lazily per code point."""

    def __missing__(self, code: int) -> int | None:
        value = None if unicodedata.category(chr(code)).startswith("P") else code
        self[code] = value
        return value


_PUNCTUATION = _DropPunctuation()


@lru_cache(maxsize=4096)
def normalize(text: str, form: NormalForm = "NFC") -> str:
    """Text as compared: ``form``-normalised, case-folded, no punctuation, single spaces."""
    text = unicodedata.normalize(form, text).casefold()
    # casefold can decompose (e.g. "ß" -> "ss", fine) or leave combining marks: normalise again
    text = unicodedata.normalize(form, text).translate(_PUNCTUATION)
    return " ".join(text.split())


def words(text: str, form: NormalForm = "NFKC") -> list[str]:
    """The normalised words of ``text``."""
    return normalize(text, form).split()


def cer(reference: str, hypothesis: str, *, normalized: bool = False) -> float:
    """Character error rate: edit distance / reference length, after :func:`normalize` (NFC).

    An empty reference gives 0 for an empty hypothesis and 1 otherwise. The result can exceed
    1 when the hypothesis is much longer than the reference. ``normalized=True`` skips
    normalising (both sides are already normalised).
    """
    hyp = hypothesis if normalized else normalize(hypothesis)
    ref = reference if normalized else normalize(reference)
    if not ref:
        return 0.0 if not hyp else 1.0
    return Levenshtein.distance(hyp, ref) / len(ref)


def wer(reference: str, hypothesis: str, *, form: NormalForm = "NFKC") -> float:
    """Word error rate: word-level edit distance / reference words, after normalising both.

    The definition used for the benchmark datasets: NFKC, lower case, punctuation deleted,
    whitespace collapsed. An empty reference gives 0 for an empty hypothesis and 1 otherwise.
    """
    ref, hyp = words(reference, form), words(hypothesis, form)
    if not ref:
        return 0.0 if not hyp else 1.0
    return Levenshtein.distance(ref, hyp) / len(ref)
