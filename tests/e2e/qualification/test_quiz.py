"""The qualification ladder through the emulator: /quiz, training with hints, exams, retries.

Runs the real bot on the example quiz (examples/sentiment-exam: 6 training items, 6 exam
questions drawn from 12, pass mark 80%, 24 h cooldown, 3 attempts). Time moves only through
``harness.clock``; nothing sleeps.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from gigbot.emulator import BotMessage, SimUser
from gigbot.i18n import t
from tests.helpers.harness import Harness

EXAMPLES = Path(__file__).resolve().parents[3] / "examples"
CAPTION = {"pos": "Positive", "neg": "Negative"}
OTHER = {"pos": "neg", "neg": "pos"}
GOLD = {
    row["text"]: row["gold"]
    for name in ("training.jsonl", "exam.jsonl")
    for row in map(json.loads, (EXAMPLES / "sentiment-exam" / name).read_text().splitlines())
}


@pytest.fixture
async def bot(harness: Harness) -> Harness:
    """The harness with the sentiment quiz and the project it gates imported."""
    await harness.import_quiz(EXAMPLES / "sentiment-exam")
    await harness.import_project(EXAMPLES / "review-sentiment")
    return harness


def gold_of(message: BotMessage) -> str:
    found = [gold for text, gold in GOLD.items() if text in message.content]
    assert len(found) == 1, message.content
    return found[0]


def header(part: str, number: int, total: int) -> str:
    key = "quiz.question_training" if part == "training" else "quiz.question_exam"
    return t("en", key, number=number, total=total)


async def open_quiz(user: SimUser) -> BotMessage:
    """/quiz, then the quiz's own screen."""
    await user.command("/quiz")
    listing = await user.expect(t("en", "quiz.list_title"))
    await user.press(listing, "Sentiment exam")
    return await user.expect(t("en", "quiz.your_stage", stage="").rstrip())


async def answer(user: SimUser, message: BotMessage, *, right: bool) -> None:
    gold = gold_of(message)
    await user.press(message, CAPTION[gold if right else OTHER[gold]])


async def train(user: SimUser, screen: BotMessage) -> BotMessage:
    """Training answered right throughout; returns the end-of-training message."""
    await user.press(screen, "Training")
    for number in range(1, 7):
        question = await user.expect(header("training", number, 6))
        await answer(user, question, right=True)
    return await user.expect("Training finished")


async def exam(user: SimUser, start: BotMessage, rights: int) -> BotMessage:
    """Press Exam on ``start`` and answer the first ``rights`` questions right."""
    await user.press(start, "Exam")
    for number in range(1, 7):
        question = await user.expect(header("exam", number, 6))
        assert "Right!" not in question.content and "Not quite" not in question.content
        await answer(user, question, right=number <= rights)
    return await user.expect("Exam finished")


async def test_training_then_exam_pass_opens_the_project(bot: Harness) -> None:
    ann = bot.user()
    await bot.onboard(ann)
    screen = await open_quiz(ann)
    assert "Opens: Review sentiment" in screen.content
    assert "Your stage: not started" in screen.content
    assert screen.button_texts() == ["📘 Training"]
    done = await train(ann, screen)
    assert "6 of 6 right on the first try (100%)" in done.content
    assert "The exam is open: 6 questions, pass mark 80%" in done.content
    summary = await exam(ann, done, rights=6)
    assert "6 of 6 right (100%). Pass mark: 80%." in summary.content
    assert "You passed! Now open to you: Review sentiment." in summary.content
    assert "first 20 answers to check items" in summary.content
    await ann.command("/profile")
    profile = await ann.expect("Your profile")
    assert "Sentiment exam: passed ✓. Exam attempts: 1 of 3, best score 100%." in profile.content


async def test_a_missed_training_item_comes_back_until_right(bot: Harness) -> None:
    ann = bot.user()
    await bot.onboard(ann)
    screen = await open_quiz(ann)
    await ann.press(screen, "Training")
    first = await ann.expect(header("training", 1, 6))
    missed = gold_of(first)
    missed_text = next(text for text in GOLD if text in first.content)
    await answer(ann, first, right=False)
    feedback = await ann.expect("Not quite")
    assert f"The right answer: {CAPTION[missed]}." in feedback.content
    assert "Why:" in feedback.content and "comes back later" in feedback.content
    assert header("training", 2, 7) in feedback.content  # the queue grew by the missed item
    question = feedback  # the same message, edited into the next question
    for number in range(2, 7):
        if number > 2:
            question = await ann.expect(header("training", number, 7))
        await answer(ann, question, right=True)
    again = await ann.expect(header("training", 7, 7))
    assert missed_text in again.content and "You missed this one before" in again.content
    await answer(ann, again, right=False)  # still wrong: it comes back once more
    third = await ann.expect(header("training", 8, 8))
    await answer(ann, third, right=True)
    done = await ann.expect("Training finished")
    assert "5 of 6 right on the first try (83%)" in done.content


async def test_fail_cooldown_early_retry_refused_then_allowed(bot: Harness) -> None:
    ann = bot.user()
    await bot.onboard(ann)
    done = await train(ann, await open_quiz(ann))
    summary = await exam(ann, done, rights=2)
    assert "2 of 6 right (33%)" in summary.content
    match = re.search(r"Next attempt from (.+?)\. Attempts left: 2\.", summary.content)
    assert match is not None, summary.content
    assert summary.buttons == []
    # an early retry is refused with the time the next attempt opens, in the worker's zone
    screen = await open_quiz(ann)
    assert f"Next exam attempt from {match.group(1)}." in screen.content
    refused = await ann.press(screen, "Exam")
    assert refused is not None and refused.text is not None
    assert f"The next exam attempt opens {match.group(1)}. Attempts left: 2." == refused.text
    await ann.expect("The next exam attempt opens")
    bot.clock.advance(hours=24)
    screen = await open_quiz(ann)
    second = await exam(ann, screen, rights=5)
    assert "You passed!" in second.content


async def test_attempts_run_out_and_the_quiz_closes(bot: Harness, tmp_path: Path) -> None:
    quiz = tmp_path / "short-quiz"
    quiz.mkdir()
    toml = (EXAMPLES / "sentiment-exam" / "quiz.toml").read_text()
    toml = re.sub(r"(?m)^slug = .*$", 'slug = "short-exam"', toml)
    toml = re.sub(r"(?m)^questions = .*$", "questions = 2", toml)
    toml = re.sub(r"(?m)^max_attempts = .*$", "max_attempts = 2", toml)
    toml = re.sub(r"(?m)^cooldown_hours = .*$", "cooldown_hours = 1", toml)
    toml = re.sub(r"(?m)^title = .*$", 'title = { en = "Short exam", ko = "짧은 시험" }', toml)
    (quiz / "quiz.toml").write_text(toml)
    for name in ("training.jsonl", "exam.jsonl"):
        (quiz / name).write_text((EXAMPLES / "sentiment-exam" / name).read_text())
    await bot.import_quiz(quiz)
    ann = bot.user()
    await bot.onboard(ann)
    await ann.command("/quiz")
    listing = await ann.expect(t("en", "quiz.list_title"))
    await ann.press(listing, "Short exam")
    screen = await ann.expect("Exam: 2 questions")
    await ann.press(screen, "Training")
    for number in range(1, 7):
        await answer(ann, await ann.expect(header("training", number, 6)), right=True)
    done = await ann.expect("Training finished")
    target = done
    for attempt in (1, 2):
        await ann.press(target, "Exam")
        for number in (1, 2):
            await answer(ann, await ann.expect(header("exam", number, 2)), right=False)
        summary = await ann.expect("Exam finished")
        if attempt == 1:
            assert "Attempts left: 1." in summary.content
            bot.clock.advance(hours=1, minutes=1)
            await ann.command("/quiz")
            listing = await ann.expect(t("en", "quiz.list_title"))
            await ann.press(listing, "Short exam")
            target = await ann.expect("attempts used 1 of 2")
    assert "that was your last attempt: this quiz is closed to you" in summary.content
    bot.clock.advance(days=30)
    await ann.command("/quiz")
    listing = await ann.expect(t("en", "quiz.list_title"))
    assert "Short exam: closed" in listing.content
    opener = next(
        data for row in listing.buttons for caption, data in row if caption == "Short exam"
    )
    await ann.press(listing, "Short exam")
    closed = await ann.expect("You used all your attempts")
    assert closed.buttons == []
    refused = await ann.press_data(closed, opener.replace(":m", ":e"))  # a forged Exam press
    assert (
        refused is not None
        and refused.text == "You used all 2 attempts: this quiz is closed to you."
    )


async def test_exam_resumes_and_expires_after_a_day(bot: Harness) -> None:
    ann = bot.user()
    await bot.onboard(ann)
    done = await train(ann, await open_quiz(ann))
    await ann.press(done, "Exam")
    first = await ann.expect(header("exam", 1, 6))
    await answer(ann, first, right=True)
    second = await ann.expect(header("exam", 2, 6))
    second_text = next(text for text in GOLD if text in second.content)
    await answer(ann, second, right=True)
    await ann.expect(header("exam", 3, 6))
    old_buttons = [data for row in first.buttons for _, data in row]
    # the worker leaves; 20 hours later the same exam goes on from question 3
    bot.clock.advance(hours=20)
    screen = await open_quiz(ann)
    assert "An unfinished exam is waiting for you" in screen.content
    await ann.press(screen, "Exam")
    resumed = await ann.expect(header("exam", 3, 6))
    assert second_text not in resumed.content
    # the old button of question 3 still answers once; a replay of it records nothing
    right = CAPTION[gold_of(resumed)]
    data = next(d for row in resumed.buttons for caption, d in row if caption == right)
    await ann.press_data(resumed, data)
    await ann.expect(header("exam", 4, 6))
    replay = await ann.press_data(resumed, data)
    assert replay is not None and replay.text == "Already answered ✓"
    forged = await ann.press_data(resumed, "qa:999999:0:0:0")
    assert forged is not None and forged.text == t("en", "errors.bad_button")
    assert old_buttons  # the first question's buttons, answered long ago
    stale = await ann.press_data(resumed, old_buttons[0])
    assert stale is not None and stale.text == "Already answered ✓"
    # then the worker stops for more than a day after the last answer: a failed attempt
    bot.clock.advance(hours=25)
    assert header("exam", 4, 6) in resumed.content  # the live view of the exam message
    await answer(ann, resumed, right=True)
    expired = await ann.expect("left unfinished for more than 24 hours")
    assert "3 of 6 right" in expired.content
    assert "Attempts left: 2." in expired.content
    screen = await open_quiz(ann)
    assert "attempts used 1 of 3" in screen.content


async def test_deep_link_to_a_gated_project_leads_to_its_quiz(bot: Harness) -> None:
    kim = bot.user(language_code="ko", first_name="Kim")
    await kim.command("/start", "p_review-sentiment")
    picker = await kim.expect(t("ko", "onboarding.choose_language").split("\n", 1)[0])
    await kim.press(picker, t("ko", "onboarding.language_name.ko"))
    terms = await kim.expect(t("ko", "onboarding.terms").split("\n", 1)[0])
    await kim.press(terms, t("ko", "onboarding.button.agree"))
    zones = await kim.expect(t("ko", "onboarding.choose_zone").split("\n", 1)[0])
    await kim.press(zones, t("ko", "onboarding.zone.seoul"))
    screen = await kim.expect("감정 분류 시험")
    assert "열리는 프로젝트: 리뷰 감정 분류" in screen.content
    assert screen.button_texts() == ["📘 교육"]
    await kim.press(screen, "교육")
    question = await kim.expect(t("ko", "quiz.question_training", number=1, total=6))
    assert {"긍정", "부정"} == set(question.button_texts())
