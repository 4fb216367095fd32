"""Webhook delivery: updates are POSTed to the bot, in order per chat, retried on failure."""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections import deque
from typing import Any

import aiohttp

__all__ = ["Webhook"]

log = logging.getLogger(__name__)


def _chat_key(update: dict[str, Any]) -> int:
    """Updates of one chat (or one user) are delivered one at a time, in order."""
    for value in update.values():
        if isinstance(value, dict):
            chat = value.get("chat") or (value.get("message") or {}).get("chat")
            if isinstance(chat, dict) and "id" in chat:
                return int(chat["id"])
            sender = value.get("from")
            if isinstance(sender, dict) and "id" in sender:
                return int(sender["id"])
    return 0


class Webhook:
    """An active webhook: per-chat queues, ``max_connections`` concurrent POSTs."""

    def __init__(
        self,
        url: str,
        *,
        secret_token: str | None,
        max_connections: int,
        allowed_updates: list[str] | None,
        retry_delay: float,
        timeout: float,
    ) -> None:
        self.url = url
        self.secret_token = secret_token
        self.max_connections = max_connections
        self.allowed_updates = allowed_updates
        self.retry_delay = retry_delay
        self.timeout = timeout
        self.last_error_date: int | None = None
        self.last_error_message: str | None = None
        self.delivered = 0
        self._queues: dict[int, deque[dict[str, Any]]] = {}
        self._ready: asyncio.Queue[int] = asyncio.Queue()
        self._busy: set[int] = set()
        self._pending = 0
        self._session: aiohttp.ClientSession | None = None
        self._workers: list[asyncio.Task[None]] = []

    @property
    def pending_update_count(self) -> int:
        """Updates not yet accepted by the bot."""
        return self._pending

    def start(self) -> None:
        """Open the HTTP session and start the delivery workers."""
        self._session = aiohttp.ClientSession(
            timeout=aiohttp.ClientTimeout(total=self.timeout),
            json_serialize=lambda obj: json.dumps(obj, ensure_ascii=False),
        )
        self._workers = [
            asyncio.create_task(self._work(), name=f"emulator-webhook-{i}")
            for i in range(self.max_connections)
        ]

    async def stop(self) -> list[dict[str, Any]]:
        """Stop delivering; returns the updates still pending, oldest first per chat."""
        for worker in self._workers:
            worker.cancel()
        await asyncio.gather(*self._workers, return_exceptions=True)
        self._workers = []
        if self._session is not None:
            await self._session.close()
            self._session = None
        left = [update for queue in self._queues.values() for update in queue]
        left.sort(key=lambda update: int(update["update_id"]))
        self._queues.clear()
        self._pending = 0
        return left

    def push(self, update: dict[str, Any]) -> None:
        """Queue one update for delivery."""
        key = _chat_key(update)
        queue = self._queues.get(key)
        if queue is None:
            queue = self._queues[key] = deque()
        queue.append(update)
        self._pending += 1
        if key not in self._busy and len(queue) == 1:
            self._ready.put_nowait(key)

    async def _work(self) -> None:
        while True:
            key = await self._ready.get()
            queue = self._queues.get(key)
            if not queue:
                continue
            self._busy.add(key)
            try:
                await self._deliver(queue[0])
                queue.popleft()
                self._pending -= 1
            finally:
                self._busy.discard(key)
            if queue:
                self._ready.put_nowait(key)
            else:
                del self._queues[key]

    async def _deliver(self, update: dict[str, Any]) -> None:
        """POST until the bot answers 2xx, backing off between attempts."""
        session = self._session
        if session is None:
            raise RuntimeError("the webhook is not started")
        headers = {"Content-Type": "application/json"}
        if self.secret_token:
            headers["X-Telegram-Bot-Api-Secret-Token"] = self.secret_token
        body = json.dumps(update, ensure_ascii=False).encode()
        delay = self.retry_delay
        while True:
            try:
                async with session.post(self.url, data=body, headers=headers) as response:
                    if 200 <= response.status < 300:
                        self.delivered += 1
                        return
                    reason = (
                        f"Wrong response from the webhook: {response.status} {response.reason}"
                    )
            except (aiohttp.ClientError, TimeoutError) as error:
                reason = f"Connection failed: {type(error).__name__}"
            self.last_error_date = int(time.time())
            self.last_error_message = reason
            log.debug("webhook delivery failed update=%s: %s", update["update_id"], reason)
            await asyncio.sleep(delay)
            delay = min(delay * 2, 2.0)
