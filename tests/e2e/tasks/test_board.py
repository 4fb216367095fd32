"""/tasks end to end: the board in two languages, locked and suspended projects, bad input."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from gigbot.catalog.projects import pause_project
from gigbot.db.models import Answer, Project, User
from gigbot.i18n import t
from gigbot.quality.suspensions import suspend
from tests.helpers.chat import start_session, tap_label
from tests.helpers.harness import Harness
from tests.helpers.tasks import write_project_dir

EXAMPLES = Path(__file__).resolve().parents[3] / "examples"


async def test_board_in_both_languages_with_time_per_item(harness: Harness,
                                                          tmp_path: Path) -> None:
    await harness.import_project(write_project_dir(tmp_path / "src", "board-demo", items=5,
                                                   overlap=2))
    ann, min_ = harness.user(), harness.user(first_name="Min", language_code="ko")
    await harness.onboard(ann)
    await harness.onboard(min_, lang="ko")
    await min_.command("/tasks")
    board = await min_.expect(t("ko", "tasks.board_title"))
    assert "답변당 30원" in board.content
    assert "5개 남음" in board.content and t("ko", "tasks.time_new") in board.content
    item = await start_session(harness, ann, "Title board-demo")
    item = await tap_label(ann, item, "Yes")
    await ann.command("/tasks")
    board = await ann.expect(t("en", "tasks.board_title"))
    assert "₩30 per answer" in board.content
    assert "3 items left" in board.content  # one answered, one on the screen
    assert "about 3 s per item" in board.content  # the harness thinks 3 s per action


async def test_locked_and_suspended_projects(harness: Harness, tmp_path: Path) -> None:
    await harness.import_quiz(EXAMPLES / "sentiment-exam")
    await harness.import_project(EXAMPLES / "review-sentiment")
    await harness.import_project(write_project_dir(tmp_path / "src", "open-demo", items=3))
    ann = harness.user()
    await harness.onboard(ann)
    await ann.command("/tasks")
    board = await ann.expect(t("en", "tasks.board_title"))
    assert "Title open-demo" in board.content
    assert "🔒 Review sentiment" in board.content  # needs the exam first
    assert board.button_texts() == ["▶ Title open-demo", "📘 Sentiment exam"]
    worker = await User.get(tg_id=ann.id)
    project = await Project.get(slug="open-demo")
    now = harness.clock.now()
    await suspend(worker.id, project.id, rule="admin", reason_key="suspension.reason.admin",
                  reason_params={"text": "please slow down"}, now=now,
                  ends_at=now + dt.timedelta(days=1))
    await ann.press(board, "Title open-demo")  # the old board: the suspension, not an item
    shown = await ann.expect("please slow down")
    assert "Appeal" in shown.button_texts()
    await ann.command("/tasks")
    why = await ann.expect("please slow down")
    assert "Appeal" in why.button_texts()
    assert "Until:" in why.content
    assert await Answer.all().count() == 0
    await ann.command("/tasks")
    board = await ann.expect("🔒 Review sentiment")
    await ann.press(board, "Sentiment exam")  # the locked project's quiz, one tap away
    quiz = await ann.expect("Opens: Review sentiment")
    assert "📘 Training" in quiz.button_texts()


async def test_bad_input_is_answered_politely(harness: Harness, tmp_path: Path) -> None:
    await harness.import_project(write_project_dir(tmp_path / "src", "bad-demo", items=3))
    ann = harness.user()
    await harness.onboard(ann)
    await ann.send("hello there")  # nothing open: the general hint
    await ann.expect(t("en", "fallback.text"))
    item = await start_session(harness, ann, "Title bad-demo")
    await ann.send("Yes")  # typed instead of tapped
    await ann.expect(t("en", "tasks.use_buttons"))
    unknown = await ann.press_data(item, "p:99999")
    assert unknown is not None and unknown.text == t("en", "tasks.unknown_project")
    await pause_project("bad-demo", clock=harness.clock)
    await ann.command("/tasks")
    await ann.expect(t("en", "tasks.board_empty"))
    paused = await ann.press_data(item, "p:1")
    assert paused is not None and paused.text is not None and "paused" in paused.text
    assert await Answer.all().count() == 0
    # the item still open can be answered; then the session ends with "paused"
    await tap_label(ann, item, "No")
    assert "is paused for now" in item.content
    assert await Answer.all().count() == 1


async def test_stop_shows_the_tally(harness: Harness, tmp_path: Path) -> None:
    await harness.import_project(write_project_dir(tmp_path / "src", "stop-demo", items=5))
    ann = harness.user()
    await harness.onboard(ann)
    item = await start_session(harness, ann, "Title stop-demo")
    item = await tap_label(ann, item, "Yes")
    item = await tap_label(ann, item, "No")
    tally = await tap_label(ann, item, "Stop")
    assert "Session ended" in tally.content
    assert "2 answers, ₩60 earned" in tally.content
    assert tally.buttons == []
    await ann.command("/balance")
    money = await ann.expect("Your balance")
    assert "Available: ₩60" in money.content and "Pending: ₩0" in money.content


async def test_only_locked_projects_lead_to_their_quiz_in_korean(harness: Harness) -> None:
    await harness.import_quiz(EXAMPLES / "sentiment-exam")
    await harness.import_project(EXAMPLES / "review-sentiment")
    min_ = harness.user(first_name="Min", language_code="ko")
    await harness.onboard(min_, lang="ko")
    await min_.command("/tasks")
    board = await min_.expect(t("ko", "tasks.board_locked_only"))
    assert "🔒 리뷰 감정 분류" in board.content
    assert board.button_texts() == ["📘 감정 분류 시험"]
    await min_.press(board, "감정 분류 시험")
    quiz = await min_.expect("리뷰 감정 분류")
    assert quiz.message_id == board.message_id and "📘 교육" in quiz.button_texts()
