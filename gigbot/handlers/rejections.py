"""Rejected answers in chat: the worker's Appeal, the admins' Uphold / Refuse (with a reason),
and the job that accepts answers left undecided for seven days.

The rejection notice itself is sent with the answer's other notices (``send_notices``). Appeal
asks for the worker's words with a ForceReply prompt naming the answer; every admin then gets
the case with Uphold / Refuse. Refuse asks the admin why the same way. Every admin button
checks again that the presser is an admin (in the service).
"""

from __future__ import annotations

import datetime as dt
import logging

from telegram import ForceReply, Message, Update
from telegram.error import TelegramError
from telegram.ext import CallbackQueryHandler, MessageHandler

from gigbot.callbacks import RejectionAppeal, RejectionDecide
from gigbot.context import GigApp, GigContext
from gigbot.errors import BadCallback
from gigbot.handlers.common import require, send_notices, send_screen, stop_spinner
from gigbot.handlers.quiz_views import PromptMatch
from gigbot.handlers.views import Button, Screen, keyboard
from gigbot.i18n import Translator
from gigbot.members.admins import is_admin
from gigbot.payouts import acceptance, rejections
from gigbot.payouts.rejections import RejectionCase
from gigbot.quality.appeals import admin_recipients
from gigbot.quality.states import AppealStatus

__all__ = ["register"]

log = logging.getLogger(__name__)
APPEAL_PROMPT = PromptMatch("rejection.prompt")
REFUSE_PROMPT = PromptMatch("rejection.refuse_prompt")
OVERDUE_EVERY = dt.timedelta(hours=1)


def case_screen(t: Translator, case: RejectionCase) -> Screen:
    """An answer's appeal as admins see it; Uphold / Refuse while it is open."""
    reason = t(f"acceptance.reason.{case.reason}") if case.reason else "—"
    text = t("rejection.case", id=case.appeal.id, worker=case.worker_pseudonym,
             tg_id=case.worker_tg_id or "—", project=t.pick(case.project), item=case.item,
             answer=case.answer, reason=reason, text=case.appeal.text)
    if case.appeal.status is not AppealStatus.OPEN:
        key = "rejection.upheld_by" if case.appeal.status is AppealStatus.UPHELD \
            else "rejection.refused_by"
        return Screen(text + "\n\n" + t(key, admin=case.appeal.decided_by or "—"))
    appeal_id = case.appeal.id
    rows: list[list[Button]] = [[(t("rejection.button.uphold"), RejectionDecide(appeal_id, 1)),
                                 (t("rejection.button.refuse"), RejectionDecide(appeal_id, 0))]]
    return Screen(text, keyboard(rows))


async def appeal_button(update: Update, context: GigContext) -> None:
    """Appeal under a rejection: ask for the worker's words."""
    query = require(update.callback_query)
    tap = RejectionAppeal.parse(query.data)
    await rejections.check_appealable(context.member.id, tap.answer_id, context.clock.now())
    await stop_spinner(query)
    await require(update.effective_chat).send_message(
        context.t("rejection.prompt", id=tap.answer_id), reply_markup=ForceReply())


async def appeal_text(update: Update, context: GigContext) -> None:
    """The worker's reply: the appeal goes to every admin (once)."""
    message = require(update.message)
    answer_id = require(APPEAL_PROMPT.prompt_id(message.reply_to_message))
    case, created = await rejections.file_appeal(context.member.id, answer_id,
                                                 require(message.text), context.clock.now())
    await message.reply_text(context.t("rejection.sent" if created else "rejection.already"))
    if not created:
        return
    for admin in await admin_recipients(context.settings):
        screen = case_screen(Translator(admin.lang, admin.tz, context.settings.currency), case)
        try:
            await context.bot.send_message(admin.chat_id, screen.text,
                                           reply_markup=screen.keyboard)
        except TelegramError as exc:
            log.warning("appeal %s not delivered to an admin: %s", case.appeal.id,
                        type(exc).__name__)


async def _decided(update: Update, context: GigContext, appeal_id: int, *, uphold: bool,
                   note: str | None, message: Message | None) -> None:
    case, changed, notice = await rejections.decide(
        appeal_id, require(update.effective_user).id, uphold=uphold, note=note,
        now=context.clock.now(), settings=context.settings)
    if update.callback_query is not None:
        await stop_spinner(update.callback_query,
                           None if changed else context.t("rejection.decided_already"))
    elif not changed:
        await send_screen(update, Screen(context.t("rejection.decided_already")))
        return
    screen = case_screen(context.t, case)
    if message is not None:
        try:
            await message.edit_text(screen.text)
        except TelegramError as exc:
            log.info("appeal message not edited: %s", type(exc).__name__)
    else:
        await send_screen(update, screen)
    if notice is not None:
        await send_notices(context.bot, [notice], context.settings)


async def decide_button(update: Update, context: GigContext) -> None:
    """Uphold (1) at once; Refuse (0) asks the admin why."""
    query = require(update.callback_query)
    tap = RejectionDecide.parse(query.data)
    pressed = query.message if isinstance(query.message, Message) else None
    if tap.uphold == 1:
        await _decided(update, context, tap.appeal_id, uphold=True, note=None, message=pressed)
        return
    if tap.uphold != 0 or not await is_admin(require(update.effective_user).id,
                                             context.settings):
        raise BadCallback()
    await stop_spinner(query)
    await require(update.effective_chat).send_message(
        context.t("rejection.refuse_prompt", id=tap.appeal_id), reply_markup=ForceReply())


async def refuse_text(update: Update, context: GigContext) -> None:
    """An admin's reply to the refuse prompt: refuse with that reason."""
    message = require(update.message)
    appeal_id = require(REFUSE_PROMPT.prompt_id(message.reply_to_message))
    await _decided(update, context, appeal_id, uphold=False, note=message.text, message=None)


async def accept_overdue_job(context: GigContext) -> None:
    """Hourly: answers undecided for seven days are accepted (state in the database)."""
    await acceptance.accept_overdue(context.clock.now())


def register(app: GigApp) -> None:
    """Add the appeal buttons and prompts (group 0) and the hourly acceptance job."""
    app.add_handler(CallbackQueryHandler(appeal_button, pattern=RejectionAppeal.pattern()))
    app.add_handler(CallbackQueryHandler(decide_button, pattern=RejectionDecide.pattern()))
    app.add_handler(MessageHandler(APPEAL_PROMPT, appeal_text))
    app.add_handler(MessageHandler(REFUSE_PROMPT, refuse_text))
    if app.job_queue is not None:
        app.job_queue.run_repeating(accept_overdue_job, interval=OVERDUE_EVERY, first=60,
                                    name="accept-overdue",
                                    job_kwargs={"misfire_grace_time": 300, "coalesce": True})
