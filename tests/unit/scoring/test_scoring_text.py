"""Normalisation, CER and WER: English and Korean."""

from __future__ import annotations

import unicodedata

import pytest

from gigbot.scoring.text import cer, normalize, wer, words


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Hello,   World!", "hello world"),
        ("  It’s «fine» — really.  ", "its fine really"),
        ("Straße", "strasse"),
        ("안녕하세요,  여러분!", "안녕하세요 여러분"),
        ("\tline\nbreak ", "line break"),
        ("", ""),
    ],
)
def test_normalize(text: str, expected: str) -> None:
    assert normalize(text) == expected


def test_normalize_composes_decomposed_hangul() -> None:
    decomposed = unicodedata.normalize("NFD", "한국어")
    assert len(decomposed) == 8
    assert normalize(decomposed) == "한국어"


def test_korean_cer_counts_syllables() -> None:
    # one syllable differs (세 -> 새): one error over five syllables, whatever jamo differ
    assert cer("안녕하세요", "안녕하새요") == pytest.approx(0.2)
    assert cer("안녕하세요", unicodedata.normalize("NFD", "안녕하세요")) == 0.0


def test_english_cer_ignores_case_punctuation_and_spaces() -> None:
    assert cer("The cat sat.", "the  cat sat") == 0.0
    assert cer("the cat sat", "the bat sat") == pytest.approx(1 / 11)


def test_cer_of_empty_reference() -> None:
    assert cer("", "") == 0.0
    assert cer("...", "something") == 1.0


def test_cer_can_exceed_one() -> None:
    assert cer("ab", "abcdef") == 2.0


def test_wer_counts_word_edits_over_reference_words() -> None:
    assert wer("the cat sat on the mat", "the cat sat on mat") == pytest.approx(1 / 6)
    assert wer("The cat, sat!", "the cat sat") == 0.0
    assert wer("a b c", "x y z w") == pytest.approx(4 / 3)


def test_wer_of_empty_reference_and_hypothesis() -> None:
    assert wer("", "") == 0.0
    assert wer("", "hello") == 1.0
    assert wer("hello there", "") == 1.0


def test_wer_uses_nfkc() -> None:
    # the ligature "ﬁ" is one character under NFC but "fi" under NFKC
    assert wer("find", "ﬁnd") == 0.0
    assert words("ﬁne Ｗｏｒｄ") == ["fine", "word"]


def test_korean_wer() -> None:
    assert wer("저는 학생입니다", "저는 학생 입니다") == pytest.approx(1.0)
