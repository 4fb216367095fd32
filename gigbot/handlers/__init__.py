"""Telegram handlers, thin: parse the update, call one service, render from locales, send.

``ROUTERS`` adds them to the application in its order (order matters):

- group -2: ``SeenUpdates.drop_repeats``, a redelivered update is dropped;
- group -1: ``load_actor``, the member is loaded and a member still signing up is led back;
- group 0: onboarding, settings, then the features (a feature may add a later group of its own);
- group 100: ``fallback``, a short reply to whatever no handler took;
- the one error handler.
"""

from __future__ import annotations

from collections.abc import Callable

from telegram import Update
from telegram.ext import TypeHandler

from gigbot.context import GigApp
from gigbot.handlers import (
    appeals,
    balance,
    common,
    fallback,
    mydata,
    onboarding,
    payout,
    profile,
    quiz,
    rejections,
    review,
    settings,
    tasks,
)

__all__ = ["ACTOR_GROUP", "DEDUP_GROUP", "ROUTERS", "Router", "register_all"]

DEDUP_GROUP = -2
ACTOR_GROUP = -1

Router = Callable[[GigApp], None]
"""Adds one feature's handlers (and jobs) to the application."""


def _drop_repeats(app: GigApp) -> None:
    app.add_handler(TypeHandler(Update, common.SeenUpdates().drop_repeats), group=DEDUP_GROUP)


def _load_actor(app: GigApp) -> None:
    app.add_handler(TypeHandler(Update, common.load_actor), group=ACTOR_GROUP)


def _error_handler(app: GigApp) -> None:
    app.add_error_handler(common.error_handler)


ROUTERS: tuple[Router, ...] = (
    _drop_repeats,
    _load_actor,
    onboarding.register,
    settings.register,
    tasks.register,
    quiz.register,
    profile.register,
    appeals.register,
    balance.register,
    payout.register,
    rejections.register,
    review.register,
    mydata.register,
    fallback.register,
    _error_handler,
)
"""Every router, in the order they are added: a new handler module is added here."""


def register_all(app: GigApp) -> None:
    """Add every handler group and the error handler to ``app``."""
    for register in ROUTERS:
        register(app)
