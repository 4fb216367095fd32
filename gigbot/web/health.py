"""``GET /healthz`` and ``GET /metrics``: what an operator's probes and Prometheus read.

``/healthz`` answers 200 when the database answers a query and the bot is running, 503
otherwise, with a JSON body saying which: ``{"database": "ok", "bot": "running"}``, or
``{"database": "unavailable: <cause>", "bot": "stopped"}``. A load balancer or an orchestrator
takes a 503 as "do not send traffic here" and a process that stays unhealthy as one to restart.

``/metrics`` is the Prometheus text format written by prometheus-client (``gigbot.metrics``
names the series). Values read from the database at a scrape (the open leases) are refreshed
just before the text is written; a refresh that fails leaves the last value and is logged.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, generate_latest

__all__ = ["Probes", "add_health_routes", "health_app"]

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Probes:
    """What the routes ask: is the bot running, does the database answer, fresh gauges."""

    running: Callable[[], bool]
    database: Callable[[], Awaitable[str | None]]  # None when it answers, else the cause
    refresh: Callable[[], Awaitable[None]] | None = None


def add_health_routes(server: web.Application, probes: Probes) -> None:
    """Add ``GET /healthz`` and ``GET /metrics`` to ``server``."""

    async def healthz(_request: web.Request) -> web.Response:
        problem = await probes.database()
        running = probes.running()
        body = {
            "database": "ok" if problem is None else f"unavailable: {problem}",
            "bot": "running" if running else "stopped",
        }
        return web.json_response(body, status=200 if problem is None and running else 503)

    async def metrics(_request: web.Request) -> web.Response:
        if probes.refresh is not None:
            try:
                await probes.refresh()
            except Exception:  # the database may be down: the counters are still worth reading
                log.warning("metrics refresh failed", exc_info=True)
        # CONTENT_TYPE_LATEST carries its own charset, so it goes in as a raw header.
        return web.Response(body=generate_latest(REGISTRY),
                            headers={"Content-Type": CONTENT_TYPE_LATEST})

    server.router.add_get("/healthz", healthz)
    server.router.add_get("/metrics", metrics)


def health_app(probes: Probes) -> web.Application:
    """An aiohttp application with only ``/healthz`` and ``/metrics`` (long polling mode)."""
    server = web.Application()
    add_health_routes(server, probes)
    return server
