"""Suspensions and appeals in chat: the Appeal button and text, the admins' Approve / Reject,
``/suspend`` and ``/appeals`` for admins.

``suspension_screen(t, suspension)`` renders a suspension with its Appeal button for any handler
(the task engine shows it when a suspended worker asks for work). The worker's text is asked with
a ForceReply prompt that names the case (``appeal.prompt``); every admin then gets the case with
Approve / Reject. Reject asks the admin for an optional note the same way
(``appeal.reject_prompt``), or rejects at once with the button under the case. Every admin
button and command checks again that the presser is an admin.
"""

from __future__ import annotations

import datetime as dt
import logging

from telegram import ForceReply, InlineKeyboardMarkup, Message, Update
from telegram.error import BadRequest, Forbidden
from telegram.ext import CallbackQueryHandler, CommandHandler, ExtBot, MessageHandler

from gigbot.callbacks import AppealDecide, AppealOpen
from gigbot.context import GigApp, GigContext
from gigbot.errors import UserError
from gigbot.handlers.common import require, send_notices, send_screen, stop_spinner
from gigbot.handlers.quiz_views import PromptMatch
from gigbot.handlers.views import Button, Screen, keyboard
from gigbot.i18n import Translator
from gigbot.members.admins import is_admin
from gigbot.members.service import mark_blocked
from gigbot.notices import render_params
from gigbot.quality import appeals
from gigbot.quality.appeals import AppealCase, Decided, Recipient
from gigbot.quality.states import AppealStatus
from gigbot.quality.suspensions import ActiveSuspension

__all__ = ["case_screen", "register", "suspension_screen", "suspension_text"]

log = logging.getLogger(__name__)
APPEAL_PROMPT = PromptMatch("appeal.prompt")
NOTE_PROMPT = PromptMatch("appeal.reject_prompt")


def _reason(t: Translator, key: str, params: dict[str, object]) -> str:
    if not key:
        return "—"
    try:
        return t(key, **render_params(t, params))
    except (KeyError, IndexError, ValueError):
        log.warning("no usable text for suspension reason %s", key)
        return key


def _until(t: Translator, ends_at: dt.datetime | None) -> str:
    if ends_at is not None:
        return t("suspension.until", when=t.when(ends_at, fmt="short"))
    return t("suspension.until_admin")


def suspension_text(t: Translator, s: ActiveSuspension) -> str:
    """Where, why and until when, in the reader's language and zone."""
    scope = (t("suspension.project", project=t.pick(s.project_title)) if s.project_title
             else t("suspension.everywhere"))
    return "\n".join([
        scope,
        t("suspension.reason_line", reason=_reason(t, s.reason_key, s.reason_params)),
        _until(t, s.ends_at),
        "",
        t("suspension.appeal_hint"),
    ])


def suspension_screen(t: Translator, s: ActiveSuspension) -> tuple[str, InlineKeyboardMarkup]:
    """A suspension with its Appeal button (for any handler that meets one)."""
    return suspension_text(t, s), keyboard([[(t("suspension.button.appeal"), AppealOpen(s.id))]])


def case_screen(t: Translator, case: AppealCase, *, outcome: str | None = None) -> Screen:
    """An appeal as admins see it; with Approve / Reject while it is open."""
    scope = (t("appeal.case_project", project=t.pick(case.project)) if case.project
             else t("appeal.case_everywhere"))
    lines = [
        t("appeal.case_header", id=case.id, worker=case.worker_pseudonym,
          tg_id=case.worker_tg_id or "—"),
        scope,
        t("suspension.reason_line", reason=_reason(t, case.reason_key, case.reason_params)),
        _until(t, case.ends_at),
        "",
        t("appeal.case_text", text=case.text),
    ]
    if outcome:
        lines += ["", outcome]
        return Screen("\n".join(lines))
    rows: list[list[Button]] = [[
        (t("appeal.button.approve"), AppealDecide(case.id, 1)),
        (t("appeal.button.reject"), AppealDecide(case.id, 0)),
    ]]
    return Screen("\n".join(lines), keyboard(rows))


def _outcome(t: Translator, case: AppealCase) -> str:
    admin = case.decided_by or "—"
    if case.status == AppealStatus.UPHELD:
        return t("appeal.approved_by", admin=admin)
    text = t("appeal.rejected_by", admin=admin)
    if case.decision_note:
        text += "\n" + t("appeal.rejected_note", note=case.decision_note)
    return text


async def _send_to(bot: ExtBot[None], to: Recipient, text: str,
                   markup: InlineKeyboardMarkup | None, context: GigContext) -> bool:
    try:
        await bot.send_message(to.chat_id, text, reply_markup=markup)
        return True
    except Forbidden:
        await mark_blocked(to.chat_id, now=context.clock.now())
    except BadRequest as exc:
        log.warning("message to %s not delivered: %s", to.chat_id, exc)
    return False


# ----- the worker's side ----------------------------------------------------------------------


async def appeal_button(update: Update, context: GigContext) -> None:
    """Appeal under a suspension: ask for the worker's words (ForceReply naming the case)."""
    query = require(update.callback_query)
    tap = AppealOpen.parse(query.data)
    await appeals.check_appealable(context.member.id, tap.suspension_id, context.clock.now())
    await stop_spinner(query)
    t = context.t
    await require(update.effective_chat).send_message(
        t("appeal.prompt", id=tap.suspension_id),
        reply_markup=ForceReply(input_field_placeholder=t("suspension.button.appeal")),
    )


async def appeal_text(update: Update, context: GigContext) -> None:
    """The worker's reply to the prompt: the appeal goes to every admin (once)."""
    message = require(update.message)
    suspension_id = require(APPEAL_PROMPT.prompt_id(message.reply_to_message))
    filed = await appeals.file_appeal(context.member.id, suspension_id, require(message.text),
                                      context.clock.now(), context.settings)
    t = context.t
    await message.reply_text(t("appeal.sent" if filed.created else "appeal.already_open"))
    for admin in filed.admins:
        reader = Translator(admin.lang, admin.tz, context.settings.currency)
        screen = case_screen(reader, filed.case)
        await _send_to(context.bot, admin, screen.text, screen.keyboard, context)


# ----- the admins' side -----------------------------------------------------------------------


async def _require_admin(update: Update, context: GigContext) -> int:
    user = require(update.effective_user)
    if not await is_admin(user.id, context.settings):
        raise UserError("appeal.not_admin")
    return user.id


async def _after_decision(update: Update, context: GigContext, decided: Decided,
                          message: Message | None) -> None:
    t = context.t
    screen = case_screen(t, decided.case, outcome=_outcome(t, decided.case))
    if message is not None and message.text is not None:
        try:
            await message.edit_text(screen.text)
        except BadRequest as exc:
            if "not modified" not in str(exc).lower():
                raise
    else:
        await send_screen(update, screen)
    if decided.worker_notice is not None:
        await send_notices(context.bot, [decided.worker_notice], context.settings)


async def decide_button(update: Update, context: GigContext) -> None:
    """Approve (1), Reject (0: ask for a note), or reject without a note (2)."""
    query = require(update.callback_query)
    tap = AppealDecide.parse(query.data)
    admin = await _require_admin(update, context)
    t = context.t
    pressed = query.message if isinstance(query.message, Message) else None
    if tap.uphold == 0:
        case = await appeals.get_case(tap.appeal_id)
        if case.status != AppealStatus.OPEN:
            await stop_spinner(query, t("appeal.decided_already"))
            return
        await stop_spinner(query)
        if pressed is not None:
            rows: list[list[Button]] = [
                [(t("appeal.button.approve"), AppealDecide(case.id, 1))],
                [(t("appeal.button.send_plain"), AppealDecide(case.id, 2))],
            ]
            await pressed.edit_reply_markup(reply_markup=keyboard(rows))
        await require(update.effective_chat).send_message(
            t("appeal.reject_prompt", id=case.id), reply_markup=ForceReply()
        )
        return
    if tap.uphold not in (1, 2):
        raise UserError("errors.bad_button")
    decided = await appeals.decide_appeal(tap.appeal_id, admin, uphold=tap.uphold == 1,
                                          note=None, now=context.clock.now(),
                                          settings=context.settings)
    await stop_spinner(query, None if decided.changed else t("appeal.decided_already"))
    await _after_decision(update, context, decided, pressed)


async def note_text(update: Update, context: GigContext) -> None:
    """An admin's reply to the note prompt: reject with that note."""
    message = require(update.message)
    admin = await _require_admin(update, context)
    appeal_id = require(NOTE_PROMPT.prompt_id(message.reply_to_message))
    decided = await appeals.decide_appeal(appeal_id, admin, uphold=False, note=message.text,
                                          now=context.clock.now(), settings=context.settings)
    if not decided.changed:
        await message.reply_text(context.t("appeal.decided_already"))
        return
    await _after_decision(update, context, decided, None)


async def appeals_command(update: Update, context: GigContext) -> None:
    """/appeals (admins): the open cases, one message each with its buttons."""
    await _require_admin(update, context)
    cases = await appeals.open_cases()
    if not cases:
        await send_screen(update, Screen(context.t("appeal.queue_empty")))
    for case in cases:
        await send_screen(update, case_screen(context.t, case))


async def suspend_command(update: Update, context: GigContext) -> None:
    """/suspend <tg id> <project slug|all> <days|0> <reason>: an admin suspends a worker."""
    admin = await _require_admin(update, context)
    t = context.t
    args = context.args or []
    if len(args) < 4 or not args[0].isdigit() or not args[2].lstrip("-").isdigit():
        await send_screen(update, Screen(t("suspension.admin.usage")))
        return
    target, scope, days = int(args[0]), args[1], int(args[2])
    done = await appeals.admin_suspend(
        admin, target, None if scope.lower() == "all" else scope, days, " ".join(args[3:]),
        now=context.clock.now(), settings=context.settings,
    )
    sid = done.suspension.id
    if not done.created:
        await send_screen(update, Screen(t("suspension.admin.already", id=target, sid=sid)))
        return
    told = False
    if done.worker is not None:
        reader = Translator(done.worker.lang, done.worker.tz, context.settings.currency)
        text, markup = suspension_screen(reader, done.suspension)
        told = await _send_to(context.bot, done.worker, text, markup, context)
    key = "suspension.admin.done" if told else "suspension.admin.done_untold"
    await send_screen(update, Screen(t(key, id=target, sid=sid)))


def register(app: GigApp) -> None:
    """Add the appeal and suspension handlers (group 0)."""
    app.add_handler(CallbackQueryHandler(appeal_button, pattern=AppealOpen.pattern()))
    app.add_handler(CallbackQueryHandler(decide_button, pattern=AppealDecide.pattern()))
    app.add_handler(MessageHandler(APPEAL_PROMPT, appeal_text))
    app.add_handler(MessageHandler(NOTE_PROMPT, note_text))
    app.add_handler(CommandHandler("suspend", suspend_command))
    app.add_handler(CommandHandler("appeals", appeals_command))
