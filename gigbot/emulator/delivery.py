"""Where the bot's updates wait: a queue for getUpdates long polls, or an active webhook."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
from collections import deque
from typing import Any

from .errors import ApiError
from .webhook import Webhook

__all__ = ["UpdateQueue"]

_NOT_BY_DEFAULT = frozenset({"chat_member", "message_reaction", "message_reaction_count"})
_CONFLICT_WEBHOOK = (
    "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to "
    "delete the webhook first"
)
_CONFLICT_POLL = (
    "Conflict: terminated by other getUpdates request; make sure that only one bot instance "
    "is running"
)


class UpdateQueue:
    """The bot's updates not yet confirmed (polling) or accepted (webhook), and who waits."""

    def __init__(self) -> None:
        self._update_ids = itertools.count(700000001)
        self._updates: deque[dict[str, Any]] = deque()
        self._updates_signal = asyncio.Event()
        self._poll_generation = 0
        self._polls_waiting = 0
        self._poll_signal = asyncio.Event()
        self._allowed: frozenset[str] | None = None
        self._webhook: Webhook | None = None
        self._closing = False

    @property
    def webhook(self) -> Webhook | None:
        """The active webhook, None while the bot polls."""
        return self._webhook

    @property
    def pending(self) -> int:
        """Updates created but not yet confirmed (polling) or accepted (webhook)."""
        if self._webhook is not None:
            return self._webhook.pending_update_count
        return len(self._updates)

    @property
    def polling(self) -> bool:
        """Whether a getUpdates long poll is waiting for updates right now."""
        return self._polls_waiting > 0

    async def until_polling(self, timeout: float) -> None:
        """Wait until the bot has a long poll waiting (TimeoutError after ``timeout`` s)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not self.polling:
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise TimeoutError(f"no getUpdates long poll within {timeout} s")
            signal = self._poll_signal
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(signal.wait(), remaining)

    def open(self) -> None:
        """Serve long polls again after :meth:`close`."""
        self._closing = False

    async def close(self) -> None:
        """Waiting long polls return at once; webhook delivery ends."""
        self._closing = True
        self._wake()
        if self._webhook is not None:
            await self._webhook.stop()
            self._webhook = None

    def push(self, payload: dict[str, Any], *, duplicate: bool = False) -> int | None:
        """Turn ``{"message": {...}}`` into an update; returns its id (None if filtered)."""
        kind = next(iter(payload))
        allowed = self._allowed
        if (kind in _NOT_BY_DEFAULT) if allowed is None else (kind not in allowed):
            return None
        update_id = next(self._update_ids)
        update = {"update_id": update_id, **payload}
        for _ in range(2 if duplicate else 1):
            if self._webhook is not None:
                self._webhook.push(update)
            else:
                self._updates.append(update)
        self._wake()
        return update_id

    def set_allowed(self, allowed: list[str] | None) -> None:
        """The update types the bot asked for; None keeps the previous setting, as Telegram."""
        if allowed is not None:
            self._allowed = frozenset(allowed) if allowed else None

    def refuse_polling_under_webhook(self) -> None:
        """409 when a webhook is active: getUpdates is not allowed then."""
        if self._webhook is not None:
            raise ApiError(409, _CONFLICT_WEBHOOK)

    async def poll(
        self, *, offset: int, limit: int, timeout: int, allowed: list[str] | None
    ) -> list[dict[str, Any]]:
        """getUpdates: confirm updates below ``offset``, return up to ``limit``, wait if none."""
        self.set_allowed(allowed)
        updates = self._updates
        if offset < 0:
            while len(updates) > -offset:
                updates.popleft()
        else:
            while updates and updates[0]["update_id"] < offset:
                updates.popleft()
        self._poll_generation += 1
        generation = self._poll_generation
        self._wake()  # an older poll still waiting is terminated (409), as on Telegram
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        waiting = False
        try:
            while True:
                if generation != self._poll_generation:
                    raise ApiError(409, _CONFLICT_POLL)
                if self._webhook is not None:
                    raise ApiError(409, _CONFLICT_WEBHOOK)
                if updates or self._closing:
                    return list(itertools.islice(updates, limit))
                remaining = deadline - loop.time()
                if remaining <= 0:
                    return []
                if not waiting:
                    waiting = True
                    self._poll_started()
                signal = self._updates_signal
                try:
                    await asyncio.wait_for(signal.wait(), remaining)
                except TimeoutError:
                    continue
        finally:
            if waiting:
                self._polls_waiting -= 1

    async def install_webhook(self, hook: Webhook, *, drop_pending: bool) -> None:
        """Replace any webhook by ``hook``; it delivers the pending updates (unless dropped)."""
        pending: list[dict[str, Any]] = []
        if self._webhook is not None:
            pending = await self._webhook.stop()
        pending.extend(self._updates)
        self._updates.clear()
        if drop_pending:
            pending = []
        hook.start()
        self._webhook = hook
        for update in pending:
            hook.push(update)
        self._wake()  # a waiting getUpdates now fails with 409

    async def remove_webhook(self, *, drop_pending: bool) -> bool:
        """Stop webhook delivery; undelivered updates wait for getUpdates (unless dropped).

        Returns whether there was a webhook.
        """
        hook, self._webhook = self._webhook, None
        if hook is None:
            if drop_pending:
                self._updates.clear()
            return False
        pending = await hook.stop()
        if not drop_pending:
            self._updates.extendleft(reversed(pending))
        else:
            self._updates.clear()
        return True

    def _poll_started(self) -> None:
        self._polls_waiting += 1
        signal, self._poll_signal = self._poll_signal, asyncio.Event()
        signal.set()

    def _wake(self) -> None:
        signal, self._updates_signal = self._updates_signal, asyncio.Event()
        signal.set()
