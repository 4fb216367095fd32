"""``AiohttpRequest``: PTB's Bot API requests over aiohttp's client instead of httpx.

PTB talks to the Bot API through a ``BaseRequest``; its default, ``HTTPXRequest``, spends most
of a call in httpx and httpcore's pure-Python HTTP/1.1 machinery. Under a crowd that was about
half of the bot's busy time, since a tap costs two calls (answer the callback query, edit the
message). aiohttp, already our web server, parses HTTP in C and reuses its connections just as
well, so the same calls cost a fraction. Behaviour follows ``HTTPXRequest``: the same default
timeouts, ``TimedOut`` for a timeout (the pool's included), ``NetworkError`` for any other
transport failure, and certificates from certifi when it is installed (as httpx does).

Bodies are JSON, or multipart when a file is uploaded; the Bot API accepts both.
"""

from __future__ import annotations

import ssl
from typing import Any

import aiohttp
from telegram._utils.defaultvalue import DefaultValue
from telegram._utils.types import ODVInput
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

from gigbot.logs import redact
from gigbot.metrics import API_CALLS, API_ERRORS, RATE_LIMITED, api_error_kind

__all__ = ["AiohttpRequest"]


def _ssl_context() -> ssl.SSLContext:
    try:
        import certifi
    except ImportError:  # pragma: no cover - certifi comes with PTB's httpx
        return ssl.create_default_context()
    return ssl.create_default_context(cafile=certifi.where())


class AiohttpRequest(BaseRequest):
    """A ``BaseRequest`` on one ``aiohttp.ClientSession`` with at most ``pool_size`` connections.

    The session is made in ``initialize`` (inside the running loop) and closed in ``shutdown``;
    PTB calls both around the application's life.
    """

    __slots__ = ("_media_write_timeout", "_pool_size", "_session", "_timeouts")

    def __init__(
        self,
        pool_size: int = 256,
        *,
        read_timeout: float | None = 5.0,
        write_timeout: float | None = 5.0,
        connect_timeout: float | None = 5.0,
        pool_timeout: float | None = 1.0,
        media_write_timeout: float | None = 20.0,
    ) -> None:
        self._pool_size = pool_size
        self._timeouts = {
            "read": read_timeout, "write": write_timeout,
            "connect": connect_timeout, "pool": pool_timeout,
        }
        self._media_write_timeout = media_write_timeout
        self._session: aiohttp.ClientSession | None = None

    @property
    def read_timeout(self) -> float | None:
        """The default read timeout in seconds (PTB adds a long poll's own timeout to it)."""
        return self._timeouts["read"]

    async def initialize(self) -> None:
        """Open the session (again after a ``shutdown``)."""
        if self._session is None or self._session.closed:
            connector = aiohttp.TCPConnector(limit=self._pool_size, ssl=_ssl_context())
            self._session = aiohttp.ClientSession(
                connector=connector, headers={"User-Agent": self.USER_AGENT}
            )

    async def shutdown(self) -> None:
        """Close the session and its connections."""
        if self._session is not None and not self._session.closed:
            await self._session.close()

    def _timeout(self, name: str, given: ODVInput[float]) -> float | None:
        if isinstance(given, DefaultValue):
            return self._timeouts[name]
        return given

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        write_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        connect_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        pool_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        """Send one request; return the status code and the body."""
        session = self._session
        if session is None or session.closed:
            raise RuntimeError("This AiohttpRequest is not initialized!")
        kwargs: dict[str, Any] = {}
        files = request_data.multipart_data if request_data is not None else None
        if files:
            form = aiohttp.FormData()
            for name, value in request_data.json_parameters.items():  # type: ignore[union-attr]
                form.add_field(name, value)
            for name, (filename, content, mime) in files.items():
                form.add_field(name, content, filename=filename, content_type=mime)
            kwargs["data"] = form
            write = self._media_write_timeout if isinstance(write_timeout, DefaultValue) \
                else write_timeout
        else:
            if request_data is not None and request_data.parameters:
                kwargs["data"] = request_data.json_payload
                kwargs["headers"] = {"Content-Type": "application/json"}
            write = self._timeout("write", write_timeout)
        read = self._timeout("read", read_timeout)
        connect = self._timeout("connect", connect_timeout)
        pool = self._timeout("pool", pool_timeout)
        # aiohttp has no write timeout of its own: sending counts towards the read's.
        sock_read = None if read is None else read + (write or 0.0)
        timeout = aiohttp.ClientTimeout(
            total=None,
            connect=None if pool is None and connect is None else (pool or 0.0) + (connect or 0.0),
            sock_connect=connect,
            sock_read=sock_read,
        )
        name = url.rsplit("/", 1)[-1]  # the Bot API method; never the URL (it holds the token)
        API_CALLS.labels(name).inc()
        try:
            async with session.request(method, url, timeout=timeout, **kwargs) as response:
                body = await response.read()
        except TimeoutError as err:  # aiohttp.ServerTimeoutError included
            API_ERRORS.labels(name, "timeout").inc()
            raise TimedOut from err
        except aiohttp.ClientError as err:
            API_ERRORS.labels(name, "network").inc()
            raise NetworkError(f"aiohttp.{err.__class__.__name__}: {redact(str(err))}") from err
        kind = api_error_kind(response.status)
        if kind is not None:
            API_ERRORS.labels(name, kind).inc()
            if response.status == 429:
                RATE_LIMITED.labels(name).inc()
        return response.status, body
