"""/balance and /history: what the worker has, and how it moved, summed from the ledger."""

from __future__ import annotations

from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler

from gigbot.callbacks import HistoryPageTap
from gigbot.context import GigApp, GigContext
from gigbot.handlers.common import edit_screen, require, send_screen, stop_spinner
from gigbot.handlers.money_views import balance_screen, history_screen
from gigbot.payouts.history import history_page, overview

__all__ = ["register"]


async def balance_command(update: Update, context: GigContext) -> None:
    """/balance: pending, available, paid and this week, in the worker's money format."""
    now = await overview(context.member.id, now=context.clock.now(), tz=context.member.tz)
    await send_screen(update, balance_screen(context.t, now))


async def history_command(update: Update, context: GigContext) -> None:
    """/history: the newest ten lines of the worker's money movements."""
    page = await history_page(context.member.id, tz=context.member.tz, page=0)
    await send_screen(update, history_screen(context.t, page))


async def history_button(update: Update, context: GigContext) -> None:
    """Older / Newer: the same message shows another page."""
    query = require(update.callback_query)
    tap = HistoryPageTap.parse(query.data)
    await stop_spinner(query)
    page = await history_page(context.member.id, tz=context.member.tz, page=tap.page)
    await edit_screen(query, history_screen(context.t, page))


def register(app: GigApp) -> None:
    """Add /balance, /history and the history pages (group 0)."""
    app.add_handler(CommandHandler("balance", balance_command))
    app.add_handler(CommandHandler("history", history_command))
    app.add_handler(CallbackQueryHandler(history_button, pattern=HistoryPageTap.pattern()))
