"""Task handlers: /tasks, one-tap answers, toggles and Done, Skip, Report, Stop, typed answers.

The one-tap answer and the toggles carry a tag of (lease, presser) that is checked without the
database, so the callback is answered at once and forged data still gets a short refusal. The
other buttons are answered after their (rare) service call, with a toast when there is
something to say.

How the next item appears: a text item after a text item is an edit of the same message (one
tap, one edit). A change that involves a photo cannot be an edit (the emulator, like many
clients, has no editMessageMedia for us to rely on), so the old item message is deleted and the
new one sent. Transcription items are new messages (the media with Skip/Report/Stop, then a
ForceReply prompt); the answered item's buttons are removed. Every task message is sent with
``protect_content``.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

from telegram import InputFile, Message, Update
from telegram.error import BadRequest
from telegram.ext import (
    ApplicationHandlerStop,
    CallbackQueryHandler,
    CommandHandler,
    MessageHandler,
    filters,
)

from gigbot.callbacks import (
    AnswerTap,
    DoneTap,
    PickProject,
    ReportBack,
    ReportOpen,
    ReportReason,
    SkipTap,
    StopTap,
    ToggleTap,
    task_key,
    task_tag_ok,
)
from gigbot.catalog.states import ProjectKind
from gigbot.context import GigApp, GigContext
from gigbot.errors import BadCallback
from gigbot.handlers.appeals import suspension_screen
from gigbot.handlers.common import handled_before, require, send_notices, stop_spinner
from gigbot.handlers.task_views import (
    board_screen,
    item_keyboard,
    item_screen,
    prompt,
    report_keyboard,
    tally_screen,
)
from gigbot.handlers.views import Screen
from gigbot.metrics import ANSWERS_RECORDED, TAP_LATENCY
from gigbot.tasks import answers, leases, sessions
from gigbot.tasks.answers import End, Outcome, Step
from gigbot.tasks.media import MediaKind, forget_file_id, prepare_media, remember_file_id
from gigbot.tasks.policy import TextProblem
from gigbot.tasks.selection import ServedItem

__all__ = ["TEXT_GROUP", "register", "send_media_item"]

log = logging.getLogger(__name__)
TEXT_GROUP = 1  # after the features of group 0, so their prompt replies go to them first
_KEY = "tasks.key"
_QUIET = (Outcome.REPLAY, Outcome.CLOSED)
_TRUE = frozenset({"1", "true", "yes", "on"})


def _key(context: GigContext) -> bytes:
    key = context.bot_data.get(_KEY)
    if key is None:
        key = context.bot_data[_KEY] = task_key(context.settings.token)
    return bytes(key)


def _tapped(update: Update, context: GigContext, lease_id: int, tag: str) -> None:
    """Refuse a one-tap button whose tag was not made for this presser (no database needed)."""
    user = require(update.effective_user)
    if not task_tag_ok(_key(context), lease_id, user.id, tag):
        raise BadCallback()


def _watermark(context: GigContext) -> str | None:
    on = context.settings.extra.get("GIGBOT_WATERMARK", "").strip().lower() in _TRUE
    return context.member.pseudonym if on else None  # the export names workers so too


def _is_text(message: Message | None) -> bool:
    return message is not None and message.text is not None


async def _quietly(action: Any) -> None:
    """A clean-up call on an old message: a message already gone or unchanged is fine."""
    try:
        await action
    except BadRequest as exc:
        log.debug("clean-up call failed: %s", exc)


async def _send_media(bot: Any, chat_id: int, kind: MediaKind, source: str | InputFile,
                      common: dict[str, Any]) -> tuple[Message, str | None]:
    """Send a photo, voice or audio; the message and the file_id Telegram gave it."""
    if kind is MediaKind.PHOTO:
        sent = await bot.send_photo(chat_id, source, **common)
        return sent, sent.photo[-1].file_id if sent.photo else None
    if kind is MediaKind.VOICE:
        sent = await bot.send_voice(chat_id, source, **common)
        return sent, sent.voice.file_id if sent.voice else None
    sent = await bot.send_audio(chat_id, source, **common)
    return sent, sent.audio.file_id if sent.audio else None


async def _send_prepared(context: GigContext, chat_id: int, item: ServedItem, stored: str,
                         screen: Screen) -> Message:
    """Send a media item: by its cached file_id, or uploaded once (and the id kept)."""
    return await send_media_item(context, chat_id, stored, image=bool(item.image),
                                 screen=screen)


async def send_media_item(context: GigContext, chat_id: int, stored: str, *, image: bool,
                          screen: Screen) -> Message:
    """Send an item's stored media with ``screen`` as caption, as a task item is sent."""
    media = await prepare_media(context.settings.data_dir, stored,
                                "image" if image else "audio",
                                watermark=_watermark(context) if image else None,
                                now=context.clock.now())
    common: dict[str, Any] = {"caption": screen.text, "reply_markup": screen.keyboard,
                              "protect_content": True}
    if media.file_id is not None:
        try:
            sent, _ = await _send_media(context.bot, chat_id, media.kind, media.file_id, common)
            return sent
        except BadRequest as exc:  # an id of another bot or server: upload once more
            log.warning("cached file_id refused, uploading again media=%s: %s", media.id, exc)
            await forget_file_id(media.id)
    upload = InputFile(await asyncio.to_thread(media.path.read_bytes), filename=media.filename)
    sent, file_id = await _send_media(context.bot, chat_id, media.kind, upload, common)
    if file_id:
        await remember_file_id(media.id, file_id)
    return sent


async def _send_item(context: GigContext, chat_id: int, item: ServedItem,
                     header: str | None) -> None:
    t, bot = context.t, context.bot
    screen = item_screen(t, item, _key(context), context.member.tg_id, header=header)
    stored = item.image or item.audio
    if stored is None:
        sent = await bot.send_message(chat_id, screen.text, reply_markup=screen.keyboard,
                                      protect_content=True)
    else:
        sent = await _send_prepared(context, chat_id, item, stored, screen)
    await leases.attach_message(item.lease_id, context.member.id, chat_id, sent.message_id)
    if item.kind == ProjectKind.TRANSCRIPTION:
        text, force = prompt(t, item)
        await bot.send_message(chat_id, text, reply_markup=force, protect_content=True)


async def _show_item(context: GigContext, chat_id: int, old: Message | None,
                     old_id: int | None, item: ServedItem, header: str | None) -> None:
    """Put the item on screen: edit a text message in place, else replace or follow it."""
    if item.kind == ProjectKind.CLASSIFICATION and not item.has_media and _is_text(old):
        message = require(old)
        screen = item_screen(context.t, item, _key(context), context.member.tg_id,
                             header=header)
        await message.edit_text(screen.text, reply_markup=screen.keyboard)
        if item.message_id != message.message_id:
            await leases.attach_message(item.lease_id, context.member.id, chat_id,
                                        message.message_id)
        return
    if old_id is not None:
        if item.kind == ProjectKind.CLASSIFICATION:
            await _quietly(context.bot.delete_message(chat_id, old_id))
        else:
            await _quietly(context.bot.edit_message_reply_markup(chat_id, old_id))
    await _send_item(context, chat_id, item, header)


async def _show_screen(context: GigContext, chat_id: int, old: Message | None,
                       old_id: int | None, screen: Screen) -> None:
    """An end screen: in place of a text item message, else after the (disarmed) media item."""
    if _is_text(old):
        await require(old).edit_text(screen.text, reply_markup=screen.keyboard)
        return
    if old_id is not None:
        await _quietly(context.bot.edit_message_reply_markup(chat_id, old_id))
    await context.bot.send_message(chat_id, screen.text, reply_markup=screen.keyboard)


async def _end_screen(context: GigContext, step: Step) -> Screen:
    t = context.t
    if step.suspension is not None:
        text, markup = suspension_screen(t, step.suspension)
        return Screen(text, markup)
    key = "tasks.paused" if step.end is End.PAUSED else "tasks.no_work"
    head = t(key, project=t.pick(step.project_title))
    board = await sessions.task_board(context.member.id, context.clock.now())
    others = tuple(c for c in board.projects if c.id != step.project_id)
    if not others:
        return Screen(head)
    rest = board_screen(t, sessions.TaskBoard(others, (), (), None), title_key="tasks.others")
    return Screen(f"{head}\n\n{rest.text}", rest.keyboard)


async def _present(update: Update, context: GigContext, step: Step,
                   old: Message | None = None) -> None:
    """Show what an action led to (the next item or an end screen), then deliver notices.

    A session's opening notices (the probation starting) come first, so that the item stays
    the last message, right above the keyboard.
    """
    if step.outcome in _QUIET or step.outcome is Outcome.TOGGLED:
        if step.outcome is Outcome.REPLAY and step.item is not None:
            await _quietly(_show_item(context, require(update.effective_chat).id, old,
                                      step.shown_message_id, step.item, None))
        return
    chat_id = require(update.effective_chat).id
    old_id = old.message_id if old is not None else step.shown_message_id
    opening = step.outcome is Outcome.STARTED
    if opening and step.notices:
        await send_notices(context.bot, step.notices, context.settings)
    if step.item is not None:
        header = context.t("tasks.expired") if step.outcome is Outcome.EXPIRED else None
        await _show_item(context, chat_id, old, old_id, step.item, header)
    else:
        await _show_screen(context, chat_id, old, old_id, await _end_screen(context, step))
    if step.notices and not opening:
        await send_notices(context.bot, step.notices, context.settings)


def _count(step: Step) -> None:
    if step.outcome is Outcome.RECORDED:
        ANSWERS_RECORDED.inc()


def _old(update: Update) -> Message | None:
    message = require(update.callback_query).message
    return message if isinstance(message, Message) else None


async def tasks_command(update: Update, context: GigContext) -> None:
    """/tasks: the projects open to the worker; a suspended worker reads why."""
    board = await sessions.task_board(context.member.id, context.clock.now())
    chat = require(update.effective_chat)
    screen = board_screen(context.t, board)
    if screen.text:
        await chat.send_message(screen.text, reply_markup=screen.keyboard)
    for suspension in board.suspensions:
        text, markup = suspension_screen(context.t, suspension)
        await chat.send_message(text, reply_markup=markup)


async def project_button(update: Update, context: GigContext) -> None:
    """A project from the board: the first item of a session appears as a new message."""
    query = require(update.callback_query)
    pick = PickProject.parse(query.data)
    step = await sessions.start_session(context.member.id, pick.project_id,
                                        now=context.clock.now())
    await stop_spinner(query)
    await _present(update, context, step)


async def answer_button(update: Update, context: GigContext) -> None:
    """One tap records the answer; the same message becomes the next item."""
    started = time.perf_counter()
    query = require(update.callback_query)
    tap = AnswerTap.parse(query.data)
    _tapped(update, context, tap.lease_id, tap.tag)
    await stop_spinner(query)  # before any database work; a failed answer loses nothing
    step = await answers.submit_choice(context.member.id, tap.lease_id, tap.choice,
                                       now=context.clock.now(), admins=context.settings.admins)
    _count(step)
    await _present(update, context, step, _old(update))
    if step.outcome is Outcome.RECORDED:
        TAP_LATENCY.observe(time.perf_counter() - started)


async def toggle_button(update: Update, context: GigContext) -> None:
    """A multi-label toggle: the buttons show the new state."""
    query = require(update.callback_query)
    tap = ToggleTap.parse(query.data)
    _tapped(update, context, tap.lease_id, tap.tag)
    await stop_spinner(query)
    step = await answers.toggle_label(context.member.id, tap.lease_id, tap.choice, bool(tap.on),
                                      now=context.clock.now())
    if step.outcome is Outcome.TOGGLED and step.item is not None:
        markup = item_keyboard(context.t, step.item, _key(context), context.member.tg_id)
        await _quietly(query.edit_message_reply_markup(markup))
        return
    await _present(update, context, step, _old(update))


async def done_button(update: Update, context: GigContext) -> None:
    """Multi-label Done: the toggled labels are the answer."""
    query = require(update.callback_query)
    tap = DoneTap.parse(query.data)
    step = await answers.submit_done(context.member.id, tap.lease_id, now=context.clock.now(),
                                     admins=context.settings.admins)
    _count(step)
    await stop_spinner(query, context.t("tasks.item_closed") if step.outcome in _QUIET else None)
    await _present(update, context, step, _old(update))


async def skip_button(update: Update, context: GigContext) -> None:
    """Skip: the item goes to others; the next one appears."""
    query = require(update.callback_query)
    tap = SkipTap.parse(query.data)
    step = await answers.skip_item(context.member.id, tap.lease_id, now=context.clock.now())
    await stop_spinner(query, context.t("tasks.item_closed") if step.outcome in _QUIET else None)
    await _present(update, context, step, _old(update))


async def _still_open(update: Update, context: GigContext, lease_id: int) -> ServedItem | None:
    """The pressed lease's item if it is still open (the callback answered), else None."""
    query = require(update.callback_query)
    step = await sessions.current_item(context.member.id, lease_id, now=context.clock.now())
    if step.item is None:
        await stop_spinner(query, context.t("tasks.item_closed"))
        return None
    await stop_spinner(query)
    return step.item


async def report_button(update: Update, context: GigContext) -> None:
    """Report: the buttons become the reasons (and Back)."""
    query = require(update.callback_query)
    tap = ReportOpen.parse(query.data)
    if await _still_open(update, context, tap.lease_id) is not None:
        await _quietly(query.edit_message_reply_markup(report_keyboard(context.t, tap.lease_id)))


async def reason_button(update: Update, context: GigContext) -> None:
    """A report reason: the item is reported and the next one appears."""
    query = require(update.callback_query)
    tap = ReportReason.parse(query.data)
    step = await answers.report_item(context.member.id, tap.lease_id, tap.reason,
                                     now=context.clock.now(), admins=context.settings.admins)
    key = "tasks.reported" if step.outcome is Outcome.REPORTED else "tasks.item_closed"
    await stop_spinner(query, context.t(key) if step.outcome is not Outcome.EXPIRED else None)
    await _present(update, context, step, _old(update))


async def back_button(update: Update, context: GigContext) -> None:
    """Back from the reasons: the item's own buttons again."""
    query = require(update.callback_query)
    tap = ReportBack.parse(query.data)
    item = await _still_open(update, context, tap.lease_id)
    if item is not None:
        markup = item_keyboard(context.t, item, _key(context), context.member.tg_id)
        await _quietly(query.edit_message_reply_markup(markup))


async def stop_button(update: Update, context: GigContext) -> None:
    """Stop: the open item goes back and the session's tally is shown."""
    query = require(update.callback_query)
    tap = StopTap.parse(query.data)
    tally = await sessions.stop_session(context.member.id, tap.lease_id, now=context.clock.now())
    await stop_spinner(query)
    old = _old(update)
    await _show_screen(context, require(update.effective_chat).id, old,
                       old.message_id if old else None, tally_screen(context.t, tally))


async def text_answer(update: Update, context: GigContext) -> None:
    """Typed text: the answer to the open transcription item, or a polite hint."""
    if handled_before(context.application, update, TEXT_GROUP):  # e.g. a quiz prompt reply
        return
    message = require(update.message)
    reply_to = message.reply_to_message.message_id if message.reply_to_message else None
    step = await answers.submit_text(context.member.id, message.text,
                                     message_id=message.message_id, reply_to=reply_to,
                                     now=context.clock.now(), admins=context.settings.admins)
    if step is not None:
        _count(step)
    t = context.t
    if step is None:
        await message.reply_text(t("fallback.text"))
    elif step.outcome is Outcome.REFUSED:
        key = "tasks.text_too_long" if step.problem is TextProblem.TOO_LONG else "tasks.text_empty"
        await message.reply_text(t(key, limit=step.limit))
    elif step.outcome is Outcome.BUTTONS:
        await message.reply_text(t("tasks.use_buttons"))
    else:
        await _present(update, context, step)
    raise ApplicationHandlerStop


async def expire_leases(context: GigContext) -> None:
    """JobQueue: expire the leases past their deadline (the selection path does it lazily too)."""
    await leases.expire_job(context.clock)


def register(app: GigApp) -> None:
    """Add the task handlers (group 0; typed answers in TEXT_GROUP) and the expiry job."""
    app.add_handler(CommandHandler("tasks", tasks_command))
    for codec, callback in (
        (AnswerTap, answer_button), (ToggleTap, toggle_button), (DoneTap, done_button),
        (SkipTap, skip_button), (ReportOpen, report_button), (ReportReason, reason_button),
        (ReportBack, back_button), (StopTap, stop_button), (PickProject, project_button),
    ):
        app.add_handler(CallbackQueryHandler(callback, pattern=codec.pattern()))
    app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, text_answer),
                    group=TEXT_GROUP)
    if app.job_queue is not None:
        app.job_queue.run_repeating(expire_leases, interval=60, first=60, name="tasks.expire",
                                    job_kwargs={"misfire_grace_time": 30, "coalesce": True})
