"""Quality rules: each threshold at its edge, and Rules.from_mapping validation."""

from __future__ import annotations

import pytest

from gigbot.scoring.rules import (
    RecentAnswer,
    Rules,
    Verdict,
    accuracy_rule,
    check_rules,
    same_label_rule,
    speed_rule,
    text_length,
)
from gigbot.scoring.skill import Skill

RULES = Rules()


def test_defaults() -> None:
    assert (RULES.min_accuracy, RULES.min_controls, RULES.min_seconds) == (0.8, 5, 1.5)
    assert (RULES.fast_count, RULES.fast_window, RULES.same_label_run) == (5, 10, 20)
    assert RULES.cer_threshold == 0.1


def test_from_mapping_sets_and_converts() -> None:
    rules = Rules.from_mapping({"min_accuracy": 0.7, "same_label_run": 30.0, "min_seconds": 2})
    assert rules == Rules(min_accuracy=0.7, same_label_run=30, min_seconds=2.0)
    assert isinstance(rules.same_label_run, int)
    assert isinstance(rules.min_seconds, float)
    assert Rules.from_mapping(None) == RULES
    assert Rules.from_mapping({}) == RULES


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"min_acuracy": 0.7}, "min_acuracy"),
        ({"min_accuracy": 1.5}, "min_accuracy"),
        ({"min_accuracy": "high"}, "min_accuracy"),
        ({"fast_count": True}, "fast_count"),
        ({"fast_count": 2.5}, "fast_count"),
        ({"fast_count": 11}, "fast_count"),
        ({"same_label_run": 0}, "same_label_run"),
        ({"min_seconds": -1}, "min_seconds"),
        ({"min_seconds": float("nan")}, "min_seconds"),
        ({"audit_min_trusted": 1}, "audit_min_trusted"),
    ],
)
def test_from_mapping_rejects_naming_the_key(values: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        Rules.from_mapping(values)


def test_accuracy_waits_for_five_control_items() -> None:
    assert accuracy_rule(Skill(right=0, wrong=4), RULES) is None
    verdict = accuracy_rule(Skill(right=0, wrong=5), RULES)
    assert verdict == Verdict(
        rule="accuracy",
        action="suspend",
        reason_key="quality.reason.accuracy",
        params={"accuracy": 0.0, "threshold": 0.8, "count": 5},
    )


def test_accuracy_at_threshold_is_kept() -> None:
    assert accuracy_rule(Skill(right=4, wrong=1), RULES) is None  # 0.8 is not below 0.8
    # partial credits that sum to 0.8 in floating point are still 0.8
    right, wrong = sum([0.1] * 8) * 5, sum([0.1] * 10)  # 3.9999999999999996, 0.9999999999999999
    assert right + wrong < 5  # still five control items
    assert accuracy_rule(Skill(right=right, wrong=wrong), RULES) is None
    verdict = accuracy_rule(Skill(right=3.95, wrong=1.05), RULES)
    assert verdict is not None
    assert verdict.params["accuracy"] == 0.79


def test_accuracy_uses_observed_share_not_beta_mean() -> None:
    # Beta mean (2 + 4) / (3 + 5) = 0.75 would suspend a worker with 4 of 5 right
    assert accuracy_rule(Skill(right=4, wrong=1), Rules(min_accuracy=0.8)) is None


def _timed(*seconds: float, chars: int | None = None) -> list[RecentAnswer]:
    return [RecentAnswer(label="a", seconds=s, chars=chars) for s in seconds]


def test_speed_needs_five_fast_of_last_ten() -> None:
    four_fast = _timed(1.0, 1.0, 1.0, 1.0, *([3.0] * 6))
    assert speed_rule(four_fast, RULES) is None
    five_fast = _timed(1.0, 1.0, 1.0, 1.0, 1.4, *([3.0] * 5))
    verdict = speed_rule(five_fast, RULES)
    assert verdict is not None
    assert verdict.reason_key == "quality.reason.speed"
    assert verdict.params == {"count": 5, "window": 10, "seconds": 1.5}


def test_speed_floor_is_strict_and_window_slides() -> None:
    assert speed_rule(_timed(*([1.5] * 10)), RULES) is None  # exactly at the floor is fine
    old_fast = _timed(*([0.5] * 5), *([2.0] * 10))  # the fast ones fell out of the window
    assert speed_rule(old_fast, RULES) is None
    assert speed_rule(_timed(*([0.5] * 5)), RULES) is not None  # 5 of the first 5


def test_speed_floor_scales_with_text_length() -> None:
    # 40 characters: floor 1.5 + 0.1 * 40 = 5.5 s
    assert RULES.floor(40) == pytest.approx(5.5)
    assert speed_rule(_timed(*([5.4] * 5), chars=40), RULES) is not None
    assert speed_rule(_timed(*([5.5] * 5), chars=40), RULES) is None
    assert speed_rule(_timed(*([5.4] * 5), chars=None), RULES) is None


def test_text_length_counts_hangul_syllables() -> None:
    assert text_length("안녕하세요!") == 5
    assert text_length("Hello,  world") == 11


def _same(label: str, n: int, **kwargs: object) -> list[RecentAnswer]:
    return [RecentAnswer(label=label, seconds=5.0, **kwargs) for _ in range(n)]  # type: ignore[arg-type]


def test_same_label_needs_twenty_in_a_row() -> None:
    varied = [RecentAnswer(label="pos", seconds=5.0, gold="neg")]
    assert same_label_rule(varied + _same("pos", 18), RULES) is None
    verdict = same_label_rule(varied + _same("pos", 19), RULES)
    assert verdict == Verdict(
        rule="same_label",
        action="flag",
        reason_key="quality.reason.same_label",
        params={"count": 20, "label": "pos"},
    )
    broken = [*varied, *_same("pos", 18), RecentAnswer(label="neg", seconds=5.0)]
    assert same_label_rule(broken, RULES) is None


def test_same_label_not_flagged_when_items_agree() -> None:
    agreeing = _same("pos", 20, others=("pos", "pos"), gold=None)
    assert same_label_rule(agreeing, RULES) is None
    unknown = _same("pos", 20)  # nothing known about the items
    assert same_label_rule(unknown, RULES) is None


def test_same_label_uses_plurality_of_other_workers() -> None:
    tie = [RecentAnswer(label="pos", seconds=5.0, others=("pos", "neg")), *_same("pos", 19)]
    assert same_label_rule(tie, RULES) is None  # a tie is no evidence
    against = [RecentAnswer(label="pos", seconds=5.0, others=("neg", "neg", "pos"))]
    assert same_label_rule(against + _same("pos", 19), RULES) is not None


def test_same_label_shows_sets_joined() -> None:
    run = [RecentAnswer(label=frozenset({"b", "a"}), seconds=5.0, gold=frozenset({"a"}))] * 20
    verdict = same_label_rule(run, RULES)
    assert verdict is not None
    assert verdict.params["label"] == "a, b"


def test_check_rules_collects_suspensions_first() -> None:
    recent = [RecentAnswer(label="pos", seconds=0.5, gold="neg")] * 20
    verdicts = check_rules(Skill(right=0, wrong=20), recent, RULES)
    assert [v.rule for v in verdicts] == ["accuracy", "speed", "same_label"]
    assert [v.rule for v in check_rules(Skill(), recent, RULES, labels=False)] == ["speed"]
    assert check_rules(Skill(right=10, wrong=0), [], RULES) == []
