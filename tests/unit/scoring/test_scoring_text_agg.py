"""Combining transcriptions: medoid and ROVER."""

from __future__ import annotations

import pytest

from gigbot.scoring.text import wer
from gigbot.scoring.text_agg import Medoid, Rover, medoid, rover
from gigbot.scoring.types import TaskAnswer

TRUTH = "the quick brown fox jumps over the lazy dog"
NOISY = [
    "The quick brown fox jumps over the lazy dog.",
    "the quick brown box jumps over the lazy dog",
    "the quick fox jumps over the lazy dog",
    "the quick brown fox jumped over a lazy dog",
    "quick brown fox jumps over the lazy dog today",
]


def test_medoid_picks_a_real_transcription() -> None:
    decision = medoid(NOISY)
    assert decision.text in [t.strip() for t in NOISY]
    assert wer(TRUTH, decision.text) == 0.0
    assert 0.5 < decision.confidence < 1.0


def test_rover_repairs_what_no_single_worker_got_right() -> None:
    texts = [
        "the quick brown box jumps over the lazy dog",
        "the quick brown fox jumped over the lazy dog",
        "the quick brown fox jumps over a lazy dog",
        "the quack brown fox jumps over the lazy dog",
        "the quick brown fox jumps over the lazy dug",
    ]
    assert all(wer(TRUTH, t) > 0 for t in texts)
    assert wer(TRUTH, rover(texts).text) == 0.0


def test_rover_votes_insertions_and_deletions() -> None:
    texts = ["a b c", "a b c", "a x b c", "a b", "a b c d"]
    assert rover(texts).text == "a b c"
    assert rover(["a b c d", "a b c d", "a b c"]).text == "a b c d"


def test_rover_keeps_the_writers_spelling() -> None:
    assert rover(["Hello, World!", "hello world", "Hello, World!"]).text == "Hello, World!"


def test_korean_transcriptions() -> None:
    texts = ["오늘 날씨가 좋네요", "오늘 날씨가 좋네요.", "오늘 날씨 좋네요"]
    assert rover(texts).text == "오늘 날씨가 좋네요"
    assert medoid(texts).text == "오늘 날씨가 좋네요"


def test_single_and_identical_transcriptions() -> None:
    assert rover(["only one"]).confidence == 0.0
    assert medoid(["only one"]).text == "only one"
    same = rover(["same text", "same text"])
    assert (same.text, same.confidence) == ("same text", 1.0)
    with pytest.raises(ValueError):
        rover([])
    with pytest.raises(ValueError):
        medoid([])


def test_punctuation_only_and_empty_answers() -> None:
    assert rover(["...", "", "hi"]).text == ""
    assert medoid(["", "", "hi"]).text == ""


def test_text_aggregators_go_task_by_task_in_order() -> None:
    answers = [
        TaskAnswer("b", "w1", "two words"),
        TaskAnswer("a", "w1", "one"),
        TaskAnswer("b", "w2", "two words"),
    ]
    result = Medoid().fit(answers).decisions()
    assert list(result) == ["b", "a"]
    assert result["b"].text == "two words"
    assert Rover().fit([TaskAnswer("t", "w", t) for t in ("x y", "x y", "x z")]).texts_ == {
        "t": "x y"
    }
