"""``python -m gigbot.emulator [--host H] [--port P]``: run the Bot API emulator standalone."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import sys

from .limits import RateLimits
from .server import Emulator


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m gigbot.emulator",
        description="A Telegram Bot API emulator: point a bot's API root at the printed URL.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
    parser.add_argument("--port", type=int, default=8081, help="port (0 picks a free one)")
    parser.add_argument("--username", default="gigbot_test_bot", help="the bot's username")
    parser.add_argument("--no-limits", action="store_true", help="switch the flood limits off")
    return parser


async def _serve(args: argparse.Namespace) -> None:
    limits = RateLimits.off() if args.no_limits else RateLimits()
    emulator = Emulator(rate_limits=limits, bot_username=args.username)
    url = await emulator.start(args.host, args.port)
    print(f"Bot API emulator at {url}  (GIGBOT_API_URL={url})", flush=True)
    try:
        await asyncio.Event().wait()
    finally:
        await emulator.stop()


def main(argv: list[str] | None = None) -> int:
    """Parse arguments and serve until interrupted."""
    args = _parser().parse_args(argv)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_serve(args))
    return 0


if __name__ == "__main__":
    sys.exit(main())
