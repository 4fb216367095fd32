"""/settings (language, time zone, summaries), /timezone NAME, and /deleteme.

The language and zone buttons under /settings are the sign-up codecs; their handlers live in
``handlers/onboarding.py`` and render the settings screen for members who are signed up.
"""

from __future__ import annotations

from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler

from gigbot.callbacks import ConfirmDelete, SettingsAction
from gigbot.context import GigApp, GigContext
from gigbot.errors import BadCallback
from gigbot.handlers import views
from gigbot.handlers.common import edit_screen, require, send_screen, stop_spinner
from gigbot.members.service import choose_zone, set_summaries
from gigbot.payouts.mydata import delete_member, leaving

__all__ = ["register"]


async def settings_command(update: Update, context: GigContext) -> None:
    """/settings: current values, a button for each."""
    await send_screen(update, views.settings_screen(context.t, context.member))


async def settings_button(update: Update, context: GigContext) -> None:
    """A /settings button: open the language or zone choice, toggle summaries, or go back."""
    query = require(update.callback_query)
    action = SettingsAction.parse(query.data).action
    t, member = context.t, context.member
    if action == "lang":
        screen = views.settings_language_screen(t, member)
    elif action == "tz":
        screen = views.settings_zone_screen(t, member)
    elif action == "sum":
        member = await set_summaries(member, not member.summaries, settings=context.settings)
        context.set_member(member)
        key = "on" if member.summaries else "off"
        screen = views.settings_screen(t, member, notice=t(f"settings.summaries_changed_{key}"))
    elif action == "back":
        screen = views.settings_screen(t, member)
    else:
        raise BadCallback()
    await stop_spinner(query)
    await edit_screen(query, screen)


async def timezone_command(update: Update, context: GigContext) -> None:
    """/timezone Area/City sets any IANA zone; without a name it shows the zone buttons."""
    if not context.args:
        await send_screen(update, views.settings_zone_screen(context.t, context.member))
        return
    member = await choose_zone(context.member, " ".join(context.args), settings=context.settings)
    context.set_member(member)
    t = context.t
    notice = t("settings.zone_changed", zone=views.zone_name(t, member.tz))
    await send_screen(update, views.settings_screen(t, member, notice=notice))


async def deleteme_command(update: Update, context: GigContext) -> None:
    """/deleteme: what goes and what stays (money too), with confirm and cancel buttons."""
    money = await leaving(context.member.id, context.clock.now())
    await send_screen(update, views.delete_confirm_screen(context.t, money))


async def delete_button(update: Update, context: GigContext) -> None:
    """Confirm or cancel /deleteme; the message tells what was kept."""
    query = require(update.callback_query)
    confirmed = ConfirmDelete.parse(query.data).yes == 1
    await stop_spinner(query)
    if not confirmed:
        await edit_screen(query, views.Screen(context.t("deleteme.cancelled")))
        return
    deleted = await delete_member(context.member, now=context.clock.now())
    await edit_screen(query, views.deleted_screen(context.t, deleted))


def register(app: GigApp) -> None:
    """Add the settings and personal-data handlers (group 0)."""
    app.add_handler(CommandHandler("settings", settings_command))
    app.add_handler(CommandHandler("timezone", timezone_command))
    app.add_handler(CommandHandler("deleteme", deleteme_command))
    app.add_handler(CallbackQueryHandler(settings_button, pattern=SettingsAction.pattern()))
    app.add_handler(CallbackQueryHandler(delete_button, pattern=ConfirmDelete.pattern()))
