"""Random Bot API failures, as a bad day at Telegram looks to a bot: for fault tests.

``Emulator.fail_randomly(rate)`` makes that share of calls fail, each in one of three ways
chosen at random:

- ``5xx``: the call is refused with 500 or 502 before it does anything;
- ``drop``: the connection closes before the call does anything (the client sees a network
  error and cannot know whether the call took effect);
- ``lost``: the call takes effect (a message is sent, an edit made), then the connection closes
  before the answer, as when Telegram acted but its reply was lost.

A seed makes a run repeatable. Methods can be spared (``getMe`` is, by default, so that a bot
can start at all).
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass, field
from enum import StrEnum

__all__ = ["Chaos", "Failure"]


class Failure(StrEnum):
    """How a call fails."""

    SERVER_ERROR = "5xx"
    DROP = "drop"
    LOST = "lost"


@dataclass(slots=True)
class Chaos:
    """Which calls fail and how; ``counts`` tells what was done, by method and failure."""

    rate: float
    failures: tuple[Failure, ...] = tuple(Failure)
    spare: frozenset[str] = frozenset({"getme"})
    rng: random.Random = field(default_factory=random.Random)
    counts: Counter[tuple[str, Failure]] = field(default_factory=Counter)

    def draw(self, method: str) -> Failure | None:
        """The failure for this call of ``method``, or None when it goes through."""
        if method.lower() in self.spare or self.rng.random() >= self.rate:
            return None
        failure = self.rng.choice(self.failures)
        self.counts[(method, failure)] += 1
        return failure

    def status(self) -> int:
        """The status code of a ``5xx`` failure."""
        return self.rng.choice((500, 502))

    @property
    def total(self) -> int:
        """How many calls failed so far."""
        return sum(self.counts.values())
