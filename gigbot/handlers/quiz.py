"""/quiz and the quiz buttons: the quiz screen, training and exam questions, typed answers.

A text question with label buttons lives in one message that each tap edits into the next
question (with the training feedback above it). A question with a picture or a sound, or one
answered by typing (ForceReply), is sent as a new message; the typed reply must answer the
newest question (the service matches the prompt's message id). Deep links: after ``/start
p_<slug>`` of a gated project (or the end of sign-up that followed one) the quiz screen is sent
by a handler in group 1, after the onboarding handler of group 0 has answered.
"""

from __future__ import annotations

import logging
import random

from telegram import InlineKeyboardMarkup, Message, Update
from telegram.error import BadRequest
from telegram.ext import CallbackQueryHandler, CommandHandler, MessageHandler

from gigbot.callbacks import PickZone, QuizOpen, QuizTap, QuizToggle
from gigbot.catalog.states import ProjectKind
from gigbot.context import GigApp, GigContext
from gigbot.errors import BadCallback, UserError
from gigbot.handlers.common import require, send_screen, stop_spinner
from gigbot.handlers.quiz_views import (
    PromptMatch,
    exam_screen,
    question_keyboard,
    question_text,
    quiz_list_screen,
    quiz_screen,
    step_text,
    training_screen,
)
from gigbot.handlers.views import Screen
from gigbot.notices import render_params
from gigbot.qualification import quiz
from gigbot.qualification.quiz import Question, StepResult
from gigbot.tasks.media import MediaKind, prepare_media, remember_file_id

__all__ = ["HOOK_GROUP", "QUESTION_PROMPT", "register", "send_quiz_screen"]

log = logging.getLogger(__name__)
HOOK_GROUP = 1  # after the onboarding handlers of group 0 have answered
QUESTION_PROMPT = PromptMatch("quiz.question_training", "quiz.question_exam")
_RNG = random.SystemRandom()  # exam draws: unpredictable to workers


def _has_media(q: Question) -> bool:
    return bool(q.image or q.audio)


async def _send_question(update: Update, context: GigContext, q: Question) -> Message:
    """A question as a new message (media, or a ForceReply prompt); remembered for replies."""
    chat = require(update.effective_chat)
    t = context.t
    text, markup = question_text(t, q), question_keyboard(t, q)
    if q.image or q.audio:
        kind, stored = ("image", q.image) if q.image else ("audio", q.audio)
        ref = await prepare_media(context.settings.data_dir, require(stored), kind,
                                  watermark=None, now=context.clock.now())
        source = ref.file_id or ref.path.read_bytes()
        caption = text[:1024]
        if ref.kind is MediaKind.PHOTO:
            sent = await chat.send_photo(source, caption=caption, reply_markup=markup,
                                         protect_content=True)
            file_id = sent.photo[-1].file_id if sent.photo else None
        elif ref.kind is MediaKind.VOICE:
            sent = await chat.send_voice(source, caption=caption, reply_markup=markup,
                                         protect_content=True)
            file_id = sent.voice.file_id if sent.voice else None
        else:
            sent = await chat.send_audio(source, caption=caption, reply_markup=markup,
                                         protect_content=True, filename=ref.filename)
            file_id = sent.audio.file_id if sent.audio else None
        if ref.file_id is None and file_id:
            await remember_file_id(ref.id, file_id)
    else:
        sent = await chat.send_message(text, reply_markup=markup)
    await quiz.remember_message(context.member.id, q.attempt_id, sent.message_id)
    return sent


async def _edit(message: Message, text: str, markup: InlineKeyboardMarkup | None) -> None:
    """Edit a text or a media message (its caption) in place; unchanged is fine."""
    try:
        if message.text is not None:
            await message.edit_text(text, reply_markup=markup)
        else:
            await message.edit_caption(text[:1024], reply_markup=markup)
    except BadRequest as exc:
        if "not modified" not in str(exc).lower():
            raise


async def _show(update: Update, context: GigContext, step: StepResult,
                pressed: Message | None) -> None:
    """Show a step: edit the pressed message when the next question fits in it, else send."""
    t = context.t
    q = step.question
    if (q is not None and pressed is not None and not _has_media(q)
            and q.kind != ProjectKind.TRANSCRIPTION):
        markup = question_keyboard(t, q)
        await _edit(pressed, step_text(t, step), markup if isinstance(markup, InlineKeyboardMarkup)
                    else None)
        await quiz.remember_message(context.member.id, q.attempt_id, pressed.message_id)
        return
    if q is not None:
        if step.feedback is not None:
            before = StepResult(feedback=step.feedback)
            if pressed is not None:
                await _edit(pressed, step_text(t, before), None)
            else:
                await send_screen(update, Screen(step_text(t, before)))
        elif pressed is not None:
            await _edit(pressed, t("quiz.header", title=t.pick(q.quiz_title)), None)
        await _send_question(update, context, q)
        return
    summary = (training_screen(t, step.training) if step.training is not None
               else exam_screen(t, require(step.exam)))
    text = step_text(t, step)
    if pressed is not None:
        await _edit(pressed, text, summary.keyboard)
    else:
        await send_screen(update, Screen(text, summary.keyboard))


async def send_quiz_screen(update: Update, context: GigContext, quiz_id: int) -> Message:
    """Send a quiz's screen (its stage, attempts, Training/Exam) as a new message."""
    status = await quiz.quiz_status(context.member.id, quiz_id, context.clock.now())
    return await send_screen(update, quiz_screen(context.t, status))


async def quiz_command(update: Update, context: GigContext) -> None:
    """/quiz: every quiz with the worker's stage in it."""
    quizzes = await quiz.list_quizzes(context.member.id, context.clock.now())
    await send_screen(update, quiz_list_screen(context.t, quizzes))


async def quiz_button(update: Update, context: GigContext) -> None:
    """Open a quiz screen, or start (resume) its training or exam."""
    query = require(update.callback_query)
    tap = QuizOpen.parse(query.data)
    member, now, t = context.member, context.clock.now(), context.t
    pressed = query.message if isinstance(query.message, Message) else None
    if tap.part == "m":
        status = await quiz.quiz_status(member.id, tap.quiz_id, now)
        await stop_spinner(query)
        if pressed is not None:
            screen = quiz_screen(t, status)
            await _edit(pressed, screen.text, screen.keyboard)
        else:
            await send_screen(update, quiz_screen(t, status))
        return
    try:
        if tap.part == "t":
            step = await quiz.start_training(member.id, tap.quiz_id, now)
        elif tap.part == "e":
            step = await quiz.start_exam(member.id, tap.quiz_id, now, _RNG)
        else:
            raise BadCallback()
    except UserError as refused:
        if isinstance(refused, BadCallback) or refused.key == "quiz.not_found":
            raise
        text = t(refused.key, **render_params(t, refused.params))
        await stop_spinner(query, text[:200])
        status = await quiz.quiz_status(member.id, tap.quiz_id, now)
        await send_screen(update, quiz_screen(t, status, notice=text))
        return
    await stop_spinner(query)
    await _show(update, context, step, pressed)


async def answer_button(update: Update, context: GigContext) -> None:
    """A label tap (or Done for multi-label) on the current question."""
    query = require(update.callback_query)
    tap = QuizTap.parse(query.data)
    member, now = context.member, context.clock.now()
    if tap.multi:
        step = await quiz.answer_labels(member.id, tap.attempt_id, tap.step, tap.choice, now)
    else:
        step = await quiz.answer_choice(member.id, tap.attempt_id, tap.step, tap.choice, now)
    if step.replay:
        await stop_spinner(query, context.t("quiz.step_done"))
        return
    await stop_spinner(query)
    await _show(update, context, step, query.message if isinstance(query.message, Message)
                else None)


async def toggle_button(update: Update, context: GigContext) -> None:
    """A multi-label toggle: only the buttons change (the chosen set rides on their data)."""
    query = require(update.callback_query)
    tap = QuizToggle.parse(query.data)
    q = await quiz.current_question(context.member.id, tap.attempt_id, tap.step)
    if not 0 <= tap.mask < 1 << len(q.labels):
        raise BadCallback()
    await stop_spinner(query)
    markup = question_keyboard(context.t, q, tap.mask)
    if isinstance(markup, InlineKeyboardMarkup) and isinstance(query.message, Message):
        await query.message.edit_reply_markup(reply_markup=markup)


async def typed_answer(update: Update, context: GigContext) -> None:
    """A reply to a transcription question: the answer to the newest question."""
    message = require(update.message)
    prompt = require(message.reply_to_message)
    step = await quiz.answer_text(context.member.id, prompt.message_id, require(message.text),
                                  context.clock.now())
    if step is None:
        await message.reply_text(context.t("quiz.stale_reply"))
        return
    if step.replay:
        return
    await _show(update, context, step, None)


async def invitation_hook(update: Update, context: GigContext) -> None:
    """Group 1: after /start p_<slug> (or sign-up that followed it), lead to the project's quiz."""
    member = context.member_or_none
    if member is None or not member.onboarded:
        return
    first_contact = update.callback_query is not None  # the end of sign-up: show it once
    status = await quiz.invitation(member.id, member.start_param, context.clock.now(),
                                   first_contact=first_contact)
    if status is not None:
        await send_screen(update, quiz_screen(context.t, status))


def register(app: GigApp) -> None:
    """Add the quiz handlers (group 0) and the deep-link hook (group 1)."""
    app.add_handler(CommandHandler("quiz", quiz_command))
    app.add_handler(CallbackQueryHandler(quiz_button, pattern=QuizOpen.pattern()))
    app.add_handler(CallbackQueryHandler(answer_button, pattern=QuizTap.pattern()))
    app.add_handler(CallbackQueryHandler(toggle_button, pattern=QuizToggle.pattern()))
    app.add_handler(MessageHandler(QUESTION_PROMPT, typed_answer))
    app.add_handler(CommandHandler("start", invitation_hook, has_args=True), group=HOOK_GROUP)
    app.add_handler(CallbackQueryHandler(invitation_hook, pattern=PickZone.pattern()),
                    group=HOOK_GROUP)

