"""Telegram-like flood limits: token buckets for the whole bot and for each chat."""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass

__all__ = ["RateLimiter", "RateLimits", "TokenBucket"]


@dataclass(frozen=True, slots=True)
class RateLimits:
    """How many messages the bot may send; beyond them the emulator answers 429.

    Telegram documents about 30 messages per second overall and about one per second in a
    chat, with short bursts tolerated. Only the ``send*`` methods count; edits and callback
    answers are not limited (Telegram limits them far more loosely).
    """

    enabled: bool = True
    global_per_s: float = 30.0
    chat_per_s: float = 1.0
    chat_burst: int = 20
    global_burst: int = 30

    @classmethod
    def off(cls) -> RateLimits:
        """No limits at all (benchmarks of the bot's own speed)."""
        return cls(enabled=False)


class TokenBucket:
    """``burst`` tokens, refilled at ``rate`` per second; one message takes one token."""

    __slots__ = ("_at", "_tokens", "burst", "rate")

    def __init__(self, rate: float, burst: float, now: float) -> None:
        if rate <= 0 or burst < 1:
            raise ValueError("a token bucket needs rate > 0 and burst >= 1")
        self.rate = rate
        self.burst = float(burst)
        self._tokens = float(burst)
        self._at = now

    def _refill(self, now: float) -> None:
        if now > self._at:
            self._tokens = min(self.burst, self._tokens + (now - self._at) * self.rate)
            self._at = now

    def wait_time(self, now: float) -> float:
        """Seconds until one token is available (0 when one is available now)."""
        self._refill(now)
        return 0.0 if self._tokens >= 1 else (1 - self._tokens) / self.rate

    def take(self, now: float) -> None:
        """Spend one token (call :meth:`wait_time` first)."""
        self._refill(now)
        self._tokens -= 1


class RateLimiter:
    """Checks one message against the overall bucket and the chat's bucket, all or nothing."""

    __slots__ = ("_chats", "_global", "_now", "limits")

    def __init__(self, limits: RateLimits, now: Callable[[], float] = time.monotonic) -> None:
        self.limits = limits
        self._now = now
        self._global = TokenBucket(limits.global_per_s, limits.global_burst, now())
        self._chats: dict[int, TokenBucket] = {}

    def acquire(self, chat_id: int) -> int | None:
        """Count one message to ``chat_id``; None if allowed, else ``retry_after`` seconds."""
        if not self.limits.enabled:
            return None
        now = self._now()
        chat = self._chats.get(chat_id)
        if chat is None:
            chat = self._chats[chat_id] = TokenBucket(
                self.limits.chat_per_s, self.limits.chat_burst, now
            )
        wait = max(self._global.wait_time(now), chat.wait_time(now))
        if wait > 0:
            return max(1, math.ceil(wait))
        self._global.take(now)
        chat.take(now)
        return None
