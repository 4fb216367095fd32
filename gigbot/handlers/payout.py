"""/payout in chat: the offer, a typed amount, the account details, the quote and its Confirm;
the admins' Approve / Reject (reason) / Mark paid.

Typed input comes as a reply to a ForceReply prompt (``payout.amount_prompt``,
``payout.account_prompt``, ``payout.admin.reason_prompt``), so no conversation state is kept in
memory. Every admin button checks again that the presser is an admin (in the service).
"""

from __future__ import annotations

import logging

from telegram import ForceReply, Message, Update
from telegram.error import TelegramError
from telegram.ext import CallbackQueryHandler, CommandHandler, MessageHandler

from gigbot.callbacks import PayoutAction, PayoutDecide
from gigbot.context import GigApp, GigContext
from gigbot.errors import BadCallback
from gigbot.handlers.common import (
    edit_screen,
    require,
    send_notices,
    send_screen,
    stop_spinner,
)
from gigbot.handlers.money_views import offer_screen, quote_screen, request_screen
from gigbot.handlers.quiz_views import PromptMatch
from gigbot.handlers.views import Screen
from gigbot.i18n import Translator
from gigbot.members.admins import is_admin
from gigbot.payouts import accounts, payouts
from gigbot.payouts.payouts import Decision
from gigbot.quality.appeals import admin_recipients

__all__ = ["register"]

log = logging.getLogger(__name__)
AMOUNT_PROMPT = PromptMatch("payout.amount_prompt")
ACCOUNT_PROMPT = PromptMatch("payout.account_prompt")
REASON_PROMPT = PromptMatch("payout.admin.reason_prompt")


async def payout_command(update: Update, context: GigContext) -> None:
    """/payout (offer) or /payout AMOUNT (a quote for that amount at once)."""
    now, settings = context.clock.now(), context.settings
    if context.args:
        amount = payouts.parse_amount(" ".join(context.args))
        q = await payouts.quote(context.member.id, amount, now=now, settings=settings)
        await send_screen(update, quote_screen(context.t, q))
        return
    offer = await payouts.offer(context.member.id, now=now, settings=settings)
    await send_screen(update, offer_screen(context.t, offer))


async def _prompt(update: Update, text: str) -> None:
    await require(update.effective_chat).send_message(text, reply_markup=ForceReply())


async def payout_button(update: Update, context: GigContext) -> None:
    """Withdraw all, Other amount, Account details, Confirm, Cancel."""
    query = require(update.callback_query)
    tap = PayoutAction.parse(query.data)
    t, now, settings, worker = context.t, context.clock.now(), context.settings, context.member.id
    if tap.action == "all":
        q = await payouts.quote(worker, None, now=now, settings=settings)
        await stop_spinner(query)
        await edit_screen(query, quote_screen(t, q))
    elif tap.action == "amt":
        await stop_spinner(query)
        await _prompt(update, t("payout.amount_prompt"))
    elif tap.action == "acct":
        await stop_spinner(query)
        await _prompt(update, t("payout.account_prompt"))
    elif tap.action == "ok":
        done = await payouts.confirm(worker, tap.request_id, now=now, settings=settings)
        await stop_spinner(query, None if done.changed else t("payout.confirmed_already"))
        await edit_screen(query, Screen(t("payout.requested", id=done.request.id,
                                          net=t.money(done.request.net))))
        if done.changed:
            await _tell_admins(context, done)
    elif tap.action == "no":
        await payouts.cancel(worker, tap.request_id)
        await stop_spinner(query)
        await edit_screen(query, Screen(t("payout.cancelled")))
    else:
        raise BadCallback()


async def amount_text(update: Update, context: GigContext) -> None:
    """The reply to the amount prompt: a quote for it."""
    message = require(update.message)
    amount = payouts.parse_amount(require(message.text))
    q = await payouts.quote(context.member.id, amount, now=context.clock.now(),
                            settings=context.settings)
    await send_screen(update, quote_screen(context.t, q))


async def account_text(update: Update, context: GigContext) -> None:
    """The reply to the account prompt: stored encrypted, shown masked."""
    message = require(update.message)
    account = await accounts.save_account(context.member.id, require(message.text),
                                          now=context.clock.now(), settings=context.settings)
    await message.reply_text(context.t("payout.account_saved", account=account.masked))
    try:  # the number stays out of the chat's history where the bot can remove it
        await message.delete()
    except TelegramError as exc:
        log.info("account message not deleted: %s", type(exc).__name__)


async def _tell_admins(context: GigContext, done: Decision) -> None:
    for admin in await admin_recipients(context.settings):
        reader = Translator(admin.lang, admin.tz, context.settings.currency)
        screen = request_screen(reader, done.request)
        try:
            await context.bot.send_message(admin.chat_id, screen.text,
                                           reply_markup=screen.keyboard)
        except TelegramError as exc:  # one admin unreachable must not stop the others
            log.warning("payout request %s not delivered to an admin: %s", done.request.id,
                        type(exc).__name__)


async def _after(update: Update, context: GigContext, done: Decision,
                 message: Message | None) -> None:
    screen = request_screen(context.t, done.request)
    if message is not None:
        try:
            await message.edit_text(screen.text, reply_markup=screen.keyboard)
        except TelegramError as exc:
            log.info("request message not edited: %s", type(exc).__name__)
    else:
        await send_screen(update, screen)
    if done.worker_notice is not None:
        await send_notices(context.bot, [done.worker_notice], context.settings)


async def decide_button(update: Update, context: GigContext) -> None:
    """Approve (1), Reject (0: ask a reason), reject now (2), Mark paid (3)."""
    query = require(update.callback_query)
    tap = PayoutDecide.parse(query.data)
    admin, now, settings, t = require(update.effective_user).id, context.clock.now(), \
        context.settings, context.t
    pressed = query.message if isinstance(query.message, Message) else None
    if tap.action == 0:
        if not await is_admin(admin, settings):
            raise BadCallback()
        await stop_spinner(query)
        await _prompt(update, t("payout.admin.reason_prompt", id=tap.request_id))
        return
    if tap.action == 1:
        done = await payouts.approve(tap.request_id, admin, now=now, settings=settings)
    elif tap.action == 2:
        done = await payouts.reject(tap.request_id, admin, None, now=now, settings=settings)
    elif tap.action == 3:
        if not await is_admin(admin, settings):
            raise BadCallback()
        done = await payouts.mark_paid(tap.request_id, by=f"admin:{admin}", now=now)
    else:
        raise BadCallback()
    await stop_spinner(query, None if done.changed else t("payout.admin.decided_already"))
    await _after(update, context, done, pressed)


async def reason_text(update: Update, context: GigContext) -> None:
    """An admin's reply to the reason prompt: reject with that reason."""
    message = require(update.message)
    request_id = require(REASON_PROMPT.prompt_id(message.reply_to_message))
    done = await payouts.reject(request_id, require(update.effective_user).id, message.text,
                                now=context.clock.now(), settings=context.settings)
    if not done.changed:
        await message.reply_text(context.t("payout.admin.decided_already"))
        return
    await _after(update, context, done, None)


def register(app: GigApp) -> None:
    """Add /payout, its buttons and prompts, and the admins' buttons (group 0)."""
    app.add_handler(CommandHandler("payout", payout_command))
    app.add_handler(CallbackQueryHandler(payout_button, pattern=PayoutAction.pattern()))
    app.add_handler(CallbackQueryHandler(decide_button, pattern=PayoutDecide.pattern()))
    app.add_handler(MessageHandler(AMOUNT_PROMPT, amount_text))
    app.add_handler(MessageHandler(ACCOUNT_PROMPT, account_text))
    app.add_handler(MessageHandler(REASON_PROMPT, reason_text))
