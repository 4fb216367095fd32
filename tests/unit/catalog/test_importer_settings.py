"""Project and quiz settings: every error is one line naming the file, the line and the field."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from gigbot.catalog.importer import ImportRejected, validate_project, validate_quiz

PROJECT = """\
slug = "demo-project"
kind = "classification"
title = { en = "Demo", ko = "데모" }
labels = [ { value = "pos", en = "Positive", ko = "긍정" },
           { value = "neg", en = "Negative", ko = "부정" } ]
reward = 30
items = "items.jsonl"
"""

QUIZ = """\
slug = "demo-quiz"
kind = "classification"
title = { en = "Demo exam", ko = "데모 시험" }
labels = [ { value = "pos", en = "Positive", ko = "긍정" },
           { value = "neg", en = "Negative", ko = "부정" } ]
pass_score = 0.8
questions = 4
training = "training.jsonl"
exam = "exam.jsonl"
"""

ITEMS = [{"key": "a", "text": "good"}, {"key": "b", "text": "bad", "gold": "neg"}]
EXAM = [{"key": f"e{n}", "text": f"exam {n}", "gold": "pos" if n % 2 else "neg"} for n in range(6)]


def write(
    folder: Path,
    name: str,
    text: str,
    lines: list[dict[str, Any]] | None = None,
    items_name: str = "items.jsonl",
) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(text, encoding="utf-8")
    if lines is not None:
        (folder / items_name).write_text(
            "".join(json.dumps(x, ensure_ascii=False) + "\n" for x in lines), encoding="utf-8"
        )
    return folder


def project_errors(
    tmp_path: Path, text: str, items: list[dict[str, Any]] | None = None
) -> list[str]:
    folder = write(tmp_path / "p", "project.toml", text, ITEMS if items is None else items)
    with pytest.raises(ImportRejected) as rejected:
        validate_project(folder)
    return [str(e) for e in rejected.value.errors]


def quiz_errors(tmp_path: Path, text: str, exam: list[dict[str, Any]] | None = None) -> list[str]:
    folder = write(tmp_path / "q", "quiz.toml", text)
    write(folder, "quiz.toml", text, EXAM[:2], "training.jsonl")
    write(folder, "quiz.toml", text, EXAM if exam is None else exam, "exam.jsonl")
    with pytest.raises(ImportRejected) as rejected:
        validate_quiz(folder)
    return [str(e) for e in rejected.value.errors]


def test_valid_files_pass(tmp_path: Path) -> None:
    spec = validate_project(write(tmp_path / "p", "project.toml", PROJECT, ITEMS))
    assert (spec.slug, spec.overlap, spec.max_overlap, spec.lease_minutes) == (
        "demo-project",
        3,
        3,
        10.0,
    )
    assert spec.instructions == {"en": "", "ko": ""}
    quiz = write(tmp_path / "q", "quiz.toml", QUIZ, EXAM[:2], "training.jsonl")
    write(quiz, "quiz.toml", QUIZ, EXAM, "exam.jsonl")
    assert validate_quiz(quiz).questions == 4


def test_bad_toml_syntax_names_the_line(tmp_path: Path) -> None:
    text = PROJECT.replace("reward = 30", "reward = ")
    assert project_errors(tmp_path, text) == ["project.toml:6: toml: Invalid value"]


@pytest.mark.parametrize(
    ("old", "new", "error"),
    [
        (
            "reward = 30",
            "reward = 30\nrewrad = 3",
            "project.toml:7: rewrad: unknown key (see docs/import.md for the keys)",
        ),
        ("reward = 30\n", "", "project.toml: reward: missing; this key is required"),
        ('slug = "demo-project"\n', "", "project.toml: slug: missing; this key is required"),
        (
            "reward = 30",
            'reward = "30"',
            'project.toml:6: reward: expected an integer, got a string "30"',
        ),
        ("reward = 30", "reward = -5", "project.toml:6: reward: -5 is below 0"),
        (
            "reward = 30",
            "reward = 2.5",
            "project.toml:6: reward: expected an integer, got a number 2.5",
        ),
        (
            "reward = 30",
            'reward = 30\naccept = "review"\nreview_reward = -1',
            "project.toml:8: review_reward: -1 is below 0",
        ),
        (
            "reward = 30",
            "reward = 30\nreview_reward = 1.5",
            "project.toml:7: review_reward: expected an integer, got a number 1.5",
        ),
        (
            'slug = "demo-project"',
            'slug = "Demo_Project"',
            'project.toml:1: slug: "Demo_Project" does not match [a-z0-9-]{3,40}',
        ),
        (
            'slug = "demo-project"',
            'slug = "ab"',
            'project.toml:1: slug: "ab" does not match [a-z0-9-]{3,40}',
        ),
        (
            'kind = "classification"',
            'kind = "ranking"',
            'project.toml:2: kind: "ranking" is not one of classification, transcription',
        ),
        ("reward = 30", "reward = 30\noverlap = 0", "project.toml:7: overlap: 0 is below 1"),
        (
            "reward = 30",
            "reward = 30\noverlap = 4\nmax_overlap = 3",
            "project.toml:7: overlap: 4 is above max_overlap 3",
        ),
        (
            "reward = 30",
            "reward = 30\nconfidence = 1.5",
            "project.toml:7: confidence: 1.5 is outside [0, 1]",
        ),
        (
            "reward = 30",
            "reward = 30\ngold_ratio = -0.1",
            "project.toml:7: gold_ratio: -0.1 is outside [0, 1]",
        ),
        (
            "reward = 30",
            "reward = 30\nmin_accuracy = 2",
            "project.toml:7: min_accuracy: 2 is outside [0, 1]",
        ),
        (
            "reward = 30",
            'reward = 30\naccept = "manual"',
            'project.toml:7: accept: "manual" is not one of auto, consensus, review',
        ),
        (
            "reward = 30",
            "reward = 30\nmulti_label = 1",
            "project.toml:7: multi_label: expected true or false, got 1",
        ),
        (
            "reward = 30",
            "reward = 30\nlease_minutes = 0",
            "project.toml:7: lease_minutes: 0 is outside (0, 1440]",
        ),
        (
            "reward = 30",
            'reward = 30\nqualification = "No Such"',
            'project.toml:7: qualification: "No Such" is not a quiz slug',
        ),
        (
            'title = { en = "Demo", ko = "데모" }',
            'title = { en = "Demo" }',
            "project.toml:3: title: needs a string for ko",
        ),
        (
            'items = "items.jsonl"',
            'items = "../items.jsonl"',
            'project.toml:7: items: "../items.jsonl" is not a relative path inside the folder',
        ),
        (
            'items = "items.jsonl"',
            'items = "/etc/items.jsonl"',
            'project.toml:7: items: "/etc/items.jsonl" is not a relative path inside the folder',
        ),
        (
            'items = "items.jsonl"',
            'items = "other.jsonl"',
            'project.toml:7: items: "other.jsonl" is missing',
        ),
        (
            'items = "items.jsonl"\n',
            "",
            'project.toml: items: missing; give items = "items.jsonl" or [[item]] tables',
        ),
        (
            'items = "items.jsonl"',
            'items = "items.jsonl"\n[rules]\ncer_threshold = 2',
            "project.toml:9: rules.cer_threshold: 2 is not a number in [0, 1]",
        ),
    ],
)
def test_project_setting_errors(tmp_path: Path, old: str, new: str, error: str) -> None:
    assert old in PROJECT
    assert project_errors(tmp_path, PROJECT.replace(old, new, 1)) == [error]


LABELS = (
    'labels = [ { value = "pos", en = "Positive", ko = "긍정" },\n'
    '           { value = "neg", en = "Negative", ko = "부정" } ]'
)


@pytest.mark.parametrize(
    ("labels", "error"),
    [
        ("", "project.toml: labels: missing; a classification needs labels"),
        ("labels = []", "project.toml:4: labels: empty or too few: give at least 2"),
        (
            'labels = "pos,neg"',
            "project.toml:4: labels: expected a list of { value = ..., en = ..., ko = ... }",
        ),
        (
            "labels = ["
            + ", ".join(f'{{ value = "l{n}", en = "L{n}", ko = "라{n}" }}' for n in range(13))
            + "]",
            "project.toml:4: labels: 13 labels; at most 12 fit on the buttons",
        ),
        (
            'labels = [ { value = "pos", en = "Positive", ko = "긍정" },\n'
            '           { value = "pos", en = "Good", ko = "좋음" } ]',
            'project.toml:5: labels[1]: value "pos" is used twice',
        ),
        (
            'labels = [ { value = "pos", en = "Positive", ko = "긍정" },\n'
            '           { value = "neg", en = "Negative" } ]',
            "project.toml:5: labels[1]: ko: missing; every label needs en and ko names",
        ),
        (
            'labels = [ { value = "pos", en = "Positive", ko = "긍정" },\n'
            '           { value = "a:b", en = "Odd", ko = "이상" } ]',
            "project.toml:5: labels[1]: value \"a:b\" must not contain ':' or control characters",
        ),
        (
            'labels = [ { value = "pos", en = "Positive", ko = "긍정" },\n'
            '           { value = "부정적인-리뷰-입니다-정말로", en = "Long", ko = "김" } ]',
            'project.toml:5: labels[1]: value "부정적인-리뷰-입니다-정말로" is over 32 bytes',
        ),
        (
            'labels = [ { value = "pos", en = "Positive", ko = "긍정" },\n'
            '           { value = "neg", en = "Negative", ko = "부정", colour = "red" } ]',
            "project.toml:5: labels[1]: colour: unknown key (a label has value, en, ko)",
        ),
    ],
)
def test_label_errors(tmp_path: Path, labels: str, error: str) -> None:
    assert project_errors(tmp_path, PROJECT.replace(LABELS, labels)) == [error]


def test_labels_as_array_of_tables_name_their_line(tmp_path: Path) -> None:
    text = PROJECT.replace(LABELS, "").replace(
        'items = "items.jsonl"',
        (
            'items = "items.jsonl"\n[[labels]]\nvalue = "pos"\nen = "Positive"\nko = "긍정"\n'
            '[[labels]]\nvalue = "neg:x"\nen = "Negative"\nko = "부정"\n'
        ),
    )
    assert project_errors(tmp_path, text) == [
        "project.toml:12: labels[1]: value \"neg:x\" must not contain ':' or control characters"
    ]


def test_transcription_has_no_labels(tmp_path: Path) -> None:
    text = PROJECT.replace('"classification"', '"transcription"')
    assert project_errors(tmp_path, text) == [
        "project.toml:4: labels: a transcription has no labels; remove them"
    ]


def test_several_errors_are_all_reported(tmp_path: Path) -> None:
    text = PROJECT.replace("reward = 30", "reward = -1\nconfidence = 3\naccept = 1")
    assert project_errors(tmp_path, text) == [
        "project.toml:6: reward: -1 is below 0",
        "project.toml:7: confidence: 3 is outside [0, 1]",
        "project.toml:8: accept: expected a string, got an integer 1",
    ]


@pytest.mark.parametrize(
    ("old", "new", "error"),
    [
        (
            'training = "training.jsonl"\n',
            "",
            'quiz.toml: training: missing; give training = "training.jsonl" or [[training]] '
            "tables",
        ),
        (
            'exam = "exam.jsonl"\n',
            "",
            'quiz.toml: exam: missing; give exam = "exam.jsonl" or [[exam]] tables',
        ),
        ("questions = 4", "questions = 0", "quiz.toml:7: questions: 0 is below 1"),
        ("pass_score = 0.8", "pass_score = 80", "quiz.toml:6: pass_score: 80 is outside [0, 1]"),
        (
            "questions = 4",
            "questions = 4\nmax_attempts = 0",
            "quiz.toml:8: max_attempts: 0 is below 1",
        ),
        (
            "questions = 4",
            "questions = 4\ncooldown_hours = -1",
            "quiz.toml:8: cooldown_hours: -1 is below 0",
        ),
        (
            "questions = 4",
            "questions = 4\nreward = 3",
            "quiz.toml:8: reward: unknown key (see docs/import.md for the keys)",
        ),
    ],
)
def test_quiz_setting_errors(tmp_path: Path, old: str, new: str, error: str) -> None:
    assert old in QUIZ
    assert quiz_errors(tmp_path, QUIZ.replace(old, new, 1)) == [error]


def test_exam_items_need_gold(tmp_path: Path) -> None:
    exam = [*EXAM, {"key": "e9", "text": "no gold"}]
    assert quiz_errors(tmp_path, QUIZ, exam) == [
        "exam.jsonl:7: gold: missing; quiz items need gold"
    ]


def test_exam_too_unbalanced_for_the_draw(tmp_path: Path) -> None:
    exam = [{"key": f"e{n}", "text": "x", "gold": "pos" if n else "neg"} for n in range(8)]
    assert quiz_errors(tmp_path, QUIZ, exam) == [
        "quiz.toml:7: questions: 4 exam questions balanced over labels need 2 items for label "
        '"neg", which has 1 (exam gold: pos 7, neg 1)'
    ]


def test_exam_with_fewer_items_than_questions(tmp_path: Path) -> None:
    text = QUIZ.replace("questions = 4", "questions = 7")
    assert quiz_errors(tmp_path, text) == [
        "quiz.toml:7: questions: 7 exam questions balanced over labels need 4 items for label "
        '"pos", which has 3 (exam gold: pos 3, neg 3)'
    ]


def test_rules_are_checked_by_the_scoring_library(tmp_path: Path) -> None:
    text = PROJECT + "\n[rules]\nmin_controls = 5\nmin_seconds = -1\n"
    [error] = project_errors(tmp_path, text)
    assert error.startswith("project.toml:11: rules.min_seconds: ")
    spec = validate_project(
        write(tmp_path / "ok", "project.toml", PROJECT + "\n[rules]\nmin_seconds = 2\n", ITEMS)
    )
    assert spec.rules == {"min_seconds": 2}
