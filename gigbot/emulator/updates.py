"""Receiving updates: getUpdates (long polling) and the webhook methods."""

from __future__ import annotations

import asyncio
import itertools
import re
from typing import TYPE_CHECKING, Any

from .errors import ApiError, bad_request
from .params import Params
from .webhook import Webhook

if TYPE_CHECKING:
    from .server import Emulator

__all__ = ["delete_webhook", "get_updates", "get_webhook_info", "set_webhook"]

_SECRET = re.compile(r"[A-Za-z0-9_-]{1,256}")
_CONFLICT_WEBHOOK = (
    "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to "
    "delete the webhook first"
)
_CONFLICT_POLL = (
    "Conflict: terminated by other getUpdates request; make sure that only one bot instance "
    "is running"
)


def _allowed(p: Params) -> list[str] | None:
    value = p.obj("allowed_updates", error="can't parse allowed updates")
    if value is None:
        return None
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise bad_request("can't parse allowed updates")
    return value


def _set_allowed(emu: Emulator, allowed: list[str] | None) -> None:
    if allowed is not None:  # not given: keep the previous setting, as Telegram does
        emu._allowed = frozenset(allowed) if allowed else None


async def get_updates(emu: Emulator, p: Params) -> list[dict[str, Any]]:
    """Confirm updates below ``offset``, then return up to ``limit``, waiting ``timeout`` s."""
    if emu._webhook is not None:
        raise ApiError(409, _CONFLICT_WEBHOOK)
    offset = p.integer("offset") or 0
    limit = min(max(p.integer("limit") or 100, 1), 100)
    timeout = max(p.integer("timeout") or 0, 0)
    _set_allowed(emu, _allowed(p))
    updates = emu._updates
    if offset < 0:
        while len(updates) > -offset:
            updates.popleft()
    else:
        while updates and updates[0]["update_id"] < offset:
            updates.popleft()
    emu._poll_generation += 1
    generation = emu._poll_generation
    emu._signal_updates()  # an older poll still waiting is terminated (409), as on Telegram
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    waiting = False
    try:
        while True:
            if generation != emu._poll_generation:
                raise ApiError(409, _CONFLICT_POLL)
            if emu._webhook is not None:
                raise ApiError(409, _CONFLICT_WEBHOOK)
            if updates or emu._closing:
                return list(itertools.islice(updates, limit))
            remaining = deadline - loop.time()
            if remaining <= 0:
                return []
            if not waiting:
                waiting = True
                emu._poll_started()
            signal = emu._updates_signal
            try:
                await asyncio.wait_for(signal.wait(), remaining)
            except TimeoutError:
                continue
    finally:
        if waiting:
            emu._polls_waiting -= 1


async def set_webhook(emu: Emulator, p: Params) -> Any:
    """Start POSTing updates to ``url``; an empty url removes the webhook."""
    from .methods import Described

    url = (p.text("url") or "").strip()
    if not url:
        return await delete_webhook(emu, p)
    if not url.startswith(("http://", "https://")):
        raise bad_request("bad webhook: Webhook can be set up only on ports 80, 88, 443 or 8443")
    secret = p.text("secret_token")
    if secret is not None and not _SECRET.fullmatch(secret):
        raise bad_request("secret token contains unallowed characters")
    max_connections = min(max(p.integer("max_connections") or 40, 1), 100)
    allowed = _allowed(p)
    _set_allowed(emu, allowed)
    pending: list[dict[str, Any]] = []
    if emu._webhook is not None:
        pending = await emu._webhook.stop()
    pending.extend(emu._updates)
    emu._updates.clear()
    if p.flag("drop_pending_updates"):
        pending = []
    hook = Webhook(
        url,
        secret_token=secret,
        max_connections=max_connections,
        allowed_updates=allowed,
        retry_delay=emu.webhook_retry_delay,
        timeout=60.0,
    )
    hook.start()
    emu._webhook = hook
    for update in pending:
        hook.push(update)
    emu._signal_updates()  # a waiting getUpdates now fails with 409
    return Described(True, "Webhook was set")


async def delete_webhook(emu: Emulator, p: Params) -> Any:
    """Stop webhook delivery; undelivered updates wait for getUpdates (unless dropped)."""
    from .methods import Described

    hook, emu._webhook = emu._webhook, None
    if hook is None:
        if p.flag("drop_pending_updates"):
            emu._updates.clear()
        return Described(True, "Webhook is already deleted")
    pending = await hook.stop()
    if not p.flag("drop_pending_updates"):
        emu._updates.extendleft(reversed(pending))
    else:
        emu._updates.clear()
    return Described(True, "Webhook was deleted")


async def get_webhook_info(emu: Emulator, p: Params) -> dict[str, Any]:
    """The current webhook (url '' when polling), its pending count and last error."""
    hook = emu._webhook
    if hook is None:
        return {
            "url": "",
            "has_custom_certificate": False,
            "pending_update_count": len(emu._updates),
        }
    info: dict[str, Any] = {
        "url": hook.url,
        "has_custom_certificate": False,
        "pending_update_count": hook.pending_update_count,
        "max_connections": hook.max_connections,
        "ip_address": "127.0.0.1",
    }
    if hook.allowed_updates:
        info["allowed_updates"] = hook.allowed_updates
    if hook.last_error_date is not None:
        info["last_error_date"] = hook.last_error_date
        info["last_error_message"] = hook.last_error_message
    return info
