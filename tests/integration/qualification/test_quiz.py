"""The quiz service on a real database: training, exams, retries, resuming, bad input."""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter
from typing import Any

import pytest

from gigbot.db.models import (
    Project,
    Qualification,
    QualStage,
    Quiz,
    QuizAnswer,
    QuizAttempt,
    QuizItem,
    User,
)
from gigbot.errors import BadCallback, UserError
from gigbot.qualification import quiz as svc

T0 = dt.datetime(2025, 3, 1, 9, 0, tzinfo=dt.UTC)
LABELS = [
    {"value": "pos", "en": "Positive", "ko": "긍정"},
    {"value": "neg", "en": "Negative", "ko": "부정"},
]


async def make_worker(n: int = 1) -> int:
    user = await User.create(
        tg_id=1000 + n, pseudonym=f"w{n}", created_at=T0, last_seen_at=T0
    )
    return user.id


async def make_quiz(
    *,
    slug: str = "sentiment-exam",
    kind: str = "classification",
    labels: list[dict[str, str]] | None = None,
    multi_label: bool = False,
    training: list[Any] | None = None,
    exam: list[Any] | None = None,
    questions: int = 4,
    pass_score: float = 0.75,
    cooldown_hours: float = 12,
    max_attempts: int = 2,
) -> Quiz:
    """A quiz with gold per item; default: 3 training items, 6 exam items (3 pos, 3 neg)."""
    quiz = await Quiz.create(
        slug=slug, kind=kind, title={"en": "Sentiment exam", "ko": "감정 시험"},
        instructions={"en": "Positive or negative?", "ko": "긍정인가요, 부정인가요?"},
        labels=LABELS if labels is None else labels, multi_label=multi_label,
        pass_score=pass_score, questions=questions, cooldown_hours=cooldown_hours,
        max_attempts=max_attempts, created_at=T0, updated_at=T0,
    )
    training = ["pos", "neg", "pos"] if training is None else training
    exam = ["pos", "pos", "pos", "neg", "neg", "neg"] if exam is None else exam
    for part, golds in (("training", training), ("exam", exam)):
        for i, gold in enumerate(golds):
            item = QuizItem(
                quiz=quiz, part=part, key=f"{part}-{i}", seq=i, text=f"{part} text {i}",
                gold=gold, explanation={"en": f"because {i}", "ko": f"이유 {i}"},
            )
            await item.save()
    return quiz


async def gold_of(question: svc.Question) -> Any:
    attempt = await QuizAttempt.get(id=question.attempt_id)
    item = await QuizItem.get(id=attempt.queue[question.step])
    return item.gold


async def right_choice(question: svc.Question) -> int:
    gold = await gold_of(question)
    return [label["value"] for label in question.labels].index(gold)


async def answer(worker: int, question: svc.Question, *, right: bool, now: dt.datetime
                 ) -> svc.StepResult:
    choice = await right_choice(question)
    return await svc.answer_choice(
        worker, question.attempt_id, question.step, choice if right else 1 - choice, now
    )


async def pass_training(worker: int, quiz: Quiz, now: dt.datetime = T0) -> None:
    step = await svc.start_training(worker, quiz.id, now)
    while step.question is not None:
        step = await answer(worker, step.question, right=True, now=now)
    assert step.training is not None


async def take_exam(worker: int, quiz: Quiz, rights: int, now: dt.datetime) -> svc.ExamResult:
    step = await svc.start_exam(worker, quiz.id, now, random.Random(7))
    given = 0
    while step.question is not None:
        step = await answer(worker, step.question, right=given < rights, now=now)
        given += 1
    assert step.exam is not None
    return step.exam


async def test_first_contact_creates_a_registered_row(any_db: str) -> None:
    worker, quiz = await make_worker(), await make_quiz()
    await Project.create(
        slug="review-sentiment", kind="classification", title={"en": "Reviews", "ko": "리뷰"},
        instructions={}, labels=LABELS, reward=30, overlap=3, max_overlap=5, confidence=0.9,
        gold_ratio=0.1, qualification=quiz, min_accuracy=0.8, created_at=T0, updated_at=T0,
    )
    status = await svc.quiz_status(worker, quiz.id, T0)
    assert status.stage is QualStage.REGISTERED
    assert status.projects == ({"en": "Reviews", "ko": "리뷰"},)
    assert await Qualification.filter(worker_id=worker).count() == 1
    assert [s.slug for s in await svc.list_quizzes(worker, T0)] == ["sentiment-exam"]
    assert await Qualification.filter(worker_id=worker).count() == 1


async def test_training_wrong_answer_comes_back_and_scores_first_answers(any_db: str) -> None:
    worker, quiz = await make_worker(), await make_quiz()
    step = await svc.start_training(worker, quiz.id, T0)
    first = step.question
    assert first is not None and first.part is svc.Part.TRAINING and first.total == 3
    step = await answer(worker, first, right=False, now=T0)
    assert step.feedback is not None and not step.feedback.correct
    assert step.feedback.right_answer == (LABELS[0],)
    assert step.feedback.explanation == {"en": "because 0", "ko": "이유 0"}
    assert step.question is not None and step.question.total == 4
    seen = [await gold_of(first)]
    while step.question is not None:
        question = step.question
        seen.append(await gold_of(question))
        assert question.repeat is (question.number == 4)
        step = await answer(worker, question, right=True, now=T0)
        assert step.feedback is not None and step.feedback.correct
    assert seen == ["pos", "neg", "pos", "pos"]  # the missed item came back at the end
    assert step.training is not None
    assert (step.training.right, step.training.total) == (2, 3)
    assert step.training.stage is QualStage.TRAINED
    qual = await Qualification.get(worker_id=worker)
    assert (qual.stage, qual.training_score) == (QualStage.TRAINED, pytest.approx(2 / 3))


async def test_training_item_missed_twice_keeps_coming_back(any_db: str) -> None:
    worker, quiz = await make_worker(), await make_quiz(training=["pos"])
    step = await svc.start_training(worker, quiz.id, T0)
    for _ in range(2):
        assert step.question is not None
        step = await answer(worker, step.question, right=False, now=T0)
    assert step.question is not None and step.question.repeat
    step = await answer(worker, step.question, right=True, now=T0)
    assert step.training is not None and step.training.score == 0.0
    assert await QuizAnswer.filter(is_first=True).count() == 1


async def test_training_missed_without_end_still_ends_trained(any_db: str) -> None:
    """A worker who always misses gets each item back TRAINING_RETURNS times, then is done."""
    worker, quiz = await make_worker(), await make_quiz(training=["pos", "neg", "pos"])
    step = await svc.start_training(worker, quiz.id, T0)
    asked = 0
    while step.question is not None:
        asked += 1
        assert asked <= 9, "the training never ends"
        step = await answer(worker, step.question, right=False, now=T0)
        assert step.feedback is not None
        assert step.feedback.comes_back is (asked <= 3 * svc.TRAINING_RETURNS)
    assert asked == 3 * (1 + svc.TRAINING_RETURNS) == 9
    assert step.training is not None
    assert (step.training.right, step.training.total, step.training.score) == (0, 3, 0.0)
    assert step.training.stage is QualStage.TRAINED
    qual = await Qualification.get(worker_id=worker)
    assert (qual.stage, qual.training_score) == (QualStage.TRAINED, 0.0)


async def test_training_resumes_where_it_stopped(any_db: str) -> None:
    worker, quiz = await make_worker(), await make_quiz()
    step = await svc.start_training(worker, quiz.id, T0)
    assert step.question is not None
    step = await answer(worker, step.question, right=True, now=T0)
    again = await svc.start_training(worker, quiz.id, T0)
    assert again.question is not None and step.question is not None
    assert (again.question.attempt_id, again.question.step) == (
        step.question.attempt_id, step.question.step
    )


async def test_exam_needs_training_first(any_db: str) -> None:
    worker, quiz = await make_worker(), await make_quiz()
    with pytest.raises(UserError) as refused:
        await svc.start_exam(worker, quiz.id, T0)
    assert refused.value.key == "quiz.train_first"


async def test_exam_draw_is_balanced_without_repeats(any_db: str) -> None:
    worker, quiz = await make_worker(), await make_quiz()
    await pass_training(worker, quiz)
    step = await svc.start_exam(worker, quiz.id, T0, random.Random(1))
    assert step.question is not None and step.feedback is None
    attempt = await QuizAttempt.get(id=step.question.attempt_id)
    assert len(attempt.queue) == len(set(attempt.queue)) == 4
    golds = Counter([(await QuizItem.get(id=i)).gold for i in attempt.queue])
    assert golds == {"pos": 2, "neg": 2}


async def test_exam_pass_qualifies_and_names_the_projects_it_opened(any_db: str) -> None:
    worker, quiz = await make_worker(), await make_quiz()
    await Project.create(
        slug="review-sentiment", kind="classification", title={"en": "Reviews", "ko": "리뷰"},
        instructions={}, labels=LABELS, reward=30, overlap=3, max_overlap=5, confidence=0.9,
        gold_ratio=0.1, qualification=quiz, min_accuracy=0.8, created_at=T0, updated_at=T0,
    )
    await pass_training(worker, quiz)
    result = await take_exam(worker, quiz, rights=3, now=T0)
    assert (result.passed, result.score, result.pass_score) == (True, 0.75, 0.75)
    assert result.opened == ({"en": "Reviews", "ko": "리뷰"},)
    qual = await Qualification.get(worker_id=worker)
    assert (qual.stage, qual.attempts_used, qual.exam_score) == (QualStage.QUALIFIED, 1, 0.75)
    with pytest.raises(UserError) as refused:
        await svc.start_exam(worker, quiz.id, T0)
    assert refused.value.key == "quiz.already_qualified"


async def test_exam_fail_cooldown_retry_and_closing(any_db: str) -> None:
    worker, quiz = await make_worker(), await make_quiz(max_attempts=2, cooldown_hours=12)
    await pass_training(worker, quiz)
    result = await take_exam(worker, quiz, rights=1, now=T0)
    assert not result.passed and not result.closed
    assert result.attempts_left == 1
    assert result.next_attempt_at == T0 + dt.timedelta(hours=12)
    with pytest.raises(UserError) as refused:
        await svc.start_exam(worker, quiz.id, T0 + dt.timedelta(hours=11))
    assert refused.value.key == "quiz.cooldown"
    assert refused.value.params == {"when": T0 + dt.timedelta(hours=12), "left": 1}
    later = T0 + dt.timedelta(hours=12)
    result = await take_exam(worker, quiz, rights=2, now=later)
    assert result.closed and result.attempts_left == 0 and result.next_attempt_at is None
    qual = await Qualification.get(worker_id=worker)
    assert (qual.stage, qual.attempts_used, qual.exam_score) == (QualStage.CLOSED, 2, 0.5)
    with pytest.raises(UserError) as refused:
        await svc.start_exam(worker, quiz.id, later + dt.timedelta(days=30))
    assert refused.value.key == "quiz.closed"


async def test_exam_resumes_with_the_same_questions(any_db: str) -> None:
    worker, quiz = await make_worker(), await make_quiz()
    await pass_training(worker, quiz)
    step = await svc.start_exam(worker, quiz.id, T0, random.Random(3))
    assert step.question is not None
    step = await answer(worker, step.question, right=True, now=T0)
    assert step.question is not None and step.feedback is None
    status = await svc.quiz_status(worker, quiz.id, T0 + dt.timedelta(hours=23))
    assert status.open_part is svc.Part.EXAM
    assert status.resume_until == T0 + dt.timedelta(hours=24)
    again = await svc.start_exam(worker, quiz.id, T0 + dt.timedelta(hours=23), random.Random(9))
    assert again.question == step.question
    assert await QuizAttempt.filter(part="exam").count() == 1


async def test_exam_abandoned_beyond_a_day_counts_as_a_failed_attempt(any_db: str) -> None:
    worker, quiz = await make_worker(), await make_quiz(cooldown_hours=12)
    await pass_training(worker, quiz)
    step = await svc.start_exam(worker, quiz.id, T0, random.Random(3))
    assert step.question is not None
    old = step.question
    step = await answer(worker, old, right=True, now=T0)
    late = T0 + dt.timedelta(hours=25)
    expired = await svc.start_exam(worker, quiz.id, late)
    assert expired.exam is not None and expired.exam.expired and not expired.exam.passed
    assert expired.exam.attempts_left == 1
    # the attempt ended 24 h after the last answer; the cooldown counts from then
    assert expired.exam.next_attempt_at == T0 + dt.timedelta(hours=36)
    qual = await Qualification.get(worker_id=worker)
    assert (qual.attempts_used, qual.stage) == (1, QualStage.TRAINED)
    assert step.question is not None
    with pytest.raises(UserError) as over:
        await answer(worker, step.question, right=True, now=late)
    assert over.value.key == "quiz.attempt_over"
    assert await QuizAttempt.get(id=old.attempt_id).values_list("status", flat=True) == (
        "abandoned"
    )


async def test_answer_after_expiry_returns_the_expired_result_once(any_db: str) -> None:
    worker, quiz = await make_worker(), await make_quiz()
    await pass_training(worker, quiz)
    step = await svc.start_exam(worker, quiz.id, T0, random.Random(3))
    assert step.question is not None
    late = T0 + dt.timedelta(days=2)
    result = await answer(worker, step.question, right=True, now=late)
    assert result.exam is not None and result.exam.expired
    assert await QuizAnswer.filter(attempt_id=step.question.attempt_id).count() == 0
    assert (await Qualification.get(worker_id=worker)).attempts_used == 1


async def test_double_tap_and_old_buttons_record_once(any_db: str) -> None:
    worker, quiz = await make_worker(), await make_quiz()
    await pass_training(worker, quiz)
    step = await svc.start_exam(worker, quiz.id, T0, random.Random(3))
    assert step.question is not None
    q = step.question
    first = await answer(worker, q, right=True, now=T0)
    again = await answer(worker, q, right=False, now=T0)
    assert first.question is not None and again.replay and again.question is None
    assert await QuizAnswer.filter(attempt_id=q.attempt_id, step=q.step).count() == 1
    # a forged step ahead of the current one, a forged choice, someone else's attempt
    with pytest.raises(BadCallback):
        await svc.answer_choice(worker, q.attempt_id, q.step + 3, 0, T0)
    with pytest.raises(BadCallback):
        await svc.answer_choice(worker, q.attempt_id, q.step + 1, 7, T0)
    other = await make_worker(2)
    with pytest.raises(BadCallback):
        await svc.answer_choice(other, q.attempt_id, q.step + 1, 0, T0)
    with pytest.raises(BadCallback):
        await svc.answer_choice(worker, 999_999, 0, 0, T0)
    assert await QuizAnswer.filter(attempt_id=q.attempt_id).count() == 1


async def test_training_of_an_old_attempt_refuses_after_it_ended(any_db: str) -> None:
    worker, quiz = await make_worker(), await make_quiz(training=["pos"])
    step = await svc.start_training(worker, quiz.id, T0)
    assert step.question is not None
    q = step.question
    done = await answer(worker, q, right=True, now=T0)
    assert done.training is not None
    assert (await answer(worker, q, right=True, now=T0)).replay
    with pytest.raises(UserError) as over:
        await svc.answer_choice(worker, q.attempt_id, q.step + 1, 0, T0)
    assert over.value.key == "quiz.attempt_over"


async def test_multi_label_quiz_takes_a_mask(any_db: str) -> None:
    labels = [{"value": v, "en": v.title(), "ko": v} for v in ("cat", "dog", "car")]
    worker = await make_worker()
    quiz = await make_quiz(
        slug="tags", labels=labels, multi_label=True, training=[["cat", "dog"]],
        exam=[["cat"], ["dog"], ["car", "cat"]], questions=3,
    )
    step = await svc.start_training(worker, quiz.id, T0)
    assert step.question is not None and step.question.multi_label
    wrong = await svc.answer_labels(worker, step.question.attempt_id, 0, 0b001, T0)
    assert wrong.feedback is not None and not wrong.feedback.correct
    assert wrong.feedback.right_answer == (labels[0], labels[1])
    assert wrong.question is not None
    right = await svc.answer_labels(worker, wrong.question.attempt_id, 1, 0b011, T0)
    assert right.training is not None and right.training.right == 0
    with pytest.raises(BadCallback):
        await svc.answer_labels(worker, wrong.question.attempt_id, 2, 0b1000, T0)


async def test_transcription_quiz_takes_a_typed_reply(any_db: str) -> None:
    worker = await make_worker()
    quiz = await make_quiz(
        slug="voice", kind="transcription", labels=[], training=["안녕하세요", "good morning"],
        exam=["a", "b"], questions=2,
    )
    step = await svc.start_training(worker, quiz.id, T0)
    assert step.question is not None and step.question.kind == "transcription"
    await svc.remember_message(worker, step.question.attempt_id, 501)
    assert await svc.answer_text(worker, 999, "hello", T0) is None
    result = await svc.answer_text(worker, 501, "안녕하세요!", T0)
    assert result is not None and result.feedback is not None and result.feedback.correct
    assert result.question is not None
    await svc.remember_message(worker, result.question.attempt_id, 502)
    result = await svc.answer_text(worker, 502, "good evening", T0)
    assert result is not None and result.feedback is not None and not result.feedback.correct
    assert result.feedback.right_answer == "good morning"
    with pytest.raises(UserError) as empty:
        await svc.answer_text(worker, 502, "   ", T0)
    assert empty.value.key == "quiz.empty_answer"
