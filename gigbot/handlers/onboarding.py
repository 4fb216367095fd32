"""/start and the sign-up buttons: language, terms, time zone; /help.

The language and zone buttons also serve /settings: once a member is signed up, pressing one
changes the setting and the message becomes the settings screen with a confirmation.
"""

from __future__ import annotations

from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler

from gigbot.callbacks import AcceptTerms, PickLanguage, PickZone
from gigbot.context import GigApp, GigContext
from gigbot.errors import BadCallback
from gigbot.handlers import views
from gigbot.handlers.common import (
    edit_screen,
    require,
    send_menu,
    send_screen,
    stop_spinner,
)
from gigbot.members.service import (
    ZONES,
    Step,
    accept_terms,
    choose_language,
    choose_zone,
    remember_start_param,
)

__all__ = ["register"]


async def start_command(update: Update, context: GigContext) -> None:
    """/start [p_<slug>]: the step the member is on, or the main menu once signed up."""
    member = context.member
    if context.args:
        member = await remember_start_param(member, context.args[0], settings=context.settings)
        context.set_member(member)
    if member.onboarded:
        await send_menu(update, context)
    else:
        await send_screen(update, views.step_screen(context.t, member))


async def help_command(update: Update, context: GigContext) -> None:
    """/help in the member's language."""
    await send_screen(update, views.help_screen(context.t, is_admin=context.member.is_admin))


async def language_button(update: Update, context: GigContext) -> None:
    """A language button: sets it; during sign-up the message moves on to the terms."""
    query = require(update.callback_query)
    choice = PickLanguage.parse(query.data)
    before = context.member
    context.set_member(await choose_language(before, choice.lang, settings=context.settings))
    await stop_spinner(query)
    t = context.t
    if before.onboarded:
        notice = t("settings.language_changed", language=views.language_name(t, choice.lang))
        await edit_screen(query, views.settings_screen(t, context.member, notice=notice))
    else:
        await edit_screen(query, views.step_screen(t, context.member))


async def terms_button(update: Update, context: GigContext) -> None:
    """I agree: consent is recorded and the message asks for the time zone."""
    query = require(update.callback_query)
    AcceptTerms.parse(query.data)
    before = context.member
    if before.step is not Step.TERMS:
        await stop_spinner(query, context.t("onboarding.already_agreed"))
        return
    context.set_member(
        await accept_terms(before, settings=context.settings, now=context.clock.now())
    )
    await stop_spinner(query)
    await edit_screen(query, views.step_screen(context.t, context.member))


async def zone_button(update: Update, context: GigContext) -> None:
    """A time-zone button: finishes sign-up (then the menu) or changes the setting."""
    query = require(update.callback_query)
    choice = PickZone.parse(query.data)
    if not 0 <= choice.index < len(ZONES):
        raise BadCallback()
    before = context.member
    context.set_member(await choose_zone(before, ZONES[choice.index], settings=context.settings))
    await stop_spinner(query)
    t = context.t
    if before.onboarded:
        notice = t("settings.zone_changed", zone=views.zone_name(t, context.member.tz))
        await edit_screen(query, views.settings_screen(t, context.member, notice=notice))
    elif before.step is Step.TIMEZONE:
        zone = views.zone_name(t, context.member.tz)
        await edit_screen(query, views.Screen(t("onboarding.zone_set", zone=zone)))
        await send_menu(update, context, welcome=True)
    else:
        await edit_screen(query, views.step_screen(t, context.member))


def register(app: GigApp) -> None:
    """Add the sign-up handlers (group 0)."""
    app.add_handler(CommandHandler("start", start_command))
    app.add_handler(CommandHandler("help", help_command))
    app.add_handler(CallbackQueryHandler(language_button, pattern=PickLanguage.pattern()))
    app.add_handler(CallbackQueryHandler(terms_button, pattern=AcceptTerms.pattern()))
    app.add_handler(CallbackQueryHandler(zone_button, pattern=PickZone.pattern()))
