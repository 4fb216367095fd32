"""Webhook mode's server: Telegram's POSTs (secret header checked), /healthz and /metrics.

Updates go into the application's update queue, so they pass the same per-chat processor as in
polling mode (``process_update`` directly would skip it), and are answered at once. With
``processed=True`` (several processes on one PostgreSQL) each is answered only once it has been
processed, through the same processor: Telegram sends a chat's next update only after the answer,
so one chat's updates stay in order whichever process gets each, and an update whose process
dies before answering is sent again (to another process). Starting and stopping the application
around it is ``gigbot.runner``'s work.
"""

from __future__ import annotations

import hmac
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from aiohttp import web
from telegram import Update

from gigbot.context import GigApp
from gigbot.web.health import Probes, add_health_routes

__all__ = ["SECRET_HEADER", "InFlight", "listening", "webhook_app"]

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
log = logging.getLogger(__name__)


class InFlight:
    """How many POSTs are being handled now (logged when the server stops)."""

    __slots__ = ("count",)

    def __init__(self) -> None:
        self.count = 0


def webhook_app(app: GigApp, *, path: str, secret: str, probes: Probes,
                processed: bool = False, in_flight: InFlight | None = None) -> web.Application:
    """The aiohttp application: POST ``path`` (Telegram), GET /healthz and GET /metrics."""
    expected = secret.encode()
    busy = in_flight or InFlight()

    async def telegram(request: web.Request) -> web.Response:
        given = request.headers.get(SECRET_HEADER, "").encode("utf-8", "replace")
        if not hmac.compare_digest(given, expected):
            # Logged without the body: a stranger's POST is not an update of ours to keep.
            log.warning("webhook POST refused: %s secret token from %s",
                        "wrong" if given else "no", request.remote)
            return web.Response(status=403)
        try:
            data = await request.json()
        except ValueError:
            return web.Response(status=400)
        update = Update.de_json(data, app.bot) if isinstance(data, dict) else None
        if update is None:
            return web.Response(status=400)
        if not processed:
            await app.update_queue.put(update)
            return web.Response()
        busy.count += 1
        try:
            await app.update_processor.process_update(update, app.process_update(update))
        finally:
            busy.count -= 1
        return web.Response()

    server = web.Application()
    server.router.add_post(path, telegram)
    add_health_routes(server, probes)
    return server


@asynccontextmanager
async def listening(server: web.Application, host: str, port: int, *,
                    drain: float = 60.0) -> AsyncIterator[web.AppRunner]:
    """Serve ``server`` on ``host:port`` for the block, then close its connections.

    Closing stops listening first, then waits up to ``drain`` s for requests in progress.
    """
    runner = web.AppRunner(server, shutdown_timeout=drain)
    await runner.setup()
    try:
        await web.TCPSite(runner, host, port).start()
        yield runner
    finally:
        await runner.cleanup()
