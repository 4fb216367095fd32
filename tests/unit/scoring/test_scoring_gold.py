"""Gold comparison and the Beta skill."""

from __future__ import annotations

import pytest

from gigbot.scoring.gold import GoldResult, compare, jaccard
from gigbot.scoring.skill import PRIOR_SKILL, Skill, replay_skill


def test_classification_is_exact() -> None:
    assert compare("classification", "pos", "pos") == GoldResult(correct=True, score=1.0)
    assert compare("classification", "Pos", "pos") == GoldResult(correct=False, score=0.0)


def test_multi_label_needs_equal_sets_and_scores_jaccard() -> None:
    assert compare("classification", ["a", "b"], ["b", "a"], multi_label=True).correct
    partly = compare("classification", ["a", "b"], ["a", "c"], multi_label=True)
    assert partly == GoldResult(correct=False, score=pytest.approx(1 / 3))
    assert compare("classification", [], [], multi_label=True) == GoldResult(True, 1.0)
    assert jaccard([], ["x"]) == 0.0


def test_transcription_within_threshold_is_correct() -> None:
    gold = "the quick brown fox"  # 19 characters
    one_typo = compare("transcription", "The quick brown fax.", gold)
    assert one_typo.correct
    assert one_typo.score == pytest.approx(1 - 1 / 19)
    assert not compare("transcription", "the quick brown", gold).correct


@pytest.mark.parametrize(("threshold", "correct"), [(0.2, True), (0.19, False)])
def test_transcription_threshold_edge(threshold: float, correct: bool) -> None:
    # 1 error in 5 syllables: CER exactly 0.2
    result = compare("transcription", "안녕하새요", "안녕하세요", cer_threshold=threshold)
    assert result.correct is correct


def test_korean_transcription_by_syllable() -> None:
    result = compare("transcription", "오늘 날씨가 좋네요!", "오늘 날씨가 좋네요")
    assert result == GoldResult(correct=True, score=1.0)


def test_unknown_kind_and_wrong_types_raise() -> None:
    with pytest.raises(ValueError, match="unknown kind"):
        compare("drawing", "a", "a")
    with pytest.raises(TypeError):
        compare("classification", ["a"], "a")
    with pytest.raises(TypeError):
        compare("transcription", ["a"], "a")


def test_credit_is_full_when_correct_and_partial_otherwise() -> None:
    assert GoldResult(correct=True, score=0.95).credit == 1.0
    assert GoldResult(correct=False, score=0.5).credit == 0.5
    assert GoldResult(correct=False, score=0.0).credit == 0.0


def test_prior_skill_is_two_thirds() -> None:
    assert Skill().mean == pytest.approx(2 / 3)
    assert pytest.approx(2 / 3) == PRIOR_SKILL
    assert Skill().accuracy is None


def test_skill_update_and_mean() -> None:
    skill = Skill().update(GoldResult(True, 1.0)).update(GoldResult(False, 0.0))
    assert skill == Skill(right=1.0, wrong=1.0)
    assert skill.mean == pytest.approx(3 / 5)
    assert skill.accuracy == 0.5
    partial = Skill().update(GoldResult(False, 0.25))
    assert (partial.right, partial.wrong) == (0.25, 0.75)
    assert partial.count == 1.0


def test_skill_update_rejects_credit_outside_unit_interval() -> None:
    with pytest.raises(ValueError, match="credit"):
        Skill().update(1.5)


def test_replay_skill_recomputes_counts() -> None:
    results = [GoldResult(True, 1.0), GoldResult(False, 0.5), 1.0, 0.0]
    assert replay_skill(results) == Skill(right=2.5, wrong=1.5)
    assert replay_skill([]) == Skill()
