"""What every update goes through, and helpers every handler module uses.

Group -2 ``SeenUpdates.drop_repeats`` drops an update whose id was already handled (Telegram
redelivers after a lost confirmation). Group -1 ``load_actor`` creates or refreshes the member,
sets ``context.member``/``context.t`` and gates members who have not finished signing up: /start,
/help, /deleteme and the sign-up buttons pass, text on the time-zone step is taken as the zone,
anything else shows the step they are on again. ``error_handler`` turns ``UserError`` into a
reply or toast in the user's language, marks users who blocked the bot, logs anything else with
the update id, and stops the update so that it is answered once.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import Iterable
from typing import Any, TypeVar

from telegram import CallbackQuery, Message, Update
from telegram.constants import ChatMemberStatus, ChatType
from telegram.error import BadRequest, Forbidden, TelegramError
from telegram.ext import Application, ApplicationHandlerStop, ExtBot

from gigbot.clock import SYSTEM_CLOCK
from gigbot.config import Settings
from gigbot.context import GigContext
from gigbot.errors import UserError
from gigbot.handlers.views import Screen, menu_screen, notice_keyboard, step_screen, zone_name
from gigbot.i18n import Translator, lang_of
from gigbot.members.service import (
    Member,
    Step,
    choose_zone,
    invited_project,
    mark_blocked,
    member_by_tg,
    touch,
)
from gigbot.metrics import UPDATES
from gigbot.notices import Notice, render_params

__all__ = [
    "SeenUpdates",
    "command_of",
    "edit_screen",
    "error_handler",
    "handled_before",
    "load_actor",
    "require",
    "send_menu",
    "send_notices",
    "send_screen",
    "stop_spinner",
    "update_kind",
]

log = logging.getLogger(__name__)
_KINDS = ("message", "callback_query", "edited_message", "my_chat_member", "inline_query")
_T = TypeVar("_T")

# What a member who has not finished onboarding may still do.
_OPEN_COMMANDS = frozenset({"start", "help", "deleteme"})
_OPEN_PREFIXES = frozenset({"lang", "terms", "tz", "del"})


def require(value: _T | None) -> _T:
    """``value``, which the handler's filter guarantees; a clear error if it is missing."""
    if value is None:
        raise RuntimeError("an update field the handler relies on is missing")
    return value


def handled_before(app: Application[Any, Any, Any, Any, Any, Any], update: Update,
                   group: int) -> bool:
    """True when a handler of a group from 0 up to, not including, ``group`` takes ``update``."""
    for number, handlers in app.handlers.items():
        if 0 <= number < group:
            for handler in handlers:
                check = handler.check_update(update)
                if check is not None and check is not False:
                    return True
    return False


def command_of(message: Message | None) -> str | None:
    """The bot command a message starts with (``/Start@bot x`` gives ``start``), else None."""
    text = message.text if message is not None else None
    if not text or not text.startswith("/"):
        return None
    return text.split(maxsplit=1)[0][1:].split("@", 1)[0].lower() or None


class SeenUpdates:
    """A bounded LRU of update ids: the same update delivered twice is handled once."""

    __slots__ = ("_ids", "_size")

    def __init__(self, size: int = 10_000) -> None:
        self._ids: OrderedDict[int, None] = OrderedDict()
        self._size = size

    def first_time(self, update_id: int) -> bool:
        """True the first time an id is seen (and remembers it)."""
        if update_id in self._ids:
            self._ids.move_to_end(update_id)
            return False
        self._ids[update_id] = None
        if len(self._ids) > self._size:
            self._ids.popitem(last=False)
        return True

    async def drop_repeats(self, update: Update, _: GigContext) -> None:
        """Group -2: stop a redelivered update before any handler sees it."""
        if not self.first_time(update.update_id):
            log.info("duplicate update dropped update=%s", update.update_id)
            raise ApplicationHandlerStop
        UPDATES.labels(update_kind(update)).inc()


def update_kind(update: Update) -> str:
    """The kind of an update as the Bot API names its field: ``message``, ``callback_query``."""
    for kind in _KINDS:
        if getattr(update, kind, None) is not None:
            return kind
    return "other"


async def send_screen(update: Update, screen: Screen) -> Message:
    """Send a screen as a new message to the update's chat."""
    chat = require(update.effective_chat)
    return await chat.send_message(screen.text, reply_markup=screen.keyboard)


async def edit_screen(query: CallbackQuery, screen: Screen) -> None:
    """Turn the pressed message into ``screen`` (an unchanged message is fine)."""
    try:
        await query.edit_message_text(screen.text, reply_markup=screen.keyboard)
    except BadRequest as exc:
        if "not modified" not in str(exc).lower():
            raise


async def send_menu(update: Update, context: GigContext, *, welcome: bool = False) -> Message:
    """Send the main menu (naming the project of the member's deep link, if any)."""
    project = await invited_project(context.member)
    title = context.t.pick(project.title) if project is not None else None
    return await send_screen(update, menu_screen(context.t, welcome=welcome, project=title))


async def finish_onboarding(update: Update, context: GigContext) -> None:
    """Confirm the time zone and welcome the member with the menu."""
    await send_screen(update, Screen(context.t("onboarding.zone_set",
                                               zone=zone_name(context.t, context.member.tz))))
    await send_menu(update, context, welcome=True)


def _may_pass(update: Update) -> bool:
    if update.callback_query is not None:
        data = update.callback_query.data or ""
        return data.split(":", 1)[0] in _OPEN_PREFIXES
    command = command_of(update.message)
    return command is not None and command in _OPEN_COMMANDS


def _typed_zone(update: Update, member: Member) -> str | None:
    message = update.message
    if member.step is not Step.TIMEZONE or message is None or not message.text:
        return None
    return None if message.text.startswith("/") else message.text


async def _lead_back(update: Update, context: GigContext, member: Member) -> None:
    t = context.t
    screen = step_screen(t, member)
    if update.callback_query is not None:
        await update.callback_query.answer(t("onboarding.finish_first"))
    await send_screen(update, Screen(f"{t('onboarding.finish_first')}\n\n{screen.text}",
                                     screen.keyboard))


async def load_actor(update: Update, context: GigContext) -> None:
    """Group -1: load the member behind the update; gate members who are still signing up."""
    user, chat = update.effective_user, update.effective_chat
    if user is None or user.is_bot:
        return
    if chat is not None and chat.type != ChatType.PRIVATE:
        raise ApplicationHandlerStop  # gigbot works in private chats only
    now = context.clock.now()
    if update.my_chat_member is not None:  # the user blocked or unblocked the bot
        if update.my_chat_member.new_chat_member.status == ChatMemberStatus.BANNED:
            await mark_blocked(user.id, now=now)
        else:
            await touch(user, settings=context.settings, now=now)
        raise ApplicationHandlerStop
    member = await touch(user, settings=context.settings, now=now)
    context.set_member(member)
    if member.onboarded or _may_pass(update):
        return
    if update.message is None and update.callback_query is None:
        raise ApplicationHandlerStop  # an edit or a reaction before signing up: nothing to say
    zone = _typed_zone(update, member)
    if zone is not None:  # the time-zone step also takes a typed IANA name
        context.set_member(await choose_zone(member, zone, settings=context.settings))
        await finish_onboarding(update, context)
    else:
        await _lead_back(update, context, member)
    raise ApplicationHandlerStop


async def _translator(update: Update, settings: Settings) -> Translator:
    user = update.effective_user
    if user is None:
        return Translator("en", settings.tz, settings.currency)
    try:
        member = await member_by_tg(user.id, settings)
    except Exception:  # the database may be what failed; answer in Telegram's language then
        member = None
    if member is None:
        return Translator(lang_of(user.language_code), settings.tz, settings.currency)
    return Translator(member.language, member.tz, settings.currency)


async def _tell(update: Update, text: str) -> None:
    query = update.callback_query
    if query is not None:
        try:
            await query.answer(text)
            return
        except BadRequest:  # already answered or too old: say it in the chat instead
            pass
    if update.effective_chat is not None:
        await update.effective_chat.send_message(text)


async def _report(update: Update, context: GigContext) -> None:
    error = context.error
    if isinstance(error, Forbidden):
        chat = update.effective_chat
        if chat is not None and await mark_blocked(chat.id, now=context.clock.now()):
            log.info("user blocked the bot update=%s", update.update_id)
        return
    if isinstance(error, BadRequest) and "query is too old" in str(error).lower():
        log.info("callback answered too late update=%s", update.update_id)
        return
    t = await _translator(update, context.settings)
    if isinstance(error, UserError):
        try:
            text = t(error.key, **render_params(t, error.params))
        except (KeyError, IndexError, ValueError):
            log.error("no usable text for %s update=%s", error.key, update.update_id)
            text = t("errors.generic")
        await _tell(update, text)
        return
    log.error("update %s failed", update.update_id, exc_info=error)
    await _tell(update, t("errors.generic"))


async def error_handler(update: object, context: GigContext) -> None:
    """The one error handler: explain UserError, note blocked users, log the rest; never fails."""
    if not isinstance(update, Update):
        log.error("error outside an update", exc_info=context.error)
        return
    try:
        await _report(update, context)
    except TelegramError as exc:
        log.warning("could not report an error update=%s: %s", update.update_id, exc)
    except Exception:
        log.exception("error handler failed update=%s", update.update_id)
    raise ApplicationHandlerStop  # a failed update is answered once: later groups are skipped


# ----- notices: messages for other users, delivered after the service's transaction -----------


async def send_notices(bot: ExtBot[None], notices: Iterable[Notice], settings: Settings) -> int:
    """Deliver notices in each reader's language; blocked readers are marked. Returns sent."""
    sent = 0
    for notice in notices:
        t = Translator(notice.lang, notice.tz, settings.currency)
        text = t(notice.key, **render_params(t, notice.params))
        try:
            await bot.send_message(
                notice.chat_id, text, reply_markup=notice_keyboard(t, notice.buttons)
            )
            sent += 1
        except Forbidden:
            await mark_blocked(notice.chat_id, now=SYSTEM_CLOCK.now())
        except TelegramError as exc:
            log.warning("notice %s not delivered: %s", notice.key, exc)
    return sent


async def stop_spinner(query: CallbackQuery, text: str | None = None) -> None:
    """Answer a button (with a toast); a press whose answer fails still counts.

    Telegram refuses an answer after about 15 s (a long queue), and the Bot API may answer 5xx,
    time out or drop the connection; none of that undoes the press. The answer it carries
    is recorded and what it leads to (the next item, a tally) is still shown: the spinner
    only stops later on the worker's phone.
    """
    try:
        await query.answer(text)
    except BadRequest as exc:
        log.info("callback answered too late, the press still counts: %s", exc)
    except TelegramError as exc:
        log.warning("callback answer failed, the press still counts: %s", type(exc).__name__)
