"""The last word: any update no other handler takes gets a short, helpful reply.

It runs in its own, later group and first asks every handler of the groups before it (from 0)
whether it took the update, so it answers only what nobody else handled, whichever group the
feature modules use.
"""

from __future__ import annotations

from telegram import Update
from telegram.ext import TypeHandler

from gigbot.context import GigApp, GigContext
from gigbot.handlers.common import command_of, handled_before, send_screen
from gigbot.handlers.views import Screen

__all__ = ["FALLBACK_GROUP", "register"]

FALLBACK_GROUP = 100


def _reply_key(update: Update) -> str | None:
    message = update.message
    if message is None:
        return None
    if command_of(message) is not None:
        return "fallback.command"
    if message.sticker is not None:
        return "fallback.sticker"
    if message.text:
        return "fallback.text"
    return "fallback.file"  # photo, voice, audio, document, video, location, contact, ...


async def fallback(update: Update, context: GigContext) -> None:
    """Answer what no handler took: a toast for a button, a hint for a message."""
    if context.member_or_none is None:
        return
    if handled_before(context.application, update, FALLBACK_GROUP):
        return
    t = context.t
    if update.callback_query is not None:
        await update.callback_query.answer(t("fallback.button"))
        return
    key = _reply_key(update)
    if key is None:
        return
    command = (command_of(update.message) or "")[:32]
    await send_screen(update, Screen(t(key, command=f"/{command}")))


def register(app: GigApp) -> None:
    """Add the fallback in its own group after every feature."""
    app.add_handler(TypeHandler(Update, fallback), group=FALLBACK_GROUP)
