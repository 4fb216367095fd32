"""Fixtures of the playground tests: a started playground on a free port, and a page client."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from gigbot.cli.playground import Running, running_playground
from gigbot.emulator import SimUser
from gigbot.i18n import t


class PageClient:
    """What the page's JavaScript does, over HTTP: read the event stream, send, press."""

    def __init__(self, http: aiohttp.ClientSession, url: str) -> None:
        self.http = http
        self.url = url.rstrip("/")
        self.events: asyncio.Queue[tuple[str, dict[str, Any]]] = asyncio.Queue()
        self.chats: dict[int, dict[int, dict[str, Any]]] = {}
        self.hello: dict[str, Any] = {}
        self._reader: asyncio.Task[None] | None = None
        self._response: aiohttp.ClientResponse | None = None

    async def connect(self) -> dict[str, Any]:
        """Open the stream; returns its first event (``hello``: people and chats)."""
        response = await self.http.get(f"{self.url}/api/stream")
        self._response = response
        assert response.status == 200
        assert response.headers["Content-Type"].startswith("text/event-stream")
        self._reader = asyncio.create_task(self._read(response))
        kind, self.hello = await self.next_event()
        assert kind == "hello"
        return self.hello

    async def _read(self, response: aiohttp.ClientResponse) -> None:
        event = ""
        async for raw in response.content:
            line = raw.decode().rstrip("\n")
            if line.startswith("event: "):
                event = line[7:]
            elif line.startswith("data: "):
                data = json.loads(line[6:])
                if event == "message":
                    self.chats.setdefault(data["user"], {})[data["item"]["id"]] = data["item"]
                await self.events.put((event, data))

    async def close(self) -> None:
        if self._reader is not None:
            self._reader.cancel()
        if self._response is not None:
            self._response.close()

    async def next_event(self, timeout: float = 10) -> tuple[str, dict[str, Any]]:
        return await asyncio.wait_for(self.events.get(), timeout)

    async def expect(self, user: int, predicate: Callable[[dict[str, Any]], bool],
                     timeout: float = 10) -> dict[str, Any]:
        """The next new or edited bot message in ``user``'s chat for which ``predicate`` holds."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            kind, data = await self.next_event(max(deadline - loop.time(), 0.01))
            if kind == "message" and data["user"] == user and data["item"]["from"] == "bot" \
                    and predicate(data["item"]):
                return dict(data["item"])

    async def post(self, path: str, body: Any, **kwargs: Any) -> tuple[int, dict[str, Any]]:
        async with self.http.post(f"{self.url}{path}", json=body, **kwargs) as response:
            return response.status, await response.json()

    async def send(self, user: int, text: str, reply_to: int | None = None
                   ) -> tuple[int, dict[str, Any]]:
        return await self.post("/api/send", {"user": user, "text": text, "reply_to": reply_to})

    async def press(self, user: int, item: dict[str, Any], caption: str
                    ) -> tuple[int, dict[str, Any]]:
        """Tap the button whose caption contains ``caption``."""
        found = [b for row in item["buttons"] for b in row if caption in b["text"]]
        assert len(found) == 1, (caption, item["buttons"])
        return await self.post("/api/press", {"user": user, "message_id": item["id"],
                                              "data": found[0]["data"]})


def has(text: str) -> Callable[[dict[str, Any]], bool]:
    """A predicate: the message's text contains ``text``."""
    return lambda item: text in item["text"]


async def onboard(user: SimUser) -> None:
    """/start, English, I agree, Seoul, straight on the simulated user (no page)."""
    await user.command("/start")
    for key, button in (("onboarding.choose_language", "onboarding.language_name.en"),
                        ("onboarding.terms", "onboarding.button.agree"),
                        ("onboarding.choose_zone", "onboarding.zone.seoul")):
        await user.press(await user.expect(t("en", key).split("\n", 1)[0]), t("en", button))
    await user.expect(t("en", "menu.welcome"), edited_ok=False)


@pytest.fixture
async def playground(tmp_path: Path) -> AsyncIterator[Running]:
    """A playground with its own data folder, on a free port of loopback."""
    async with running_playground(tmp_path / "data", "127.0.0.1", 0, poll_timeout=1) as running:
        yield running


@pytest.fixture
async def page(playground: Running) -> AsyncIterator[PageClient]:
    """A page client connected to the playground's stream."""
    async with aiohttp.ClientSession() as http:
        client = PageClient(http, playground.url)
        await client.connect()
        try:
            yield client
        finally:
            await client.close()
