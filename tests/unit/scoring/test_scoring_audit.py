"""Gold that audits itself: gold_suspect."""

from __future__ import annotations

from gigbot.scoring.audit import AuditFinding, gold_suspect
from gigbot.scoring.skill import Skill
from gigbot.scoring.types import Vote

TRUSTED = {1: 0.9, 2: 0.88, 3: 0.95, 4: 0.86}


def test_three_trusted_workers_against_gold_make_a_finding() -> None:
    votes = [Vote(1, "cat"), Vote(2, "cat"), Vote(3, "cat"), Vote(9, "dog")]
    finding = gold_suspect(votes, {**TRUSTED, 9: 0.5}, "dog")
    assert finding == AuditFinding(
        answer="cat", gold="dog", workers=(3, 1, 2), skills={3: 0.95, 1: 0.9, 2: 0.88}
    )


def test_two_trusted_workers_are_not_enough() -> None:
    votes = [Vote(1, "cat"), Vote(2, "cat"), Vote(9, "cat")]
    assert gold_suspect(votes, {1: 0.9, 2: 0.9, 9: 0.84}, "dog") is None
    assert gold_suspect(votes, {1: 0.9, 2: 0.9, 9: 0.85}, "dog") is not None  # edge: ≥ 0.85


def test_trusted_workers_must_agree_with_one_another() -> None:
    votes = [Vote(1, "cat"), Vote(2, "cow"), Vote(3, "cat")]
    assert gold_suspect(votes, TRUSTED, "dog") is None


def test_workers_agreeing_with_gold_are_no_evidence() -> None:
    votes = [Vote(w, "dog") for w in TRUSTED]
    assert gold_suspect(votes, TRUSTED, "dog") is None


def test_skill_values_and_unknown_workers() -> None:
    skills = {1: Skill(right=20, wrong=0), 2: Skill(right=20, wrong=1), 3: Skill(right=1, wrong=3)}
    votes = [Vote(1, "cat"), Vote(2, "cat"), Vote(3, "cat"), Vote(4, "cat")]
    assert gold_suspect(votes, skills, "dog") is None  # 3 is unskilled, 4 unknown
    assert gold_suspect(votes, skills, "dog", min_trusted=2) is not None


def test_each_worker_counts_once() -> None:
    votes = [Vote(1, "cat"), Vote(1, "cat"), Vote(1, "cat"), Vote(2, "cat")]
    assert gold_suspect(votes, TRUSTED, "dog") is None


def test_multi_label_sets_compare_exactly() -> None:
    votes = [Vote(w, ["a", "b"]) for w in (1, 2, 3)]
    finding = gold_suspect(votes, TRUSTED, frozenset({"a"}))
    assert finding is not None
    assert finding.answer == frozenset({"a", "b"})


def test_transcriptions_agree_after_normalising() -> None:
    votes = [Vote(1, "Hello, world!"), Vote(2, "hello world"), Vote(3, "HELLO WORLD.")]
    finding = gold_suspect(votes, TRUSTED, "goodbye world", kind="transcription")
    assert finding is not None
    assert finding.answer == "Hello, world!"
    near_gold = [Vote(w, "hello world") for w in (1, 2, 3)]
    assert gold_suspect(near_gold, TRUSTED, "hello world!", kind="transcription") is None


def test_bigger_group_wins() -> None:
    skills = dict.fromkeys(range(1, 8), 0.9)
    votes = [Vote(w, "cat") for w in (1, 2, 3)] + [Vote(w, "cow") for w in (4, 5, 6, 7)]
    finding = gold_suspect(votes, skills, "dog")
    assert finding is not None
    assert finding.answer == "cow"
