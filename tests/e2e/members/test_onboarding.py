"""A new member's path through the real bot and the emulator, in English and Korean; faults."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Awaitable, Callable
from pathlib import Path

from gigbot.db.models import Answer, EntryKind, Item, Lease, LedgerEntry, Project, User
from gigbot.emulator import BotMessage, SimUser
from gigbot.handlers.common import send_notices
from gigbot.i18n import catalog, t
from gigbot.notices import Notice
from tests.helpers.harness import Harness

EXAMPLES = Path(__file__).resolve().parents[3] / "examples"
START = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


async def eventually(condition: Callable[[], Awaitable[bool]], timeout: float = 5.0) -> None:
    """Wait until ``await condition()`` holds (checked every 20 ms); fail after ``timeout``."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not await condition():
        assert loop.time() < deadline, "condition not met in time"
        await asyncio.sleep(0.02)


def is_blocked(user: SimUser) -> Callable[[], Awaitable[bool]]:
    async def check() -> bool:
        return await User.filter(tg_id=user.id).exclude(blocked_at=None).exists()

    return check


async def settled(user: SimUser) -> BotMessage:
    """Send /help and wait for its answer: everything the bot did before for this chat is done."""
    await user.command("/help")
    return await user.expect(t("ko" if user.language_code == "ko" else "en", "help.text")[:20])


async def user_row(user: SimUser) -> User:
    row = await User.get_or_none(tg_id=user.id)
    assert row is not None
    return row


def head(lang: str, key: str) -> str:
    """The start of a text: its first line up to the first placeholder."""
    return catalog(lang)[key].split("\n", 1)[0].split("{", 1)[0]


async def test_onboarding_in_english(harness: Harness) -> None:
    ann = harness.user(language_code="en-US")

    await ann.command("/start")
    picker = await ann.expect(head("en", "onboarding.choose_language"))
    assert picker.text == t("en", "onboarding.choose_language")
    assert picker.button_texts() == ["✓ English", "한국어"]

    await ann.press(picker, "English")
    terms = await ann.expect(head("en", "onboarding.terms"))
    assert terms.message_id == picker.message_id  # the same message moves on
    for words in ("Telegram id", "time zone", "answers", "earnings", "pay", "/deleteme"):
        assert words in terms.text
    assert terms.button_texts() == ["I agree"]

    await ann.press(terms, "I agree")
    zones = await ann.expect(head("en", "onboarding.choose_zone"))
    assert "✓ Seoul" in zones.button_texts()
    assert {"Tokyo", "UTC", "London", "New York", "Los Angeles"} <= set(zones.button_texts())

    await ann.press(zones, "Tokyo")
    menu = await ann.expect(t("en", "menu.welcome"), edited_ok=False)
    for command in ("/tasks", "/profile", "/settings", "/help"):
        assert command in menu.text
    assert zones.text == t("en", "onboarding.zone_set", zone="Tokyo")
    row = await user_row(ann)
    assert (row.language, row.tz, row.onboarding, row.first_name) == (
        "en", "Asia/Tokyo", "done", "Ann")
    assert row.agreed_at is not None


async def test_onboarding_in_korean_is_korean_at_every_step(harness: Harness) -> None:
    minji = harness.user(language_code="ko", first_name="민지")

    await minji.command("/start")
    picker = await minji.expect(head("ko", "onboarding.choose_language"))
    assert picker.button_texts() == ["English", "✓ 한국어"]

    await minji.press(picker, "한국어")
    terms = await minji.expect(head("ko", "onboarding.terms"))
    assert terms.text == t("ko", "onboarding.terms")
    assert terms.button_texts() == ["동의해요"]

    await minji.press(terms, "동의")
    zones = await minji.expect(head("ko", "onboarding.choose_zone"))
    assert "✓ 서울" in zones.button_texts()

    await minji.press(zones, "서울")
    menu = await minji.expect(t("ko", "menu.welcome"), edited_ok=False)
    assert menu.text.startswith("준비가 끝났어요")
    assert zones.text == "시간대: 서울 ✓"
    assert harness.emulator.commands("ko")[1] == ("tasks", t("ko", "commands.tasks"))
    assert harness.emulator.commands("en")[1] == ("tasks", t("en", "commands.tasks"))
    assert harness.emulator.commands()[0] == ("start", t("en", "commands.start"))


async def test_an_english_speaker_may_choose_korean(harness: Harness) -> None:
    ann = harness.user(language_code="en")

    menu = await harness.onboard(ann, lang="ko", zone="utc")

    assert menu.text.startswith(t("ko", "menu.welcome"))
    assert (await user_row(ann)).tz == "UTC"


async def test_a_typed_time_zone_and_a_wrong_one(harness: Harness) -> None:
    ann = harness.user()
    await ann.command("/start")
    picker = await ann.expect(head("en", "onboarding.choose_language"))
    await ann.press(picker, "English")
    terms = await ann.expect(head("en", "onboarding.terms"))
    await ann.press(terms, "I agree")
    await ann.expect(head("en", "onboarding.choose_zone"))

    await ann.send("Mars/Olympus_Mons")
    refused = await ann.expect("Mars/Olympus_Mons")
    assert refused.text == t("en", "onboarding.bad_zone", zone="Mars/Olympus_Mons")

    await ann.send("europe/paris")
    await ann.expect(t("en", "onboarding.zone_set", zone="Europe/Paris"))
    await ann.expect(t("en", "menu.welcome"))
    assert (await user_row(ann)).tz == "Europe/Paris"


async def test_deep_link_is_remembered_and_named_in_the_menu(harness: Harness) -> None:
    await harness.import_quiz(EXAMPLES / "sentiment-exam")
    await harness.import_project(EXAMPLES / "review-sentiment")
    minji = harness.user(language_code="ko")

    await minji.command("/start", "p_review-sentiment")
    picker = await minji.expect(head("ko", "onboarding.choose_language"))
    assert (await user_row(minji)).start_param == "p_review-sentiment"
    await minji.press(picker, "한국어")
    terms = await minji.expect(head("ko", "onboarding.terms"))
    await minji.press(terms, "동의")
    zones = await minji.expect(head("ko", "onboarding.choose_zone"))
    await minji.press(zones, "서울")

    menu = await minji.expect(t("ko", "menu.welcome"), edited_ok=False)
    assert t("ko", "menu.project", project="리뷰 감정 분류") in menu.text
    await minji.command("/start")
    again = await minji.expect(t("ko", "menu.title"))
    assert "리뷰 감정 분류" in again.text


async def test_a_second_start_shows_the_menu(harness: Harness) -> None:
    ann = harness.user()
    await harness.onboard(ann)

    await ann.command("/start")

    menu = await ann.expect(t("en", "menu.title"), edited_ok=False)
    assert "/tasks" in menu.text
    assert menu.buttons == []


async def test_a_member_still_signing_up_is_led_back_to_their_step(harness: Harness) -> None:
    ann = harness.user()
    await ann.command("/start")
    picker = await ann.expect(head("en", "onboarding.choose_language"))
    await ann.press(picker, "English")
    await ann.expect(head("en", "onboarding.terms"))

    for command in ("/tasks", "/profile", "/settings", "/balance"):
        await ann.command(command)
        back = await ann.expect(t("en", "onboarding.finish_first"), edited_ok=False)
        assert head("en", "onboarding.terms") in back.text
        assert back.button_texts() == ["I agree"]

    await ann.press(back, "I agree")  # the repeated screen works like the first
    await ann.expect(head("en", "onboarding.choose_zone"))
    assert (await user_row(ann)).onboarding == "timezone"


async def test_help_in_the_member_language(harness: Harness) -> None:
    minji = harness.user(language_code="ko")
    await harness.onboard(minji, lang="ko")

    help_message = await settled(minji)

    assert help_message.text == t("ko", "help.text")


async def test_settings_change_language_zone_and_summaries(harness: Harness) -> None:
    ann = harness.user()
    await harness.onboard(ann)

    await ann.command("/settings")
    screen = await ann.expect(head("en", "settings.title"), edited_ok=False)
    assert "Seoul" in screen.text
    assert screen.button_texts() == ["Language", "Time zone", "Summaries: on"]

    await ann.press(screen, "Language")
    await ann.expect(t("en", "settings.choose_language"))
    assert "Cancel" in screen.button_texts()
    await ann.press(screen, "한국어")
    await ann.expect(t("ko", "settings.language_changed", language="한국어"))
    assert head("ko", "settings.title") in screen.text
    assert screen.button_texts() == ["언어", "시간대", "요약 알림: 켜짐"]

    await ann.press(screen, "시간대")
    await ann.expect(head("ko", "settings.choose_zone"))
    await ann.press(screen, "뉴욕")
    await ann.expect(t("ko", "settings.zone_changed", zone="뉴욕"))

    await ann.press(screen, "요약 알림")
    await ann.expect(t("ko", "settings.summaries_changed_off"))
    assert "요약 알림: 꺼짐" in screen.button_texts()

    await ann.command("/timezone", "Europe/Berlin")
    await ann.expect(t("ko", "settings.zone_changed", zone="베를린"), edited_ok=False)
    row = await user_row(ann)
    assert (row.language, row.tz, row.summaries) == ("ko", "Europe/Berlin", False)


async def test_settings_cancel_changes_nothing(harness: Harness) -> None:
    ann = harness.user()
    await harness.onboard(ann)
    await ann.command("/settings")
    screen = await ann.expect(head("en", "settings.title"), edited_ok=False)

    await ann.press(screen, "Time zone")
    await ann.expect(head("en", "settings.choose_zone"))
    await ann.press(screen, "Cancel")

    await ann.expect(predicate=lambda m: m.text.startswith(head("en", "settings.title")))
    assert (await user_row(ann)).tz == "Asia/Seoul"


async def _work_of(user: User) -> tuple[int, int]:
    """One answer and one ledger entry of ``user``, as the task engine would leave them."""
    project = await Project.create(
        slug="kept-work", kind="classification", title={"en": "K"}, instructions={"en": "?"},
        labels=[{"value": "a", "en": "A", "ko": "A"}], reward=30, overlap=1, max_overlap=1,
        confidence=0.9, gold_ratio=0.0, min_accuracy=0.8, created_at=START, updated_at=START,
    )
    item = await Item.create(project=project, key="k1", text="t", needed=1)
    lease = await Lease.create(item=item, worker=user, project=project, created_at=START,
                               expires_at=START)
    answer = await Answer.create(lease=lease, item=item, worker=user, project=project,
                                 value=["a"], seconds=4.0, created_at=START)
    entry = await LedgerEntry.create(worker=user, kind=EntryKind.EARNING, amount=30,
                                     key=f"answer:{answer.id}", answer=answer, created_at=START)
    return answer.id, entry.id


async def test_deleteme_removes_personal_data_and_keeps_work(harness: Harness) -> None:
    ann = harness.user(username="ann_k")
    await harness.onboard(ann)
    row = await user_row(ann)
    answer_id, entry_id = await _work_of(row)

    await ann.command("/deleteme")
    confirm = await ann.expect(head("en", "deleteme.confirm"), edited_ok=False)
    assert confirm.button_texts() == ["Delete my data", "Cancel"]
    await ann.press(confirm, "Delete my data")

    done = await ann.expect(head("en", "deleteme.done"))
    assert "1 answer and 1 earnings record" in done.text
    assert "/start" in done.text
    gone = await User.get(id=row.id)
    assert (gone.tg_id, gone.first_name, gone.username, gone.start_param) == (None, None, None,
                                                                               None)
    assert gone.deleted_at is not None
    assert (await Answer.get(id=answer_id)).worker_id == row.id  # type: ignore[attr-defined]
    assert (await LedgerEntry.get(id=entry_id)).amount == 30

    await ann.command("/start")  # begins anew
    await ann.expect(head("en", "onboarding.choose_language"), edited_ok=False)
    fresh = await user_row(ann)
    assert fresh.id != row.id
    assert fresh.onboarding == "language"


async def test_deleteme_cancelled_keeps_everything(harness: Harness) -> None:
    minji = harness.user(language_code="ko")
    await harness.onboard(minji, lang="ko")

    await minji.command("/deleteme")
    confirm = await minji.expect(head("ko", "deleteme.confirm"), edited_ok=False)
    await minji.press(confirm, "취소")

    await minji.expect(t("ko", "deleteme.cancelled"))
    assert (await user_row(minji)).deleted_at is None


async def test_a_user_who_blocked_the_bot_is_marked_and_others_go_on(harness: Harness) -> None:
    ann, bob = harness.user(), harness.user(first_name="Bob")
    await harness.onboard(ann)
    await harness.onboard(bob)

    ann.block()  # Telegram tells the bot (my_chat_member)
    await eventually(is_blocked(ann))

    await User.filter(tg_id=ann.id).update(blocked_at=None)  # now only the 403 can tell
    sent = await send_notices(
        harness.app.bot, [Notice(chat_id=ann.id, lang="en", tz="UTC", key="help.text")],
        harness.settings,
    )
    assert sent == 0
    assert (await User.get(tg_id=ann.id)).blocked_at is not None

    await User.filter(tg_id=ann.id).update(blocked_at=None)
    await ann.command("/help")  # the reply fails with 403: the error handler marks, no crash
    await eventually(is_blocked(ann))
    await settled(bob)
    assert [c.status for c in harness.emulator.calls if c.method == "sendMessage"
            and str(c.params.get("chat_id")) == str(ann.id)][-2:] == [403, 403]


async def test_an_update_delivered_twice_is_handled_once(harness: Harness) -> None:
    ann = harness.user()
    await harness.onboard(ann)
    before = len(ann.messages)

    await ann.command("/settings", duplicate=True)
    await ann.expect(head("en", "settings.title"), edited_ok=False)
    await settled(ann)

    assert len(ann.messages) == before + 2  # one settings screen, one help


async def test_a_double_tap_redelivered_agrees_once(harness: Harness) -> None:
    ann = harness.user()
    await ann.command("/start")
    picker = await ann.expect(head("en", "onboarding.choose_language"))
    await ann.press(picker, "English", duplicate=True)
    terms = await ann.expect(head("en", "onboarding.terms"))

    await ann.press(terms, "I agree", duplicate=True)
    await ann.press(terms, "I agree")  # a stale second tap
    await ann.expect(head("en", "onboarding.choose_zone"))

    assert ann.callback_answers[-1].text == t("en", "onboarding.already_agreed")
    assert (await user_row(ann)).onboarding == "timezone"


async def test_garbage_gets_a_polite_reply_in_the_member_language(harness: Harness) -> None:
    minji = harness.user(language_code="ko")
    await harness.onboard(minji, lang="ko")

    await minji.send("asdf qwerty")
    assert (await minji.next_message()).text == t("ko", "fallback.text")
    await minji.send_sticker()
    assert (await minji.next_message()).text == t("ko", "fallback.sticker")
    await minji.send_photo(b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, caption="what is this")
    assert (await minji.next_message()).text == t("ko", "fallback.file")
    await minji.send_voice(b"OggS" + b"\x00" * 64)
    assert (await minji.next_message()).text == t("ko", "fallback.file")
    await minji.send_document(b"%PDF-1.4", "a.pdf", "application/pdf")
    assert (await minji.next_message()).text == t("ko", "fallback.file")
    await minji.command("/frobnicate")
    assert (await minji.next_message()).text == t("ko", "fallback.command",
                                                  command="/frobnicate")

    menu = minji.last
    assert menu is not None
    assert (await minji.press_data(menu, "lang:xx")).text == t("ko", "onboarding.bad_language")
    assert (await minji.press_data(menu, "zz:1")).text == t("ko", "fallback.button")
    assert (await minji.press_data(menu, "tz:999")).text == t("ko", "errors.bad_button")
    assert (await minji.press_data(9999, "del:x")).text == t("ko", "errors.bad_button")
    assert (await minji.press_data(menu, "set:nope")).text == t("ko", "errors.bad_button")
    await settled(minji)
    assert (await user_row(minji)).deleted_at is None


async def test_garbage_before_signing_up_leads_back(harness: Harness) -> None:
    ann = harness.user()
    await ann.send_sticker()

    back = await ann.expect(t("en", "onboarding.finish_first"))

    assert "✓ English" in back.button_texts()


async def test_too_many_requests_is_retried(harness: Harness) -> None:
    ann = harness.user()
    await harness.onboard(ann)
    harness.emulator.fail_next("sendMessage", status=429, retry_after=1)

    help_message = await settled(ann)

    assert help_message.text == t("en", "help.text")
    statuses = [c.status for c in harness.emulator.calls if c.method == "sendMessage"]
    assert statuses[-2:] == [429, 200]


async def test_a_server_error_gets_the_generic_apology(harness: Harness) -> None:
    ann = harness.user()
    await harness.onboard(ann)
    harness.emulator.fail_next("sendMessage", status=500)

    await ann.command("/help")

    sorry = await ann.expect(head("en", "errors.generic"))
    assert sorry.text == t("en", "errors.generic")
    await settled(ann)
