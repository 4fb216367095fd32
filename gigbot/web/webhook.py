"""Webhook mode: an aiohttp server for Telegram's POSTs (secret header checked) and /healthz.

Updates go into the application's update queue, so they pass the same per-chat processor as in
polling mode (``process_update`` directly would skip it).
"""

from __future__ import annotations

import hmac
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from urllib.parse import urlsplit

from aiohttp import web
from telegram import Update

from gigbot.app import initialized
from gigbot.config import Settings
from gigbot.context import GigApp

__all__ = ["SECRET_HEADER", "serve_webhook", "webhook_app"]

log = logging.getLogger(__name__)
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


def webhook_app(app: GigApp, *, path: str, secret: str) -> web.Application:
    """The aiohttp application: POST ``path`` (Telegram) and GET /healthz."""
    expected = secret.encode()

    async def telegram(request: web.Request) -> web.Response:
        given = request.headers.get(SECRET_HEADER, "").encode("utf-8", "replace")
        if not hmac.compare_digest(given, expected):
            return web.Response(status=403)
        try:
            data = await request.json()
        except ValueError:
            return web.Response(status=400)
        update = Update.de_json(data, app.bot) if isinstance(data, dict) else None
        if update is None:
            return web.Response(status=400)
        await app.update_queue.put(update)
        return web.Response()

    async def healthz(_request: web.Request) -> web.Response:
        return web.json_response({"ok": app.running})

    server = web.Application()
    server.router.add_post(path, telegram)
    server.router.add_get("/healthz", healthz)
    return server


@asynccontextmanager
async def serve_webhook(
    app: GigApp, settings: Settings, *, host: str = "0.0.0.0"
) -> AsyncIterator[web.AppRunner]:
    """Serve ``app`` by webhook for the block: set the webhook, run the server, stop cleanly."""
    url = settings.webhook_url
    secret = settings.webhook_secret
    if not url or not secret:
        raise RuntimeError("webhook mode needs GIGBOT_WEBHOOK_URL and GIGBOT_WEBHOOK_SECRET")
    path = urlsplit(url).path or "/"
    runner = web.AppRunner(webhook_app(app, path=path, secret=secret))
    async with initialized(app):
        if app.post_init is not None:
            await app.post_init(app)
        await app.bot.set_webhook(url, secret_token=secret, allowed_updates=Update.ALL_TYPES)
        await app.start()
        await runner.setup()
        try:
            await web.TCPSite(runner, host, settings.port).start()
            log.info("webhook server listening port=%s path=%s", settings.port, path)
            yield runner
        finally:
            await runner.cleanup()
            if app.running:
                await app.stop()
