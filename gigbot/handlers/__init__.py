"""Telegram handlers, thin: parse the update, call one service, render from locales, send.

``register_all`` adds them in this order (order matters):

- group -2: ``SeenUpdates.drop_repeats``, a redelivered update is dropped;
- group -1: ``load_actor``, the member is loaded and a member still signing up is led back;
- group 0: onboarding, settings, then the features: tasks, quiz, profile, then any other module
  of this package that defines ``register(app)``, in name order;
- group 100: ``fallback``, a short reply to whatever no handler took;
- the one error handler.
"""

from __future__ import annotations

import importlib
import pkgutil

from telegram import Update
from telegram.ext import TypeHandler

from gigbot.context import GigApp

__all__ = ["ACTOR_GROUP", "DEDUP_GROUP", "register_all"]

DEDUP_GROUP = -2
ACTOR_GROUP = -1
_OWN = ("onboarding", "settings")
_FEATURES = ("tasks", "quiz", "profile")
_NOT_FEATURES = frozenset({"common", "views", "fallback", *_OWN, *_FEATURES})


def _other_modules() -> list[str]:
    return sorted(
        info.name
        for info in pkgutil.iter_modules(__path__)
        if info.name not in _NOT_FEATURES and not info.name.startswith("_")
    )


def register_all(app: GigApp) -> None:
    """Add every handler group and the error handler to ``app``."""
    from gigbot.handlers import common, fallback

    seen = common.SeenUpdates()
    app.add_handler(TypeHandler(Update, seen.drop_repeats), group=DEDUP_GROUP)
    app.add_handler(TypeHandler(Update, common.load_actor), group=ACTOR_GROUP)
    for name in (*_OWN, *_FEATURES, *_other_modules()):
        module = importlib.import_module(f"gigbot.handlers.{name}")
        register = getattr(module, "register", None)
        if register is not None:
            register(app)
    fallback.register(app)
    app.add_error_handler(common.error_handler)
