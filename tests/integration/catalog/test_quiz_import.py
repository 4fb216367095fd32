"""The example quiz through the importer and the quiz service; quiz files the importer refuses."""

from __future__ import annotations

import random
import re
from collections import Counter
from pathlib import Path

import pytest

from gigbot.catalog.importer import ImportRejected, import_project, import_quiz
from gigbot.clock import FrozenClock
from gigbot.db.models import Qualification, QualStage, QuizAttempt, QuizItem, User
from gigbot.qualification import quiz as svc
from gigbot.qualification.gate import is_qualified

EXAMPLES = Path(__file__).resolve().parents[3] / "examples"


def quiz_copy(tmp_path: Path, **changes: str) -> Path:
    """A copy of examples/sentiment-exam with some ``key = value`` lines replaced."""
    folder = tmp_path / "quiz"
    folder.mkdir()
    text = (EXAMPLES / "sentiment-exam" / "quiz.toml").read_text()
    for key, value in changes.items():
        text = re.sub(rf"(?m)^{key} = .*$", f"{key} = {value}", text)
    (folder / "quiz.toml").write_text(text)
    for name in ("training.jsonl", "exam.jsonl"):
        (folder / name).write_text((EXAMPLES / "sentiment-exam" / name).read_text())
    return folder


async def test_the_example_quiz_qualifies_a_worker(any_db: str, tmp_path: Path) -> None:
    clock = FrozenClock()
    await import_quiz(EXAMPLES / "sentiment-exam", data_dir=tmp_path, clock=clock)
    await import_project(EXAMPLES / "review-sentiment", data_dir=tmp_path, clock=clock)
    now = clock.now()
    worker = (await User.create(tg_id=5, pseudonym="w5", created_at=now, last_seen_at=now)).id
    [status] = await svc.list_quizzes(worker, now)
    assert status.projects == ({"en": "Review sentiment", "ko": "리뷰 감정 분류"},)
    assert not await is_qualified(worker, status.quiz_id)
    step = await svc.start_training(worker, status.quiz_id, now)
    assert step.question is not None
    values = [label["value"] for label in step.question.labels]
    while step.question is not None:
        q = step.question
        gold = (await QuizItem.get(id=(await QuizAttempt.get(id=q.attempt_id)).queue[q.step])).gold
        step = await svc.answer_choice(worker, q.attempt_id, q.step, values.index(gold), now)
    assert step.training is not None and step.training.score == 1.0
    step = await svc.start_exam(worker, status.quiz_id, now, random.Random(5))
    drawn: list[str] = []
    while step.question is not None:
        q = step.question
        gold = (await QuizItem.get(id=(await QuizAttempt.get(id=q.attempt_id)).queue[q.step])).gold
        drawn.append(gold)
        step = await svc.answer_choice(worker, q.attempt_id, q.step, values.index(gold), now)
    assert Counter(drawn) == {"pos": 3, "neg": 3}
    assert step.exam is not None and step.exam.passed
    assert await is_qualified(worker, status.quiz_id)
    qual = await Qualification.get(worker_id=worker)
    assert (qual.stage, qual.attempts_used) == (QualStage.QUALIFIED, 1)


async def test_an_exam_too_small_for_a_balanced_draw_is_refused_clearly(
    any_db: str, tmp_path: Path
) -> None:
    folder = quiz_copy(tmp_path, questions="14")
    with pytest.raises(ImportRejected) as refused:
        await import_quiz(folder, data_dir=tmp_path, clock=FrozenClock())
    message = str(refused.value)
    # names the file, the line and the field, and says what is short and by how much
    assert re.match(r"quiz\.toml:\d+: questions: ", message), message
    assert "balanced" in message
    for number in ("14", "7", "6"):
        assert re.search(rf"\b{number}\b", message), message
    assert await QuizItem.all().count() == 0  # nothing imported


async def test_an_unbalanced_exam_is_refused_even_with_enough_items(
    any_db: str, tmp_path: Path
) -> None:
    folder = quiz_copy(tmp_path, questions="6")
    exam = folder / "exam.jsonl"
    lines = exam.read_text().splitlines()
    kept = [line for line in lines if '"neg"' not in line] + [
        line for line in lines if '"neg"' in line
    ][:2]
    exam.write_text("\n".join(kept) + "\n")
    with pytest.raises(ImportRejected) as refused:
        await import_quiz(folder, data_dir=tmp_path, clock=FrozenClock())
    message = str(refused.value)
    assert re.match(r"quiz\.toml:\d+: questions: ", message), message
    assert '"neg"' in message and re.search(r"\b3\b.*\b2\b", message), message
