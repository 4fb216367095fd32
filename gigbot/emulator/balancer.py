"""A round-robin HTTP front for several bot processes behind one webhook URL.

What a load balancer (nginx's ``upstream``, a cloud load balancer) does in front of several
``gigbot run`` processes in production, for tests and ``gigbot bench``: each POST goes to the
next process in turn; a process that refuses the connection (stopped, or not yet started) is
skipped for the next one; a process that fails after the request was sent gives 502, and the
sender (Telegram, here the emulator) sends the update again.
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import Sequence

import aiohttp
from aiohttp import web

__all__ = ["RoundRobin"]

log = logging.getLogger(__name__)

_PASSED = ("Content-Type", "X-Telegram-Bot-Api-Secret-Token")


class RoundRobin:
    """``async with RoundRobin(backends) as front:`` POST to ``front.url`` reaches each in turn."""

    def __init__(self, backends: Sequence[str], *, path: str = "/telegram",
                 host: str = "127.0.0.1", port: int | None = None) -> None:
        if not backends:
            raise ValueError("RoundRobin needs at least one backend")
        self.backends = list(backends)
        self.host = host
        self.port = port or 0  # 0: a free port, known once started
        self.path = path
        self.forwarded = [0] * len(self.backends)  # POSTs each backend answered
        self._turn = itertools.cycle(range(len(self.backends)))
        self._session: aiohttp.ClientSession | None = None
        self._runner: web.AppRunner | None = None

    @property
    def url(self) -> str:
        """The one webhook URL the processes are given."""
        return f"http://{self.host}:{self.port}{self.path}"

    async def __aenter__(self) -> RoundRobin:
        self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=60))
        server = web.Application()
        server.router.add_post(self.path, self._forward)
        self._runner = web.AppRunner(server, access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, self.host, self.port).start()
        self.port = int(self._runner.addresses[0][1])
        return self

    async def __aexit__(self, *_: object) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
        if self._session is not None:
            await self._session.close()

    async def _forward(self, request: web.Request) -> web.Response:
        session = self._session
        if session is None:
            return web.Response(status=503)
        body = await request.read()
        headers = {k: v for k, v in request.headers.items() if k in _PASSED}
        for _ in self.backends:  # each backend at most once per POST
            index = next(self._turn)
            try:
                async with session.post(self.backends[index], data=body,
                                        headers=headers) as reply:
                    payload = await reply.read()
                    self.forwarded[index] += 1
                    return web.Response(status=reply.status, body=payload)
            except aiohttp.ClientConnectorError:
                continue  # nothing was sent: the next backend may take it
            except (aiohttp.ClientError, TimeoutError) as exc:
                log.debug("backend %s failed: %s", self.backends[index], exc)
                return web.Response(status=502)
        return web.Response(status=502)
