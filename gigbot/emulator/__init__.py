"""A Telegram Bot API emulator with simulated users, for trying and testing gigbot offline.

Run it with ``python -m gigbot.emulator --port 8081`` or drive it from Python::

    async with Emulator() as emu:
        app = ApplicationBuilder().token(TOKEN).base_url(f"{emu.url}/bot")
              .base_file_url(f"{emu.url}/file/bot").build()
        ann = emu.user("Ann")
        await ann.command("/start")
        reply = await ann.expect("Welcome")

See docs/emulator.md for what it emulates and its limits.
"""

from __future__ import annotations

from .limits import RateLimiter, RateLimits, TokenBucket
from .parse import EntityParseError, FormattedText, format_text
from .server import Emulator
from .state import ApiCall, BotMessage, CallbackAnswer, StoredFile
from .users import SimUser

__all__ = [
    "ApiCall",
    "BotMessage",
    "CallbackAnswer",
    "Emulator",
    "EntityParseError",
    "FormattedText",
    "RateLimiter",
    "RateLimits",
    "SimUser",
    "StoredFile",
    "TokenBucket",
    "format_text",
]
