"""Time: aware UTC everywhere; tests inject a FrozenClock instead of sleeping."""

from __future__ import annotations

import datetime as dt
from typing import Protocol

__all__ = ["SYSTEM_CLOCK", "Clock", "FrozenClock", "OffsetClock", "SystemClock", "utcnow"]


def utcnow() -> dt.datetime:
    """The current time, aware, in UTC."""
    return dt.datetime.now(dt.UTC)


class Clock(Protocol):
    """Anything that tells the time."""

    def now(self) -> dt.datetime:
        """The current time, aware, in UTC."""


class SystemClock:
    """The real clock."""

    __slots__ = ()

    def now(self) -> dt.datetime:
        """The current time, aware, in UTC."""
        return utcnow()


class FrozenClock:
    """A clock that moves only when told to (tests, benchmarks)."""

    __slots__ = ("_now",)

    def __init__(self, start: dt.datetime | None = None) -> None:
        self._now = start or utcnow()

    def now(self) -> dt.datetime:
        """The frozen time."""
        return self._now

    def advance(self, **delta: float) -> dt.datetime:
        """Move time forward by ``timedelta(**delta)`` and return the new time."""
        self._now += dt.timedelta(**delta)
        return self._now

    def set(self, when: dt.datetime) -> None:
        """Jump to ``when`` (aware)."""
        self._now = when


class OffsetClock:
    """Real time plus an offset that tests move forward (lease expiry, cooldowns, think time)."""

    __slots__ = ("_offset",)

    def __init__(self) -> None:
        self._offset = dt.timedelta()

    def now(self) -> dt.datetime:
        """Real UTC time plus the offset."""
        return utcnow() + self._offset

    def advance(self, **delta: float) -> dt.datetime:
        """Move time forward by ``timedelta(**delta)`` and return the new time."""
        self._offset += dt.timedelta(**delta)
        return self.now()


SYSTEM_CLOCK = SystemClock()
