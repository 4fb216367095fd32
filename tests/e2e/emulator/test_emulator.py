"""The emulator against a real python-telegram-bot Application (polling and webhook)."""

from __future__ import annotations

import asyncio
import io
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import aiohttp
import pytest
from aiohttp import web
from PIL import Image
from telegram import (
    ForceReply,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    ReplyKeyboardMarkup,
    Update,
)
from telegram.error import BadRequest, Conflict, Forbidden, NetworkError, RetryAfter, TimedOut
from telegram.ext import (
    AIORateLimiter,
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    TypeHandler,
    filters,
)

from gigbot.emulator import Emulator, RateLimits

TOKEN = "123456:emulator-test-token_0123456789abcdef"


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Greets with two buttons; the argument of /start is echoed."""
    message = update.effective_message
    assert message is not None and update.effective_user is not None
    args = " ".join(context.args or [])
    keyboard = InlineKeyboardMarkup(
        [
            [InlineKeyboardButton("Yes", callback_data="yes")],
            [InlineKeyboardButton("No", callback_data="no")],
        ]
    )
    await message.reply_text(
        f"<b>Welcome</b>, {update.effective_user.first_name}! {args}".strip(),
        parse_mode="HTML",
        reply_markup=keyboard,
    )


async def pressed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Answers the press and turns the message into the choice."""
    query = update.callback_query
    assert query is not None
    await query.answer(f"got {query.data}")
    await query.edit_message_text(f"You chose {query.data}")


async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Repeats text."""
    message = update.effective_message
    assert message is not None and message.text is not None
    await message.reply_text(f"echo: {message.text}")


def build(emu: Emulator, builder: ApplicationBuilder | None = None) -> Application:  # type: ignore[type-arg]
    """The test bot, talking to the emulator."""
    app = (
        (builder or ApplicationBuilder())
        .token(TOKEN)
        .base_url(f"{emu.url}/bot")
        .base_file_url(f"{emu.url}/file/bot")
        .build()
    )
    app.add_handler(CommandHandler("start", start))
    app.add_handler(CallbackQueryHandler(pressed))
    app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, echo))
    return app


@asynccontextmanager
async def polling(app: Application) -> AsyncIterator[Application]:  # type: ignore[type-arg]
    """Run the application with long polling for the duration of the block."""
    async with app:
        assert app.updater is not None
        await app.updater.start_polling(poll_interval=0.0, timeout=30)
        await app.start()
        try:
            yield app
        finally:
            await app.updater.stop()
            await app.stop()


@pytest.fixture(autouse=True)
def timedelta_periods(monkeypatch: pytest.MonkeyPatch) -> None:
    """PTB 22 warns when it builds RetryAfter or reads durations as ints; opt in to timedelta."""
    monkeypatch.setenv("PTB_TIMEDELTA", "1")


@pytest.fixture
async def emu() -> AsyncIterator[Emulator]:
    async with Emulator() as emulator:
        yield emulator


@pytest.fixture
async def bot_app(emu: Emulator) -> AsyncIterator[Application]:  # type: ignore[type-arg]
    async with polling(build(emu)) as app:
        yield app


async def test_get_me_names_the_bot(emu: Emulator) -> None:
    app = build(emu)
    async with app:
        me = await app.bot.get_me()
    assert me.username == "gigbot_test_bot"
    assert me.id == 123456
    assert me.is_bot


async def test_long_poll_delivers_at_once_and_reply_reaches_user(
    emu: Emulator,
    bot_app: Application,  # type: ignore[type-arg]
) -> None:
    ann = emu.user("Ann")
    await ann.command("/start", "p_review-sentiment")
    # the poll waits up to 30 s; the reply must come long before that
    welcome = await ann.expect("Welcome", timeout=5)
    assert welcome.text == "Welcome, Ann! p_review-sentiment"
    assert welcome.entities == ({"type": "bold", "offset": 0, "length": 7},)
    assert welcome.buttons == [[("Yes", "yes")], [("No", "no")]]
    await ann.send("hello")
    assert (await ann.next_message()).text == "echo: hello"


async def test_button_press_reaches_handler_and_answer_and_edit_reach_user(
    emu: Emulator,
    bot_app: Application,  # type: ignore[type-arg]
) -> None:
    ann = emu.user("Ann")
    await ann.command("/start")
    welcome = await ann.next_message()
    answer = await ann.press(welcome, "No")
    assert answer is not None and answer.text == "got no"
    edited = await ann.expect("You chose no")
    assert edited is welcome
    assert welcome.edits == 1 and welcome.buttons == []
    assert ann.callback_answers == [answer]
    assert [m.text for m in ann.messages] == ["You chose no"]


async def test_identical_edit_is_not_modified(
    emu: Emulator,
    bot_app: Application,  # type: ignore[type-arg]
) -> None:
    ann = emu.user("Ann")
    await ann.send("hi")
    reply = await ann.next_message()
    with pytest.raises(BadRequest, match="Message is not modified"):
        await bot_app.bot.edit_message_text(
            "echo: hi", chat_id=ann.id, message_id=reply.message_id
        )
    await bot_app.bot.edit_message_text(
        "<i>new</i>", chat_id=ann.id, message_id=reply.message_id, parse_mode="HTML"
    )
    assert reply.text == "new" and reply.edits == 1
    with pytest.raises(BadRequest, match="Message to edit not found"):
        await bot_app.bot.edit_message_text("x", chat_id=ann.id, message_id=999)


async def test_callback_data_is_limited_to_64_bytes(
    emu: Emulator,
    bot_app: Application,  # type: ignore[type-arg]
) -> None:
    ann = emu.user("Ann")
    await ann.send("hi")
    await ann.next_message()
    ok = InlineKeyboardMarkup([[InlineKeyboardButton("ok", callback_data="가" * 21)]])  # 63 B
    too_long = InlineKeyboardMarkup([[InlineKeyboardButton("no", callback_data="가" * 22)]])
    await bot_app.bot.send_message(ann.id, "fits", reply_markup=ok)
    with pytest.raises(BadRequest, match="Button_data_invalid"):
        await bot_app.bot.send_message(ann.id, "too long", reply_markup=too_long)
    assert [m.text for m in ann.messages] == ["echo: hi", "fits"]


async def test_blocked_and_unknown_users_are_refused(
    emu: Emulator,
    bot_app: Application,  # type: ignore[type-arg]
) -> None:
    ann, bob = emu.user("Ann"), emu.user("Bob")
    await ann.send("hi")
    await ann.next_message()
    ann.block()
    with pytest.raises(Forbidden, match="bot was blocked by the user"):
        await bot_app.bot.send_message(ann.id, "still there?")
    with pytest.raises(Forbidden, match="bot can't initiate conversation with a user"):
        await bot_app.bot.send_message(bob.id, "hello stranger")
    with pytest.raises(BadRequest, match="Chat not found"):
        await bot_app.bot.send_message(424242, "nobody")
    ann.unblock()
    await bot_app.bot.send_message(ann.id, "welcome back")
    assert ann.last is not None and ann.last.text == "welcome back"


async def test_rate_limits_can_be_switched_off() -> None:
    async with Emulator(rate_limits=RateLimits.off()) as emu, polling(build(emu)) as app:
        ann = emu.user("Ann")
        await ann.send("hi")
        await ann.next_message()
        for i in range(40):
            await app.bot.send_message(ann.id, f"n{i}")
        assert len(ann.messages) == 41


class ManualClock:
    """A monotonic clock the test moves by hand (callback timeouts, flood buckets)."""

    def __init__(self) -> None:
        self.now = 50.0

    def __call__(self) -> float:
        return self.now


async def test_get_updates_offset_limit_and_long_poll(emu: Emulator) -> None:
    app = build(emu)
    async with app:
        ann = emu.user("Ann")
        for text in ("one", "two", "three"):
            await ann.send(text)
        first = await app.bot.get_updates(limit=2)
        assert [u.message.text for u in first if u.message] == ["one", "two"]
        rest = await app.bot.get_updates(offset=first[-1].update_id + 1)
        assert [u.message.text for u in rest if u.message] == ["three"]
        assert emu.pending_updates == 1  # confirmed only by the next offset
        waiting = asyncio.create_task(
            app.bot.get_updates(offset=rest[-1].update_id + 1, timeout=30)
        )
        await emu.until_polling()  # the poll is waiting before the user writes
        await ann.send("four")
        late = await asyncio.wait_for(waiting, 5)  # far less than the 30 s poll
        assert [u.message.text for u in late if u.message] == ["four"]


async def test_a_second_poll_terminates_the_first(emu: Emulator) -> None:
    app = build(emu)
    async with app, aiohttp.ClientSession() as http:
        first = asyncio.create_task(app.bot.get_updates(timeout=20))
        await emu.until_polling()
        # PTB keeps one connection for getUpdates, so the second poller is another client
        async with http.get(f"{emu.url}/bot{TOKEN}/getUpdates") as response:
            assert await response.json() == {"ok": True, "result": []}
        with pytest.raises(Conflict, match="terminated by other getUpdates request"):
            await asyncio.wait_for(first, 5)


def png(width: int = 40, height: int = 30) -> bytes:
    """A small real PNG image."""
    out = io.BytesIO()
    Image.new("RGB", (width, height), (200, 30, 30)).save(out, "PNG")
    return out.getvalue()


async def test_flood_limit_gives_retry_after_and_rate_limiter_recovers() -> None:
    limits = RateLimits(chat_per_s=1.0, chat_burst=1)
    async with Emulator(rate_limits=limits) as emu:
        ann = emu.user("Ann")
        await ann.send("hi")
        plain = build(emu)
        async with plain:
            await plain.bot.send_message(ann.id, "first")
            with pytest.raises(RetryAfter, match="Flood control exceeded"):
                await plain.bot.send_message(ann.id, "second")
            await plain.bot.edit_message_text(
                "edits are not counted", ann.id, ann.messages[0].message_id
            )
        refused = [c for c in emu.calls if c.status == 429]
        assert [c.method for c in refused] == ["sendMessage"]
        retrying = build(emu, ApplicationBuilder().rate_limiter(AIORateLimiter(max_retries=2)))
        async with retrying:
            await retrying.bot.send_message(ann.id, "after waiting")
        assert ann.last is not None and ann.last.text == "after waiting"


async def test_injected_faults_5xx_429_and_timeout(emu: Emulator) -> None:
    ann = emu.user("Ann")
    await ann.send("hi")
    app = build(emu)
    async with app:
        emu.fail_next("sendMessage", status=502)
        with pytest.raises(NetworkError, match="Bad Gateway"):
            await app.bot.send_message(ann.id, "lost")
        emu.fail_next("sendMessage", status=429, retry_after=3)
        with pytest.raises(RetryAfter):
            await app.bot.send_message(ann.id, "refused")
        assert emu.calls[-1].status == 429
        emu.fail_next("sendMessage", status=200, delay=5)
        with pytest.raises(TimedOut):
            await app.bot.send_message(ann.id, "sent but unanswered", read_timeout=0.2)
        await app.bot.send_message(ann.id, "fine again")
    assert [m.text for m in ann.messages] == ["sent but unanswered", "fine again"]


async def test_duplicate_delivery_gives_the_same_update_twice(emu: Emulator) -> None:
    seen: list[int] = []

    async def record(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert isinstance(update, Update)
        seen.append(update.update_id)

    app = build(emu)
    app.add_handler(TypeHandler(Update, record), group=-1)
    async with polling(app):
        ann = emu.user("Ann")
        await ann.send("once", duplicate=True)
        first, second = await ann.next_message(), await ann.next_message()
        assert first.text == second.text == "echo: once"
        welcome = await ann.command("/start")
        menu = await ann.expect("Welcome")
        await ann.press(menu, "Yes", duplicate=True, wait=True)
        await ann.expect("You chose yes")
    assert seen[0] == seen[1] and welcome["message_id"] == 4
    assert len(seen) == 5 and seen[3] == seen[4]


async def test_user_photo_can_be_downloaded_by_the_bot(emu: Emulator) -> None:
    received: list[bytes] = []

    async def photo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.message is not None
        file = await update.message.photo[-1].get_file()
        received.append(bytes(await file.download_as_bytearray()))
        await update.message.reply_text(f"got {update.message.photo[-1].width} px")

    app = build(emu)
    app.add_handler(MessageHandler(filters.PHOTO, photo))
    image = png(64, 48)
    async with polling(app):
        ann = emu.user("Ann")
        await ann.send_photo(image, caption="look")
        assert (await ann.next_message()).text == "got 64 px"
    assert received == [image]


async def test_bot_uploads_reach_the_user_with_their_bytes(emu: Emulator) -> None:
    ann = emu.user("Ann")
    await ann.send("hi")
    app = build(emu)
    async with app:
        sent = await app.bot.send_document(
            ann.id,
            document=b"task,label\n1,pos\n",
            filename="result.csv",
            caption="<b>done</b>",
            parse_mode="HTML",
        )
        assert sent.document is not None and sent.document.file_name == "result.csv"
        doc = ann.last
        assert doc is not None and doc.kind == "document"
        assert doc.file_bytes == b"task,label\n1,pos\n" and doc.caption == "done"
        again = await app.bot.send_document(ann.id, document=sent.document.file_id)
        assert again.document is not None and again.document.file_id == sent.document.file_id
        pic = await app.bot.send_photo(ann.id, photo=png(1600, 8), protect_content=True)
        assert pic.photo[-1].width == 1600 and pic.has_protected_content
        assert ann.last is not None and ann.last.protect_content and ann.last.kind == "photo"
        voice = await app.bot.send_voice(ann.id, voice=b"OggS fake opus", duration=3)
        assert voice.voice is not None and voice.voice.duration.total_seconds() == 3
        file = await app.bot.get_file(voice.voice.file_id)
        assert bytes(await file.download_as_bytearray()) == b"OggS fake opus"
        with pytest.raises(BadRequest, match="Image_process_failed"):
            await app.bot.send_photo(ann.id, photo=b"not an image")
        with pytest.raises(BadRequest, match="Wrong file identifier"):
            await app.bot.send_photo(ann.id, photo="AgACAgQAAxno-such-file")
        await app.bot.edit_message_caption(ann.id, doc.message_id, caption="renamed")
        assert doc.caption == "renamed" and doc.edits == 1


async def test_webhook_posts_with_the_secret_header(emu: Emulator) -> None:
    app = build(emu, ApplicationBuilder().updater(None))
    secrets: list[str] = []
    refused = asyncio.Event()

    async def hook(request: web.Request) -> web.Response:
        secret = request.headers.get("X-Telegram-Bot-Api-Secret-Token", "")
        secrets.append(secret)
        if secret != "s3cret":
            refused.set()
            return web.Response(status=403)
        await app.update_queue.put(Update.de_json(await request.json(), app.bot))
        return web.Response()

    server = web.Application()
    server.router.add_post("/hook", hook)
    runner = web.AppRunner(server)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    url = f"http://127.0.0.1:{runner.addresses[0][1]}/hook"
    try:
        async with app:
            await app.start()
            assert await app.bot.set_webhook(url, secret_token="s3cret")
            ann = emu.user("Ann")
            await ann.send("via webhook")
            assert (await ann.next_message()).text == "echo: via webhook"
            with pytest.raises(Conflict, match="webhook is active"):
                await app.bot.get_updates()
            await app.bot.set_webhook(url, secret_token="wrong")
            await ann.send("kept until accepted")
            await asyncio.wait_for(refused.wait(), 5)
            info = await app.bot.get_webhook_info()
            assert info.url == url and info.pending_update_count == 1
            assert info.last_error_message == "Wrong response from the webhook: 403 Forbidden"
            await app.bot.set_webhook(url, secret_token="s3cret")
            assert (await ann.next_message()).text == "echo: kept until accepted"
            assert await app.bot.delete_webhook()
            assert (await app.bot.get_webhook_info()).url == ""
            await app.stop()
    finally:
        await runner.cleanup()
    assert secrets[0] == "s3cret" and "wrong" in secrets


async def test_callback_answer_once_and_before_the_timeout() -> None:
    clock = ManualClock()
    async with Emulator(time_func=clock, callback_timeout=15.0) as emu:
        app = build(emu)
        async with app:
            ann = emu.user("Ann")
            await ann.send("hi")
            menu = await app.bot.send_message(
                ann.id,
                "pick",
                reply_markup=InlineKeyboardMarkup(
                    [[InlineKeyboardButton("A", callback_data="a")]]
                ),
            )
            shown = ann.last
            assert shown is not None
            await ann.press(shown, "A", wait=False)
            await ann.press_data(menu.message_id, "forged:1", wait=False)
            updates = await app.bot.get_updates()
            first, forged = (u.callback_query for u in updates[1:])
            assert first is not None and forged is not None and forged.data == "forged:1"
            assert await first.answer("ok", show_alert=True)
            with pytest.raises(BadRequest, match="Query is too old"):
                await first.answer("again")
            clock.now += 16
            with pytest.raises(BadRequest, match="Query is too old"):
                await forged.answer()
    assert [(a.text, a.show_alert) for a in ann.callback_answers] == [("ok", True)]


async def test_a_user_waiting_for_a_late_answer_learns_it_at_once() -> None:
    clock = ManualClock()
    async with Emulator(time_func=clock, callback_timeout=15.0) as emu:
        app = build(emu)
        async with app:
            ann = emu.user("Ann")
            await ann.send("hi")
            await app.bot.send_message(ann.id, "pick", reply_markup=InlineKeyboardMarkup(
                [[InlineKeyboardButton("A", callback_data="a")]]))
            shown = ann.last
            assert shown is not None
            waiting = asyncio.create_task(ann.press(shown, "A", timeout=3600))
            updates = await app.bot.get_updates()
            query = updates[-1].callback_query
            assert query is not None
            clock.now += 16
            with pytest.raises(BadRequest, match="Query is too old"):
                await query.answer()
            with pytest.raises(TimeoutError, match=r"answered 16\.0 s after the press"):
                await asyncio.wait_for(waiting, timeout=60)
    assert ann.callback_answers == []


async def test_press_waits_for_the_answer_and_times_out_without_one(emu: Emulator) -> None:
    ann = emu.user("Ann")
    await ann.send("hi")
    app = build(emu)
    async with app:
        await app.bot.send_message(
            ann.id,
            "pick",
            reply_markup=InlineKeyboardMarkup(
                [
                    [
                        InlineKeyboardButton("Approve ✅", callback_data="ok"),
                        InlineKeyboardButton("Reject", callback_data="no"),
                    ]
                ]
            ),
        )
        message = ann.last
        assert message is not None
        with pytest.raises(TimeoutError, match=r"query 'ok': it did not answer within 0\.2 s"):
            await ann.press(message, "Approve", timeout=0.2)
        with pytest.raises(AssertionError, match="no button 'Maybe'"):
            await ann.press(message, "Maybe")


async def test_text_checks_and_deletion(emu: Emulator) -> None:
    ann = emu.user("Ann")
    await ann.send("hi")
    app = build(emu)
    async with app:
        bot = app.bot
        with pytest.raises(BadRequest, match="Message is too long"):
            await bot.send_message(ann.id, "x" * 4097)
        await bot.send_message(ann.id, "가" * 4096)
        with pytest.raises(BadRequest, match="Message text is empty"):
            await bot.send_message(ann.id, "<b> </b>", parse_mode="HTML")
        with pytest.raises(BadRequest, match="Can't parse entities: unsupported start tag"):
            await bot.send_message(ann.id, "1 < 2", parse_mode="HTML")
        with pytest.raises(BadRequest, match="reserved and must be escaped"):
            await bot.send_message(ann.id, "Done.", parse_mode="MarkdownV2")
        with pytest.raises(BadRequest, match="Message caption is too long"):
            await bot.send_document(ann.id, b"x", filename="a.txt", caption="c" * 1025)
        sent = await bot.send_message(ann.id, "bye")
        assert await bot.delete_message(ann.id, sent.message_id)
        with pytest.raises(BadRequest, match="Message to delete not found"):
            await bot.delete_message(ann.id, sent.message_id)
        with pytest.raises(BadRequest, match="Message to edit not found"):
            await bot.edit_message_text("x", chat_id=ann.id, message_id=sent.message_id)
    assert [m.content[:1] for m in ann.messages] == ["가"]


async def test_commands_per_language_and_raw_requests(emu: Emulator) -> None:
    app = build(emu)
    async with app:
        await app.bot.set_my_commands([("tasks", "Find work"), ("balance", "Your money")])
        await app.bot.set_my_commands([("tasks", "작업 찾기")], language_code="ko")
        assert [c.command for c in await app.bot.get_my_commands()] == ["tasks", "balance"]
        with pytest.raises(BadRequest, match="Bot_command_invalid"):
            await app.bot.set_my_commands([("Bad-Command", "x")])
    assert emu.commands() == [("tasks", "Find work"), ("balance", "Your money")]
    assert emu.commands("ko") == [("tasks", "작업 찾기")]
    assert emu.commands("de") == emu.commands()
    base = f"{emu.url}/bot{TOKEN}"
    async with aiohttp.ClientSession() as http:
        async with http.get(f"{base}/getMe") as response:
            assert (await response.json())["result"]["username"] == "gigbot_test_bot"
        async with http.post(f"{base}/GETME", json={}) as response:
            assert response.status == 200
        async with http.post(f"{base}/noSuchMethod", data={"a": "1"}) as response:
            assert response.status == 404
            assert await response.json() == {
                "ok": False,
                "error_code": 404,
                "description": "Not Found",
            }
        async with http.post(f"{base}/sendMessage", json={"chat_id": 1, "text": "x"}) as response:
            assert (await response.json())["description"] == "Bad Request: chat not found"
        async with http.get(f"{emu.url}/botnot-a-token/getMe") as response:
            assert response.status == 401
        async with http.get(f"{emu.url}/file/bot{TOKEN}/photos/missing.jpg") as response:
            assert response.status == 404


async def test_user_media_force_reply_and_reply_keyboard_reach_the_bot(emu: Emulator) -> None:
    app = build(emu)
    async with app:
        ann = emu.user("Ann", language_code="ko", username="ann_k")
        await ann.send_voice(b"OggS voice", duration=4)
        await ann.send_audio(b"ID3 audio", filename="clip.mp3")
        await ann.send_document(b"slug = 'x'\n", "project.toml", mime_type="application/toml")
        await ann.send_sticker()
        prompt = await app.bot.send_message(
            ann.id, "Type what you hear", reply_markup=ForceReply()
        )
        shown = ann.last
        assert shown is not None and shown.force_reply
        await ann.reply(shown, "안녕하세요")
        await app.bot.send_message(
            ann.id, "Pick", reply_markup=ReplyKeyboardMarkup([["English", "한국어"]])
        )
        assert ann.last is not None and ann.last.keyboard == [["English", "한국어"]]
        assert await ann.press(ann.last, "한국어") is None
        updates = await app.bot.get_updates()
        voice, audio, document, sticker, reply, typed = (u.message for u in updates)
        assert voice is not None and voice.voice is not None and voice.from_user is not None
        assert voice.from_user.language_code == "ko" and voice.from_user.username == "ann_k"
        assert audio is not None and audio.audio is not None
        assert audio.audio.file_name == "clip.mp3" and audio.audio.mime_type == "audio/mpeg"
        assert document is not None and document.document is not None
        assert document.document.file_name == "project.toml"
        downloaded = await (await document.document.get_file()).download_as_bytearray()
        assert bytes(downloaded) == b"slug = 'x'\n"
        assert sticker is not None and sticker.sticker is not None
        assert reply is not None and reply.reply_to_message is not None
        assert reply.reply_to_message.message_id == prompt.message_id
        assert reply.text == "안녕하세요"
        assert typed is not None and typed.text == "한국어"


async def test_expect_reports_the_recent_chat_when_nothing_matches(emu: Emulator) -> None:
    ann = emu.user("Ann")
    await ann.send("hi")
    app = build(emu)
    async with app:
        sent = await app.bot.send_message(ann.id, "Item 1 of 3")
        await app.bot.edit_message_text("Item 2 of 3", ann.id, sent.message_id)
        assert (await ann.expect("Item 2")).edits == 1
        with pytest.raises(TimeoutError, match="Item 2 of 3"):
            await ann.expect("Done", timeout=0.05)
        await app.bot.edit_message_text("Item 3 of 3", ann.id, sent.message_id)
        with pytest.raises(TimeoutError):
            await ann.expect("Item 3", timeout=0.05, edited_ok=False)


async def test_standalone_server_prints_its_root() -> None:
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "gigbot.emulator", "--port", "0", stdout=asyncio.subprocess.PIPE
    )
    try:
        assert process.stdout is not None
        line = (await asyncio.wait_for(process.stdout.readline(), 20)).decode()
        root = line.split()[4]
        assert root.startswith("http://127.0.0.1:")
        async with aiohttp.ClientSession() as http, http.get(f"{root}/bot{TOKEN}/getMe") as r:
            assert (await r.json())["result"]["is_bot"] is True
    finally:
        process.terminate()
        await process.wait()
