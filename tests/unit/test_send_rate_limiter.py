"""SendRateLimiter: the 30-per-second budget counts messages sent, not edits or answers."""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest
from telegram.error import RetryAfter

from gigbot.app import SendRateLimiter


async def _ok(calls: list[str], name: str) -> bool:
    calls.append(name)
    return True


async def test_edits_and_answers_pass_while_the_send_budget_is_spent() -> None:
    limiter = SendRateLimiter(overall_max_rate=1, overall_time_period=3600)
    await limiter.initialize()
    calls: list[str] = []
    chat = {"chat_id": 1, "text": "x"}
    assert await limiter.process_request(_ok, (calls, "send"), {}, "sendMessage", chat, None)
    # the one token of the hour is spent: a counted call would wait for an hour
    edit = limiter.process_request(_ok, (calls, "edit"), {}, "editMessageText",
                                   {**chat, "message_id": 2}, None)
    assert await asyncio.wait_for(edit, timeout=60)
    delete = limiter.process_request(_ok, (calls, "delete"), {}, "deleteMessage",
                                     {"chat_id": 1, "message_id": 2}, None)
    assert await asyncio.wait_for(delete, timeout=60)
    answer = limiter.process_request(_ok, (calls, "answer"), {}, "answerCallbackQuery",
                                     {"callback_query_id": "q"}, None)
    assert await asyncio.wait_for(answer, timeout=60)
    assert calls == ["send", "edit", "delete", "answer"]
    await limiter.shutdown()


async def test_sends_copies_and_forwards_still_wait_for_the_budget() -> None:
    limiter = SendRateLimiter(overall_max_rate=1, overall_time_period=3600)
    await limiter.initialize()
    calls: list[str] = []
    await limiter.process_request(_ok, (calls, "first"), {}, "sendMessage", {"chat_id": 1}, None)
    waiting = [
        asyncio.create_task(limiter.process_request(_ok, (calls, method), {}, method,
                                                    {"chat_id": 1}, None))
        for method in ("sendPhoto", "copyMessage", "forwardMessage")
    ]
    for _ in range(20):  # let every task run as far as it can without the clock moving
        await asyncio.sleep(0)
    assert [task.done() for task in waiting] == [False, False, False]
    assert calls == ["first"]
    for task in waiting:
        task.cancel()
    await asyncio.gather(*waiting, return_exceptions=True)
    await limiter.shutdown()


async def test_a_429_on_a_send_does_not_hold_callback_answers() -> None:
    """PTB pauses every call while a 429 is waited out; here only the sends wait."""
    limiter = SendRateLimiter(overall_max_rate=30, overall_time_period=1, max_retries=1)
    await limiter.initialize()
    flooded = asyncio.Event()

    async def flood() -> bool:
        flooded.set()
        raise RetryAfter(dt.timedelta(seconds=3600))

    send = asyncio.create_task(limiter.process_request(flood, (), {}, "sendMessage",
                                                       {"chat_id": 1}, None))
    await flooded.wait()
    for _ in range(5):  # the send is now sleeping out its hour, every counted call with it
        await asyncio.sleep(0)
    calls: list[str] = []
    answer = limiter.process_request(_ok, (calls, "answer"), {}, "answerCallbackQuery",
                                     {"callback_query_id": "q"}, None)
    assert await asyncio.wait_for(answer, timeout=60)
    assert calls == ["answer"] and not send.done()
    send.cancel()
    await asyncio.gather(send, return_exceptions=True)
    await limiter.shutdown()


async def test_an_edit_waits_out_its_own_429_and_gives_up_after_the_retries() -> None:
    limiter = SendRateLimiter(overall_max_rate=30, overall_time_period=1, max_retries=2)
    await limiter.initialize()
    tries: list[int] = []

    async def busy() -> bool:
        tries.append(1)
        if len(tries) < 3:
            raise RetryAfter(dt.timedelta(seconds=0))
        return True

    edit = {"chat_id": 1, "message_id": 2}
    assert await limiter.process_request(busy, (), {}, "editMessageText", edit, None)
    assert len(tries) == 3  # two 429s waited out, the third try went through
    tries.clear()
    with pytest.raises(RetryAfter):
        await limiter.process_request(busy, (), {}, "editMessageText", edit, 1)
    assert len(tries) == 2  # one retry allowed for this call
    await limiter.shutdown()
