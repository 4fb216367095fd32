"""/profile, and the Accept / Decline buttons of the reviewer offer (sent by the quality rules)."""

from __future__ import annotations

from telegram import Message, Update
from telegram.ext import CallbackQueryHandler, CommandHandler

from gigbot.callbacks import ReviewerChoice
from gigbot.context import GigApp, GigContext
from gigbot.handlers.common import require, send_screen, stop_spinner
from gigbot.handlers.quiz_views import profile_screen
from gigbot.qualification.offers import OfferOutcome, accept_reviewer, decline_reviewer
from gigbot.quality.profile import profile

__all__ = ["register"]

_OUTCOME_KEYS = {
    OfferOutcome.ACCEPTED: "stage.reviewer_accepted",
    OfferOutcome.DECLINED: "stage.reviewer_declined",
    OfferOutcome.ALREADY_REVIEWER: "stage.already_reviewer",
    OfferOutcome.ALREADY_DECLINED: "stage.already_declined",
    OfferOutcome.NOT_OFFERED: "stage.offer_gone",
}


async def profile_command(update: Update, context: GigContext) -> None:
    """/profile: stage and accuracy per project, quiz attempts, suspensions."""
    data = await profile(context.member.id, context.clock.now())
    await send_screen(update, profile_screen(context.t, data))


async def reviewer_button(update: Update, context: GigContext) -> None:
    """Accept or Decline under the reviewer offer; a second press only says what holds."""
    query = require(update.callback_query)
    choice = ReviewerChoice.parse(query.data)
    decide = accept_reviewer if choice.accept else decline_reviewer
    result = await decide(context.member.id, choice.project_id, context.clock.now())
    t = context.t
    text = t(_OUTCOME_KEYS[result.outcome], project=t.pick(result.project))
    await stop_spinner(query, text[:200])
    first = result.outcome in (OfferOutcome.ACCEPTED, OfferOutcome.DECLINED)
    if first and isinstance(query.message, Message):  # the offer's buttons go away
        await query.message.edit_text(text)


def register(app: GigApp) -> None:
    """Add /profile and the reviewer offer buttons (group 0)."""
    app.add_handler(CommandHandler("profile", profile_command))
    app.add_handler(CallbackQueryHandler(reviewer_button, pattern=ReviewerChoice.pattern()))
