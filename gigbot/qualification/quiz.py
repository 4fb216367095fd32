"""The qualification quiz (DESIGN §5 steps 1-3): training with hints, then an exam with retries.

Owner of ``qualification``, ``quiz_attempt`` and ``quiz_answer``. A ``Qualification`` row (stage
registered) is created on a worker's first contact with a quiz. Training asks every training item
in order; a wrong answer shows the explanation and puts the item back at the end of the queue,
at most ``TRAINING_RETURNS`` times (so an item is asked at most three times, and a worker who
keeps missing it still reaches the end); its score counts first answers only, and finishing it
makes the worker *trained*. An exam asks a balanced random draw (tasks/draw.py) with no
feedback, then scores it: a pass makes the worker *qualified*; a fail counts an attempt and
opens the next one after ``cooldown_hours``; after ``max_attempts`` the quiz is *closed* to the
worker. An exam left
halfway can be resumed (same questions, same place) for ``RESUME_HOURS`` after its last answer;
after that it counts as a failed attempt.

Every answer is a compare-and-set on ``QuizAttempt.asked`` (the step): a double tap, a replayed
update or an old button records nothing twice (QuizAnswer is also unique per attempt and step).
Time comes from the caller (``now``); services return plain data and raise ``UserError``.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, replace
from typing import Any

from tortoise.transactions import in_transaction

from gigbot import scoring
from gigbot.db.models import (
    AttemptStatus,
    Project,
    ProjectKind,
    ProjectStatus,
    Qualification,
    QualStage,
    Quiz,
    QuizAnswer,
    QuizAttempt,
    QuizItem,
    QuizPart,
)
from gigbot.errors import BadCallback, UserError
from gigbot.qualification import stages
from gigbot.qualification.draw import balanced_draw

__all__ = [
    "RESUME_HOURS",
    "TRAINING_RETURNS",
    "ExamResult",
    "Feedback",
    "Part",
    "QualStage",
    "Question",
    "QuizStatus",
    "StepResult",
    "TrainingResult",
    "answer_choice",
    "answer_labels",
    "answer_text",
    "current_question",
    "invitation",
    "list_quizzes",
    "quiz_status",
    "remember_message",
    "start_exam",
    "start_training",
]

RESUME_HOURS = 24
TRAINING_RETURNS = 2  # a missed training item comes back at most this many times
OPEN, DONE, PASSED, FAILED, ABANDONED = (
    AttemptStatus.OPEN, AttemptStatus.DONE, AttemptStatus.PASSED, AttemptStatus.FAILED,
    AttemptStatus.ABANDONED,
)
Part = QuizPart  # the two parts of a quiz


@dataclass(frozen=True, slots=True)
class Question:
    """One question to show: what the worker sees, never the gold."""

    attempt_id: int
    step: int  # goes into the callback data (one answer per step)
    number: int  # 1-based position shown to the worker
    total: int  # questions in the attempt (training: grows when an item comes back)
    part: Part
    quiz_title: dict[str, str]
    kind: str  # classification | transcription
    multi_label: bool
    labels: tuple[dict[str, str], ...]  # {"value", "en", "ko"}, by button index
    text: str | None
    image: str | None
    audio: str | None
    context: str | None
    repeat: bool  # training: the item comes back after a wrong answer


@dataclass(frozen=True, slots=True)
class Feedback:
    """Training only: how the last answer fared, with the hint."""

    correct: bool
    right_answer: tuple[dict[str, str], ...] | str  # label names, or the reference text
    explanation: dict[str, str] | str | None
    comes_back: bool = False  # a missed item asked again later in this training


@dataclass(frozen=True, slots=True)
class TrainingResult:
    """A finished training: the score counts first answers only."""

    quiz_id: int
    right: int
    total: int
    score: float
    stage: QualStage
    questions: int  # the exam's facts, for the line that opens it
    pass_score: float


@dataclass(frozen=True, slots=True)
class ExamResult:
    """A finished (or expired) exam attempt."""

    quiz_id: int
    right: int
    total: int
    score: float
    pass_score: float
    passed: bool
    expired: bool  # abandoned beyond RESUME_HOURS: counted as a failed attempt
    opened: tuple[dict[str, str], ...]  # titles of the projects the pass opened
    attempts_left: int
    next_attempt_at: dt.datetime | None  # None: passed, or no attempts left
    closed: bool


@dataclass(frozen=True, slots=True)
class StepResult:
    """What to show after a start or an answer."""

    question: Question | None = None
    feedback: Feedback | None = None
    training: TrainingResult | None = None
    exam: ExamResult | None = None
    replay: bool = False  # the step was answered already: nothing recorded, nothing to show


@dataclass(frozen=True, slots=True)
class QuizStatus:
    """A worker's standing in one quiz, for the quiz screen, /quiz and /profile."""

    quiz_id: int
    slug: str
    title: dict[str, str]
    instructions: dict[str, str] | None
    stage: QualStage
    training_score: float | None
    best_score: float | None
    attempts_used: int
    max_attempts: int
    pass_score: float
    questions: int
    cooldown_hours: float
    next_attempt_at: dt.datetime | None  # only while it is in the future
    open_part: Part | None  # an attempt waits to be resumed
    resume_until: dt.datetime | None  # open exam: resumable until then
    projects: tuple[dict[str, str], ...]  # titles of the active projects the quiz gates


# ----- reading --------------------------------------------------------------------------------


async def _qualification(worker_id: int, quiz_id: int, now: dt.datetime) -> Qualification:
    """The worker's row for the quiz, created (registered) on first contact."""
    row, _ = await Qualification.get_or_create(
        worker_id=worker_id, quiz_id=quiz_id, defaults={"updated_at": now}
    )
    return row


async def _gated_titles(quiz_id: int) -> tuple[dict[str, str], ...]:
    rows = await Project.filter(qualification_id=quiz_id, status=ProjectStatus.ACTIVE).order_by(
        "id"
    )
    return tuple(dict(p.title) for p in rows)


async def _last_activity(attempt: QuizAttempt) -> dt.datetime:
    last = await QuizAnswer.filter(attempt_id=attempt.id).order_by("-created_at").first()
    return last.created_at if last else attempt.started_at


async def _resume_deadline(attempt: QuizAttempt) -> dt.datetime:
    return await _last_activity(attempt) + dt.timedelta(hours=RESUME_HOURS)


async def quiz_status(worker_id: int, quiz_id: int, now: dt.datetime) -> QuizStatus:
    """The worker's standing in a quiz (settles an expired exam first)."""
    quiz = await Quiz.get_or_none(id=quiz_id)
    if quiz is None:
        raise UserError("quiz.not_found")
    await _settle_expired(worker_id, quiz, now)
    qual = await _qualification(worker_id, quiz_id, now)
    attempt = (
        await QuizAttempt.filter(worker_id=worker_id, quiz_id=quiz_id, status=OPEN)
        .order_by("-id")
        .first()
    )
    open_part = Part(attempt.part) if attempt else None
    resume_until = (
        await _resume_deadline(attempt) if attempt and attempt.part == Part.EXAM else None
    )
    waiting = qual.next_attempt_at if qual.next_attempt_at and qual.next_attempt_at > now else None
    return QuizStatus(
        quiz_id=quiz.id,
        slug=quiz.slug,
        title=dict(quiz.title),
        instructions=dict(quiz.instructions) if quiz.instructions else None,
        stage=QualStage(qual.stage),
        training_score=qual.training_score,
        best_score=qual.exam_score,
        attempts_used=qual.attempts_used,
        max_attempts=quiz.max_attempts,
        pass_score=quiz.pass_score,
        questions=quiz.questions,
        cooldown_hours=quiz.cooldown_hours,
        next_attempt_at=waiting,
        open_part=open_part,
        resume_until=resume_until,
        projects=await _gated_titles(quiz.id),
    )


async def list_quizzes(worker_id: int, now: dt.datetime) -> list[QuizStatus]:
    """Every quiz with the worker's standing in it, oldest quiz first."""
    quizzes = await Quiz.all().order_by("id")
    return [await quiz_status(worker_id, quiz.id, now) for quiz in quizzes]


# ----- starting -------------------------------------------------------------------------------


def _question(quiz: Quiz, attempt: QuizAttempt, item: QuizItem) -> Question:
    queue = list(attempt.queue)
    step = attempt.asked
    return Question(
        attempt_id=attempt.id,
        step=step,
        number=step + 1,
        total=len(queue),
        part=Part(attempt.part),
        quiz_title=dict(quiz.title),
        kind=quiz.kind,
        multi_label=quiz.multi_label,
        labels=tuple(dict(label) for label in quiz.labels or ()),
        text=item.text,
        image=item.image,
        audio=item.audio,
        context=item.context,
        repeat=item.id in queue[:step],
    )


async def _current(quiz: Quiz, attempt: QuizAttempt) -> Question:
    item = await QuizItem.get(id=attempt.queue[attempt.asked])
    return _question(quiz, attempt, item)


async def _open_attempt(worker_id: int, quiz_id: int, part: Part) -> QuizAttempt | None:
    return (
        await QuizAttempt.filter(worker_id=worker_id, quiz_id=quiz_id, part=part, status=OPEN)
        .order_by("-id")
        .first()
    )


async def _locked_qualification(worker_id: int, quiz_id: int, now: dt.datetime) -> Qualification:
    """The worker's row, locked for the transaction (PostgreSQL; SQLite serialises anyway)."""
    await _qualification(worker_id, quiz_id, now)
    rows = Qualification.filter(worker_id=worker_id, quiz_id=quiz_id)
    return await rows.select_for_update().get()


async def start_training(worker_id: int, quiz_id: int, now: dt.datetime) -> StepResult:
    """Begin (or resume) the quiz's training; returns its current question."""
    quiz = await Quiz.get_or_none(id=quiz_id)
    if quiz is None:
        raise UserError("quiz.not_found")
    async with in_transaction():
        qual = await _locked_qualification(worker_id, quiz_id, now)
        attempt = await _open_attempt(worker_id, quiz_id, Part.TRAINING)
        if attempt is None:
            ids = await QuizItem.filter(quiz_id=quiz_id, part=Part.TRAINING).order_by(
                "seq", "id"
            ).values_list("id", flat=True)
            if not ids:  # a quiz without training: nothing to practise, the exam is open
                if qual.stage is QualStage.REGISTERED:
                    qual.stage, qual.updated_at = QualStage.TRAINED, now
                    await qual.save(update_fields=["stage", "updated_at"])
                return StepResult(training=TrainingResult(
                    quiz_id, 0, 0, 1.0, QualStage(qual.stage), quiz.questions, quiz.pass_score
                ))
            attempt = await QuizAttempt.create(
                worker_id=worker_id, quiz_id=quiz_id, part=Part.TRAINING, queue=list(ids),
                total=len(ids), started_at=now,
            )
        return StepResult(question=await _current(quiz, attempt))


def _refuse_exam(quiz: Quiz, qual: Qualification, now: dt.datetime) -> None:
    key = stages.exam_refusal(
        stages.QuizStage(qual.stage), qual.attempts_used, quiz.max_attempts,
        qual.next_attempt_at, now,
    )
    if key == "quiz.closed":
        raise UserError(key, max_attempts=quiz.max_attempts)
    if key == "quiz.cooldown":
        left = quiz.max_attempts - qual.attempts_used
        raise UserError(key, when=qual.next_attempt_at, left=left)
    if key is not None:
        raise UserError(key)


async def start_exam(
    worker_id: int, quiz_id: int, now: dt.datetime, rng: random.Random | None = None
) -> StepResult:
    """Resume the open exam attempt or draw a new one; refused with the reason and the time."""
    quiz = await Quiz.get_or_none(id=quiz_id)
    if quiz is None:
        raise UserError("quiz.not_found")
    expired = await _settle_expired(worker_id, quiz, now)
    if expired is not None:
        return StepResult(exam=expired)
    async with in_transaction():
        qual = await _locked_qualification(worker_id, quiz_id, now)
        attempt = await _open_attempt(worker_id, quiz_id, Part.EXAM)
        if attempt is None:
            _refuse_exam(quiz, qual, now)
            items = await QuizItem.filter(quiz_id=quiz_id, part=Part.EXAM).order_by("seq", "id")
            try:
                pool = stages.exam_pool(quiz.kind, ((i.id, i.gold) for i in items))
                drawn = balanced_draw(pool, quiz.questions, rng or random.Random())
            except ValueError as exc:  # the importer refuses such quizzes; an old row may not
                raise UserError("quiz.not_ready") from exc
            attempt = await QuizAttempt.create(
                worker_id=worker_id, quiz_id=quiz_id, part=Part.EXAM, queue=drawn,
                total=len(drawn), started_at=now,
            )
        return StepResult(question=await _current(quiz, attempt))


# ----- answering ------------------------------------------------------------------------------


async def answer_choice(
    worker_id: int, attempt_id: int, step: int, choice: int, now: dt.datetime
) -> StepResult:
    """A one-tap answer: label button ``choice`` of a single-label quiz."""
    return await _answer(worker_id, attempt_id, step, now, choice=choice)


async def answer_labels(
    worker_id: int, attempt_id: int, step: int, mask: int, now: dt.datetime
) -> StepResult:
    """A multi-label answer: the set of label buttons in the bit ``mask``."""
    return await _answer(worker_id, attempt_id, step, now, mask=mask)


async def answer_text(
    worker_id: int, prompt_message_id: int, text: str, now: dt.datetime
) -> StepResult | None:
    """A typed answer replying to a transcription question; None if that message is no question."""
    attempt = await QuizAttempt.filter(
        worker_id=worker_id, message_id=prompt_message_id
    ).order_by("-id").first()
    if attempt is None:
        return None
    if attempt.status != OPEN:
        raise UserError("quiz.attempt_over")
    return await _answer(worker_id, attempt.id, attempt.asked, now, text=text.strip())


async def current_question(worker_id: int, attempt_id: int, step: int) -> Question:
    """The question at ``step`` if it is the attempt's current one (multi-label toggles)."""
    attempt = await QuizAttempt.get_or_none(id=attempt_id)
    if attempt is None or attempt.worker_id != worker_id:
        raise BadCallback()
    if step < attempt.asked:
        raise UserError("quiz.step_done")
    if attempt.status != OPEN:
        raise UserError("quiz.attempt_over")
    if step != attempt.asked:
        raise BadCallback()
    quiz = await Quiz.get(id=attempt.quiz_id)
    return await _current(quiz, attempt)


async def invitation(
    worker_id: int, start_param: str | None, now: dt.datetime, *, first_contact: bool = False
) -> QuizStatus | None:
    """The quiz of the gated project a ``p_<slug>`` deep link named, unless already passed.

    With ``first_contact`` only a quiz the worker never opened counts (shown once after sign-up).
    """
    if not start_param or not start_param.startswith("p_"):
        return None
    project = await Project.get_or_none(slug=start_param[2:], status=ProjectStatus.ACTIVE)
    quiz_id: int | None = project.qualification_id if project else None
    if quiz_id is None:
        return None
    known = await Qualification.get_or_none(worker_id=worker_id, quiz_id=quiz_id)
    if known is not None and (first_contact or known.stage is QualStage.QUALIFIED):
        return None
    return await quiz_status(worker_id, quiz_id, now)


async def remember_message(worker_id: int, attempt_id: int, message_id: int) -> None:
    """Note the message showing the attempt's current question (typed answers reply to it)."""
    await QuizAttempt.filter(id=attempt_id, worker_id=worker_id).update(message_id=message_id)


def _value(quiz: Quiz, choice: int | None, mask: int | None, text: str | None) -> Any:
    labels = list(quiz.labels or ())
    if quiz.kind == ProjectKind.TRANSCRIPTION:
        if text is None:
            raise BadCallback()
        if not text:
            raise UserError("quiz.empty_answer")
        return text
    if quiz.multi_label:
        if mask is None or mask < 0 or mask >= 1 << len(labels):
            raise BadCallback()
        return [str(label["value"]) for i, label in enumerate(labels) if mask >> i & 1]
    if choice is None or not 0 <= choice < len(labels):
        raise BadCallback()
    return str(labels[choice]["value"])


def _right_answer(quiz: Quiz, gold: Any) -> tuple[dict[str, str], ...] | str:
    if quiz.kind == ProjectKind.TRANSCRIPTION:
        return str(gold)
    wanted = set(gold) if isinstance(gold, list) else {gold}
    return tuple(dict(label) for label in quiz.labels or () if label["value"] in wanted)


async def _answer(
    worker_id: int,
    attempt_id: int,
    step: int,
    now: dt.datetime,
    *,
    choice: int | None = None,
    mask: int | None = None,
    text: str | None = None,
) -> StepResult:
    attempt = await QuizAttempt.get_or_none(id=attempt_id)
    if attempt is None or attempt.worker_id != worker_id:
        raise BadCallback()
    quiz = await Quiz.get(id=attempt.quiz_id)
    if attempt.part == Part.EXAM and attempt.status == OPEN:
        expired = await _settle_expired(worker_id, quiz, now)
        if expired is not None:
            return StepResult(exam=expired)
    value = _value(quiz, choice, mask, text)
    async with in_transaction():
        attempt = await QuizAttempt.filter(id=attempt_id).select_for_update().get()
        if step < attempt.asked:
            return StepResult(replay=True)
        if attempt.status != OPEN:
            raise UserError("quiz.attempt_over")
        if step != attempt.asked:
            raise BadCallback()
        queue = list(attempt.queue)
        item = await QuizItem.get(id=queue[step])
        result = scoring.compare(quiz.kind, value, item.gold, multi_label=quiz.multi_label)
        first = item.id not in queue[:step]
        comes_back = (attempt.part == Part.TRAINING and not result.correct
                      and queue[:step].count(item.id) < TRAINING_RETURNS)
        if comes_back:
            queue.append(item.id)  # asked again later in this training (a few times at most)
        claimed = await QuizAttempt.filter(id=attempt.id, asked=step, status=OPEN).update(
            asked=step + 1,
            queue=queue,
            first_right=attempt.first_right + int(first and result.correct),
        )
        if not claimed:
            return StepResult(replay=True)
        await QuizAnswer.create(
            attempt_id=attempt.id, quiz_item_id=item.id, step=step, value=value,
            correct=result.correct, is_first=first, created_at=now,
        )
        attempt.asked, attempt.queue = step + 1, queue
        attempt.first_right += int(first and result.correct)
        feedback = None
        if attempt.part == Part.TRAINING:
            feedback = Feedback(
                correct=result.correct,
                right_answer=_right_answer(quiz, item.gold),
                explanation=item.explanation,
                comes_back=comes_back,
            )
        if attempt.asked < len(attempt.queue):
            return StepResult(question=await _current(quiz, attempt), feedback=feedback)
        if attempt.part == Part.TRAINING:
            done = await _finish_training(quiz, attempt, now)
            return StepResult(feedback=feedback, training=done)
        return StepResult(exam=await _finish_exam(quiz, attempt, now, expired=False))


# ----- finishing ------------------------------------------------------------------------------


async def _finish_training(quiz: Quiz, attempt: QuizAttempt, now: dt.datetime) -> TrainingResult:
    score = attempt.first_right / attempt.total if attempt.total else 1.0
    await QuizAttempt.filter(id=attempt.id).update(status=DONE, score=score, finished_at=now)
    qual = await Qualification.get(worker_id=attempt.worker_id, quiz_id=quiz.id)
    qual.training_score = score
    if qual.stage is QualStage.REGISTERED:
        qual.stage = QualStage.TRAINED
    qual.updated_at = now
    await qual.save(update_fields=["training_score", "stage", "updated_at"])
    return TrainingResult(quiz.id, attempt.first_right, attempt.total, score,
                          QualStage(qual.stage), quiz.questions, quiz.pass_score)


async def _finish_exam(
    quiz: Quiz, attempt: QuizAttempt, now: dt.datetime, *, expired: bool
) -> ExamResult:
    """Score an exam attempt and move the worker's stage (inside the caller's transaction)."""
    score = attempt.first_right / attempt.total if attempt.total else 0.0
    worker_id: int = attempt.worker_id
    rows = Qualification.filter(worker_id=worker_id, quiz_id=quiz.id)
    qual = await rows.select_for_update().get()
    verdict = stages.exam_verdict(
        stage=stages.QuizStage(qual.stage), score=score, pass_score=quiz.pass_score,
        attempts_used=qual.attempts_used, max_attempts=quiz.max_attempts,
        cooldown_hours=quiz.cooldown_hours, ended_at=now, expired=expired,
    )
    passed = verdict.passed
    await QuizAttempt.filter(id=attempt.id).update(
        status=ABANDONED if expired else PASSED if passed else FAILED,
        score=score,
        finished_at=now,
    )
    closed = verdict.stage is stages.QuizStage.CLOSED
    waiting = verdict.next_attempt_at
    next_at = waiting if waiting is not None and waiting > now else None  # no cooldown: now
    if passed and qual.stage is not QualStage.QUALIFIED:
        qual.qualified_at = now
    qual.stage = QualStage(verdict.stage)
    qual.attempts_used = verdict.attempts_used
    qual.next_attempt_at = verdict.next_attempt_at
    qual.exam_score = max(score, qual.exam_score or 0.0)
    qual.updated_at = now
    await qual.save()
    return ExamResult(
        quiz_id=quiz.id,
        right=attempt.first_right,
        total=attempt.total,
        score=score,
        pass_score=quiz.pass_score,
        passed=passed,
        expired=expired,
        opened=await _gated_titles(quiz.id) if passed else (),
        attempts_left=max(0, quiz.max_attempts - qual.attempts_used),
        next_attempt_at=next_at,
        closed=closed,
    )


async def _settle_expired(worker_id: int, quiz: Quiz, now: dt.datetime) -> ExamResult | None:
    """Count an exam left longer than RESUME_HOURS as a failed attempt (once)."""
    attempt = await _open_attempt(worker_id, quiz.id, Part.EXAM)
    if attempt is None:
        return None
    deadline = await _resume_deadline(attempt)
    if now < deadline:
        return None
    async with in_transaction():
        claimed = await QuizAttempt.filter(id=attempt.id, status=OPEN).update(status=ABANDONED)
        if not claimed:
            return None
        result = await _finish_exam(quiz, attempt, deadline, expired=True)
    if result.next_attempt_at is not None and result.next_attempt_at <= now:
        result = replace(result, next_attempt_at=None)
    return result
