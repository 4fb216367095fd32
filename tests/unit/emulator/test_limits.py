"""Token buckets of the emulator's flood limits, on an injected clock."""

from __future__ import annotations

import pytest

from gigbot.emulator import RateLimiter, RateLimits, TokenBucket


class Clock:
    """A hand-moved monotonic clock."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_bucket_allows_a_burst_then_refills_at_its_rate() -> None:
    bucket = TokenBucket(rate=2.0, burst=3, now=0.0)
    for _ in range(3):
        assert bucket.wait_time(0.0) == 0.0
        bucket.take(0.0)
    assert bucket.wait_time(0.0) == pytest.approx(0.5)
    assert bucket.wait_time(0.5) == 0.0
    bucket.take(0.5)
    assert bucket.wait_time(0.5) == pytest.approx(0.5)


def test_bucket_never_holds_more_than_its_burst() -> None:
    bucket = TokenBucket(rate=1.0, burst=2, now=0.0)
    for _ in range(2):
        bucket.take(100.0)
    assert bucket.wait_time(100.0) == pytest.approx(1.0)


def test_bucket_rejects_a_meaningless_configuration() -> None:
    with pytest.raises(ValueError, match="rate > 0"):
        TokenBucket(rate=0.0, burst=1, now=0.0)


def test_one_chat_gets_its_burst_then_about_one_message_a_second() -> None:
    clock = Clock()
    limiter = RateLimiter(RateLimits(chat_per_s=1.0, chat_burst=5), clock)
    assert [limiter.acquire(1) for _ in range(5)] == [None] * 5
    assert limiter.acquire(1) == 1
    assert limiter.acquire(2) is None  # another chat has its own bucket
    clock.now += 1.0
    assert limiter.acquire(1) is None
    assert limiter.acquire(1) == 1


def test_overall_limit_spans_chats_and_retry_after_is_whole_seconds() -> None:
    clock = Clock()
    limiter = RateLimiter(RateLimits(global_per_s=30.0, global_burst=30), clock)
    assert all(limiter.acquire(chat) is None for chat in range(30))
    assert limiter.acquire(99) == 1
    clock.now += 0.04  # a little more than 1/30 s
    assert limiter.acquire(99) is None


def test_refused_message_spends_no_token() -> None:
    clock = Clock()
    limiter = RateLimiter(RateLimits(global_per_s=1.0, global_burst=1, chat_burst=1), clock)
    assert limiter.acquire(1) is None
    assert limiter.acquire(2) == 1  # refused by the overall bucket: chat 2 keeps its token
    clock.now += 1.0
    assert limiter.acquire(2) is None


def test_slow_refill_gives_a_longer_retry_after() -> None:
    clock = Clock()
    limiter = RateLimiter(RateLimits(chat_per_s=0.25, chat_burst=1), clock)
    assert limiter.acquire(7) is None
    assert limiter.acquire(7) == 4


def test_disabled_limits_never_refuse() -> None:
    limiter = RateLimiter(RateLimits.off(), Clock())
    assert all(limiter.acquire(1) is None for _ in range(1000))
