"""What the Bot API emulator costs: raw calls, and taps of many users through a real PTB bot.

Run: ``.venv/bin/python benchmarks/emulator.py [--users 500] [--taps 20] [--calls 4000]``.

1. raw: concurrent HTTP clients call sendMessage / editMessageText / answerCallbackQuery
   directly (flood limits off): the emulator's own cost per call.
2. taps: ``--users`` simulated users each press a button ``--taps`` times on a tiny PTB 22
   bot (long polling, concurrent updates) that answers the query and edits the message into
   the next item, the shape of gigbot's task screen. Latency is press → edit seen by the user.
Everything runs in one process and one event loop, so the figures include the bot's own time.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import resource
import statistics
import time

import aiohttp
from aiohttp import web
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import ApplicationBuilder, CallbackQueryHandler, CommandHandler, ContextTypes

from gigbot.emulator import Emulator, RateLimits, SimUser

TOKEN = "123456:benchmark-token"
KEYBOARD = InlineKeyboardMarkup(
    [
        [InlineKeyboardButton("Positive", callback_data="a:1:0")],
        [InlineKeyboardButton("Negative", callback_data="a:1:1")],
    ]
)


def quantile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def _bare_server() -> tuple[web.AppRunner, str]:
    """A bare aiohttp server answering every call with a fixed message: the floor."""
    reply = json.dumps(
        {
            "ok": True,
            "result": {
                "message_id": 1,
                "date": 0,
                "text": "x",
                "chat": {"id": 1, "type": "private"},
            },
        }
    )

    async def handle(request: web.Request) -> web.Response:
        await request.read()
        return web.Response(text=reply, content_type="application/json")

    app = web.Application()
    app.router.add_route("*", "/bot{token}/{method}", handle)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    return runner, f"http://127.0.0.1:{runner.addresses[0][1]}"


async def _drive(root: str, chats: list[int], per_client: int) -> float:
    base = f"{root}/bot{TOKEN}"
    connector = aiohttp.TCPConnector(limit=len(chats))
    async with aiohttp.ClientSession(connector=connector) as http:

        async def client(chat_id: int) -> None:
            for i in range(per_client):
                body = {
                    "chat_id": chat_id,
                    "text": f"<b>item</b> {i}",
                    "parse_mode": "HTML",
                    "reply_markup": KEYBOARD.to_dict(),
                }
                async with http.post(f"{base}/sendMessage", json=body) as response:
                    sent = await response.json()
                edit = {
                    "chat_id": chat_id,
                    "message_id": sent["result"]["message_id"],
                    "text": f"item {i} done",
                }
                async with http.post(f"{base}/editMessageText", data=edit) as response:
                    await response.read()

        start = time.perf_counter()
        await asyncio.gather(*(client(chat) for chat in chats))
        return time.perf_counter() - start


async def raw_calls(calls: int, clients: int) -> None:
    per_client = calls // (2 * clients)
    total = per_client * clients * 2
    runner, root = await _bare_server()
    try:
        bare = await _drive(root, list(range(1, clients + 1)), per_client)
    finally:
        await runner.cleanup()
    async with Emulator(rate_limits=RateLimits.off(), record_calls=False) as emu:
        users = [emu.user(f"u{i}") for i in range(clients)]
        for user in users:
            await user.send("hi")
        elapsed = await _drive(emu.url, [u.id for u in users], per_client)
    print(
        f"raw: {total} calls (sendMessage with HTML and a keyboard + editMessageText) from "
        f"{clients} clients: emulator {total / elapsed:,.0f} calls/s, bare aiohttp "
        f"{total / bare:,.0f} calls/s; the emulator adds {(elapsed - bare) / total * 1e6:.0f} µs "
        f"a call"
    )


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    if update.message is not None:
        await update.message.reply_text("item 0", reply_markup=KEYBOARD)


async def tap(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    if query is None or query.message is None:
        return
    await query.answer()
    shown = getattr(query.message, "text", "item 0") or "item 0"
    number = int(shown.split()[1]) + 1
    await query.edit_message_text(f"item {number}", reply_markup=KEYBOARD)


async def taps(users: int, per_user: int, limits: bool) -> None:
    emu = Emulator(rate_limits=RateLimits() if limits else RateLimits.off(), record_calls=False)
    await emu.start()
    app = (
        ApplicationBuilder()
        .token(TOKEN)
        .base_url(f"{emu.url}/bot")
        .base_file_url(f"{emu.url}/file/bot")
        .concurrent_updates(256)
        .connection_pool_size(128)  # httpcore scans its whole pool on every request
        .pool_timeout(30)
        .build()
    )
    app.add_handler(CommandHandler("start", start))
    app.add_handler(CallbackQueryHandler(tap))
    latencies: list[float] = []
    errors: list[BaseException] = []

    async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        if context.error is not None:
            errors.append(context.error)

    app.add_error_handler(on_error)

    async def worker(user: SimUser) -> None:
        await user.command("/start")
        message = await user.expect("item 0", timeout=120)
        for i in range(per_user):
            began = time.perf_counter()
            await user.press(message, i % 2, timeout=120)
            await user.expect(f"item {i + 1}", timeout=120)
            latencies.append(time.perf_counter() - began)

    async with app:
        assert app.updater is not None
        await app.updater.start_polling(poll_interval=0.0, timeout=10)
        await app.start()
        cpu0 = time.process_time()
        began = time.perf_counter()
        await asyncio.gather(*(worker(emu.user(f"w{i}")) for i in range(users)))
        elapsed = time.perf_counter() - began
        cpu = time.process_time() - cpu0
        await app.updater.stop()
        await app.stop()
    await emu.stop()
    total = users * per_user
    p50, p99 = quantile(latencies, 0.5) * 1e3, quantile(latencies, 0.99) * 1e3
    kinds = sorted({type(e).__name__ for e in errors})
    print(
        f"taps: {users} users x {per_user} taps = {total} in {elapsed:.2f} s "
        f"= {total / elapsed:,.0f} taps/s; press→edit p50 {p50:.0f} ms p99 {p99:.0f} ms "
        f"(mean {statistics.mean(latencies) * 1e3:.0f}); CPU {cpu:.2f} s "
        f"({cpu / total * 1e3:.2f} ms a tap, bot included); {len(errors)} bot errors {kinds}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--users", type=int, default=500)
    parser.add_argument("--taps", type=int, default=20)
    parser.add_argument("--calls", type=int, default=4000)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--limits", action="store_true", help="keep Telegram's flood limits on")
    args = parser.parse_args()
    asyncio.run(raw_calls(args.calls, args.clients))
    asyncio.run(taps(50, args.taps, args.limits))
    asyncio.run(taps(args.users, args.taps, args.limits))
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS {rss:.0f} MB")


if __name__ == "__main__":
    main()
