"""/balance: what the worker has earned, summed from the ledger (pending, available, paid)."""

from __future__ import annotations

from telegram import Update
from telegram.ext import CommandHandler

from gigbot.context import GigApp, GigContext
from gigbot.handlers.common import send_screen
from gigbot.handlers.views import Screen
from gigbot.payouts.ledger import balance

__all__ = ["register"]


async def balance_command(update: Update, context: GigContext) -> None:
    """/balance: three sums in the worker's currency format."""
    t = context.t
    now = await balance(context.member.id, context.clock.now())
    await send_screen(update, Screen(t("balance.text", pending=t.money(now.pending),
                                       available=t.money(now.available),
                                       paid=t.money(now.paid))))


def register(app: GigApp) -> None:
    """Add /balance (group 0)."""
    app.add_handler(CommandHandler("balance", balance_command))
