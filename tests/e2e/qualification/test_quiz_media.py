"""Quizzes with media through the emulator: typed answers to voice clips (ForceReply) and
multi-label pictures (toggles and Done)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from gigbot.emulator import BotMessage, SimUser
from gigbot.i18n import t
from tests.helpers.harness import Harness

EXAMPLES = Path(__file__).resolve().parents[3] / "examples"


def write_quiz(folder: Path, settings: str, training: list[dict[str, object]],
               exam: list[dict[str, object]]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "quiz.toml").write_text(settings + '\ntraining = "training.jsonl"\n'
                                      'exam = "exam.jsonl"\n')
    for name, rows in (("training.jsonl", training), ("exam.jsonl", exam)):
        (folder / name).write_text("".join(json.dumps(r, ensure_ascii=False) + "\n"
                                           for r in rows))
    return folder


async def open_first_quiz(user: SimUser, title: str) -> BotMessage:
    await user.command("/quiz")
    listing = await user.expect(t("en", "quiz.list_title"))
    await user.press(listing, title)
    return await user.expect("Your stage")


async def test_typed_answers_to_voice_clips(harness: Harness, tmp_path: Path) -> None:
    folder = tmp_path / "dictation"
    shutil.copytree(EXAMPLES / "voice-notes" / "audio", folder / "audio")
    write_quiz(
        folder,
        'slug = "dictation"\nkind = "transcription"\n'
        'title = { en = "Dictation test", ko = "받아쓰기 시험" }\n'
        "pass_score = 0.5\nquestions = 2\ncooldown_hours = 1\nmax_attempts = 2\n",
        [{"key": "t1", "audio": "audio/v1.wav", "gold": "안녕하세요, 반갑습니다.",
          "explanation": {"en": "A greeting.", "ko": "인사말이에요."}},
         {"key": "t2", "audio": "audio/v2.wav", "gold": "회의는 세 시에 시작해요."}],
        [{"key": "e1", "audio": "audio/v2.wav", "gold": "회의는 세 시에 시작해요."},
         {"key": "e2", "audio": "audio/v3.wav", "gold": "우유 두 개"}],
    )
    await harness.import_quiz(folder)
    ann = harness.user()
    await harness.onboard(ann)
    screen = await open_first_quiz(ann, "Dictation test")
    await ann.press(screen, "Training")
    first = await ann.expect(t("en", "quiz.question_training", number=1, total=2))
    assert first.kind in ("audio", "voice") and first.force_reply and first.protect_content
    assert first.file_bytes
    await ann.reply(first, "안녕하세요 반갑습니다")  # punctuation does not count
    await ann.expect("Right!")
    second = await ann.expect(t("en", "quiz.question_training", number=2, total=2))
    await ann.reply(second, "회의는 네 시에 끝나요")
    wrong = await ann.expect("Not quite")
    assert "“회의는 세 시에 시작해요.”" in wrong.content
    again = await ann.expect(t("en", "quiz.question_training", number=3, total=3))
    assert "You missed this one before" in again.content
    # a reply to an older question is not taken as the answer to the newest
    await ann.reply(second, "회의는 세 시에 시작해요.")
    await ann.expect("This question was answered already")
    await ann.reply(again, "회의는 세 시에 시작해요.")
    done = await ann.expect("Training finished")
    assert "1 of 2 right on the first try (50%)" in done.content
    await ann.press(done, "Exam")
    for number in (1, 2):
        question = await ann.expect(t("en", "quiz.question_exam", number=number, total=2))
        assert question.force_reply
        assert "Right!" not in question.content  # no feedback during the exam
        await ann.reply(question, "회의는 세 시에 시작해요.")  # right for one of the two clips
    summary = await ann.expect("Exam finished")
    assert "1 of 2 right (50%). Pass mark: 50%." in summary.content
    assert "You passed!" in summary.content


async def test_multi_label_pictures_toggle_then_done(harness: Harness, tmp_path: Path) -> None:
    folder = tmp_path / "shapes"
    shutil.copytree(EXAMPLES / "photo-tags" / "images", folder / "images")
    labels = ('labels = [ { value = "circle", en = "Circle", ko = "원" },\n'
              '  { value = "triangle", en = "Triangle", ko = "삼각형" },\n'
              '  { value = "red", en = "Red", ko = "빨간색" } ]\n')
    write_quiz(
        folder,
        'slug = "shapes"\nkind = "classification"\nmulti_label = true\n'
        'title = { en = "Shapes test", ko = "도형 시험" }\n' + labels
        + "pass_score = 1.0\nquestions = 2\ncooldown_hours = 1\nmax_attempts = 2\n",
        [{"key": "t1", "image": "images/p1.jpg", "gold": ["circle", "red"]}],
        [{"key": "e1", "image": "images/p1.jpg", "gold": ["circle", "red"]},
         {"key": "e2", "image": "images/p4.png", "gold": ["triangle", "red"]}],
    )
    await harness.import_quiz(folder)
    ann = harness.user()
    await harness.onboard(ann)
    screen = await open_first_quiz(ann, "Shapes test")
    await ann.press(screen, "Training")
    photo = await ann.expect(t("en", "quiz.question_training", number=1, total=1))
    assert photo.kind == "photo" and photo.protect_content
    assert photo.button_texts() == ["Circle", "Triangle", "Red", "Done"]
    await ann.press(photo, "Circle")
    await ann.expect(predicate=lambda m: m is photo and "✓ Circle" in m.button_texts())
    await ann.press(photo, "Red")
    await ann.expect(predicate=lambda m: m is photo and "✓ Red" in m.button_texts())
    await ann.press(photo, "Done")
    done = await ann.expect("Training finished")
    assert "1 of 1 right on the first try (100%)" in done.content
