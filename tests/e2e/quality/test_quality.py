"""Quality end to end: a same-label tapper is suspended and told why; bad gold audits itself."""

from __future__ import annotations

from pathlib import Path

from gigbot.emulator import BotMessage, SimUser
from gigbot.i18n import t
from gigbot.members.admins import add_admin
from tests.helpers import crowd
from tests.helpers.harness import Harness


async def _start(user: SimUser, lang: str, title: str) -> BotMessage:
    """/tasks, tap the project; the first item message."""
    await user.command("/tasks")
    board = await user.expect(t(lang, "tasks.board_title"))
    await user.press(board, title)
    return await user.expect("review ", edited_ok=False)


async def _tap(user: SimUser, message: BotMessage, caption: str) -> BotMessage:
    """Tap a label; wait until the item message changes (the next item or an end screen)."""
    before = message.content
    await user.press(message, caption)
    return await user.expect(predicate=lambda m: m.message_id == message.message_id
                             and m.content != before)


async def test_same_label_tapper_is_suspended_and_told_why_in_korean(
    harness: Harness, tmp_path: Path
) -> None:
    folder = crowd.project_file(tmp_path, "same-label", [
        "g1=pos", "g2=neg", "g3=pos", "g4=neg", "g5=pos", "g6=neg",
    ])
    await harness.import_project(folder)
    minji = harness.user(language_code="ko", first_name="민")
    await harness.onboard(minji, lang="ko")
    item = await _start(minji, "ko", "리뷰 same-label")
    for _ in range(4):
        item = await _tap(minji, item, "긍정")
        assert "review g" in item.content
    await minji.press(item, "긍정")
    reason = t("ko", "quality.reason.accuracy", accuracy=0.6, threshold=0.8, count=5)
    screen = await minji.expect(reason)
    assert t("ko", "suspension.project", project="리뷰 same-label") in screen.content
    assert screen.button_texts() == [t("ko", "suspension.button.appeal")]
    # /tasks says so again instead of serving work
    await minji.command("/tasks")
    await minji.expect(reason, edited_ok=False)


async def test_bad_gold_is_quarantined_and_the_worker_it_suspended_is_restored(
    harness: Harness, tmp_path: Path
) -> None:
    folder = crowd.project_file(tmp_path, "gold-audit", [
        "g1=pos", "g2=pos", "g3=pos", "g4=pos", "bad=pos", "g6=pos", "g7=neg",
    ])
    await harness.import_project(folder)
    admin = harness.user(first_name="Ada")
    await harness.onboard(admin)
    await add_admin(admin.id)

    jin = harness.user(language_code="ko", first_name="진")
    await harness.onboard(jin, lang="ko")
    item = await _start(jin, "ko", "리뷰 gold-audit")
    for caption in ("긍정", "부정", "긍정", "긍정"):
        item = await _tap(jin, item, caption)
    assert "review bad" in item.content
    await jin.press(item, "부정")  # right in truth, wrong by the bad gold: 3 of 5 right
    reason = t("ko", "quality.reason.accuracy", accuracy=0.6, threshold=0.8, count=5)
    await jin.expect(reason)

    trusted = [harness.user(first_name=name) for name in ("Bo", "Cy", "Di")]
    for worker in trusted:
        await harness.onboard(worker)
        item = await _start(worker, "en", "Reviews gold-audit")
        for _ in range(4):
            item = await _tap(worker, item, "Positive")
        assert "review bad" in item.content
        after = await _tap(worker, item, "Negative")
        assert "review g6" in after.content  # not suspended: 4 of 5 right

    restored = await jin.expect(t("ko", "quality.restored", project="리뷰 gold-audit"),
                                edited_ok=False)
    assert restored.chat_id == jin.id
    alert = await admin.expect("Gold quarantined in Reviews gold-audit", edited_ok=False)
    assert "“bad”" in alert.content and "3 trusted workers" in alert.content
    assert "“Negative”" in alert.content and "“Positive”" in alert.content
    # restored: the project serves work again, and never the quarantined item
    item = await _start(jin, "ko", "리뷰 gold-audit")
    assert "review bad" not in item.content
