"""/review in chat: reviewers and admins decide pending answers of ``review`` projects.

/review sends the oldest answer the presser may decide (the item as the task engine sends it,
text or media, and the answer) with Accept / Reject; Reject turns the keyboard into the
reasons, each rejecting at once or asking for a note first (a ForceReply prompt per reason).
After a decision the buttons go and the next card comes, or "nothing to review". The buttons
carry a tag of (answer, presser); the service checks the reviewer and decides once.
"""

from __future__ import annotations

import logging

from telegram import CallbackQuery, ForceReply, Update
from telegram.error import BadRequest
from telegram.ext import CallbackQueryHandler, CommandHandler, MessageHandler

from gigbot.callbacks import ReviewTap, review_key, task_tag_ok
from gigbot.context import GigApp, GigContext
from gigbot.errors import BadCallback
from gigbot.handlers.common import require, send_notices, stop_spinner
from gigbot.handlers.review_views import (
    ANY_NOTE_PROMPT,
    card_screen,
    decision_keyboard,
    note_prompt_of,
    reason_at,
    reasons_keyboard,
)
from gigbot.handlers.tasks import send_media_item
from gigbot.payouts import review
from gigbot.payouts.review import Outcome, Reviewed, Reviewer

__all__ = ["register"]

log = logging.getLogger(__name__)
_KEY = "review.key"


def _key(context: GigContext) -> bytes:
    key = context.bot_data.get(_KEY)
    if key is None:
        key = context.bot_data[_KEY] = review_key(context.settings.token)
    return bytes(key)


def _reviewer(context: GigContext) -> Reviewer:
    return Reviewer(context.member.id, context.member.tg_id)


async def _send_next(update: Update, context: GigContext) -> None:
    """Send the next card, or say there is nothing to review."""
    chat_id = require(update.effective_chat).id
    card = await review.next_card(_reviewer(context), settings=context.settings,
                                  now=context.clock.now())
    if card is None:
        await context.bot.send_message(chat_id, context.t("review.nothing"))
        return
    screen = card_screen(context.t, card, _key(context), context.member.tg_id)
    if card.image is None and card.audio is None:
        await context.bot.send_message(chat_id, screen.text, reply_markup=screen.keyboard,
                                       protect_content=True)
        return
    await send_media_item(context, chat_id, card.image or card.audio or "",
                          image=card.image is not None, screen=screen)


async def review_command(update: Update, context: GigContext) -> None:
    """/review: the next answer to review."""
    await _send_next(update, context)


async def _disarm(query: CallbackQuery) -> None:
    try:  # the decided card keeps its text and loses its buttons
        await query.edit_message_reply_markup(None)
    except BadRequest as exc:  # gone or unchanged already
        log.debug("review card not disarmed: %s", exc)


def _said(context: GigContext, done: Reviewed, reason: str | None) -> str:
    if done.outcome is Outcome.ALREADY:
        return context.t("review.decided_already")
    if reason is None:
        return context.t("review.accepted")
    return context.t("review.rejected", reason=context.t(f"acceptance.reason.{reason}"))


async def _before_deciding(update: Update, context: GigContext, tap: ReviewTap) -> None:
    """Reject shows the reasons, Back the decision again, a note button asks for the note."""
    query, t = require(update.callback_query), context.t
    who = _reviewer(context)
    card = await review.check_card(who, tap.answer_id, settings=context.settings,
                                   now=context.clock.now())
    await stop_spinner(query)
    if tap.action == "n":
        await require(update.effective_chat).send_message(
            t(f"review.note_prompt.{reason_at(tap.reason)}", id=tap.answer_id),
            reply_markup=ForceReply())
        return
    build = reasons_keyboard if tap.action == "no" else decision_keyboard
    await query.edit_message_reply_markup(build(t, card, _key(context), who.tg_id))


async def _after(update: Update, context: GigContext, done: Reviewed) -> None:
    """The worker's notice (a rejection), then the reviewer's next card."""
    await send_notices(context.bot, [done.notice] if done.notice else [], context.settings)
    await _send_next(update, context)


async def review_button(update: Update, context: GigContext) -> None:
    """Accept or a reason decide; Reject, Back and the note buttons come before deciding."""
    query = require(update.callback_query)
    tap = ReviewTap.parse(query.data)
    if not task_tag_ok(_key(context), tap.answer_id, require(update.effective_user).id, tap.tag):
        raise BadCallback()
    if tap.action in ("no", "back", "n"):
        await _before_deciding(update, context, tap)
        return
    if tap.action not in ("ok", "r"):
        raise BadCallback()
    reason = reason_at(tap.reason) if tap.action == "r" else None
    done = await review.decide(_reviewer(context), tap.answer_id, reason=reason,
                               settings=context.settings, now=context.clock.now())
    await stop_spinner(query, _said(context, done, reason))
    await _disarm(query)
    await _after(update, context, done)


async def note_text(update: Update, context: GigContext) -> None:
    """A reviewer's reply to a note prompt: reject with that reason and note."""
    message = require(update.message)
    reason, answer_id = require(note_prompt_of(message.reply_to_message))
    done = await review.decide(_reviewer(context), answer_id, reason=reason, note=message.text,
                               settings=context.settings, now=context.clock.now())
    await message.reply_text(_said(context, done, reason))
    await _after(update, context, done)


def register(app: GigApp) -> None:
    """Add /review, its buttons and the note prompts (group 0)."""
    app.add_handler(CommandHandler("review", review_command))
    app.add_handler(CallbackQueryHandler(review_button, pattern=ReviewTap.pattern()))
    app.add_handler(MessageHandler(ANY_NOTE_PROMPT, note_text))
