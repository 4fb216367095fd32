"""Receiving updates: getUpdates (long polling) and the webhook methods."""

from __future__ import annotations

import re
from typing import Any

from .errors import bad_request
from .host import Described, Host
from .params import Params
from .webhook import Webhook

__all__ = ["delete_webhook", "get_updates", "get_webhook_info", "set_webhook"]

_SECRET = re.compile(r"[A-Za-z0-9_-]{1,256}")


def _allowed(p: Params) -> list[str] | None:
    value = p.obj("allowed_updates", error="can't parse allowed updates")
    if value is None:
        return None
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise bad_request("can't parse allowed updates")
    return value


async def get_updates(emu: Host, p: Params) -> list[dict[str, Any]]:
    """Confirm updates below ``offset``, then return up to ``limit``, waiting ``timeout`` s."""
    queue = emu.update_queue
    queue.refuse_polling_under_webhook()
    offset = p.integer("offset") or 0
    limit = min(max(p.integer("limit") or 100, 1), 100)
    timeout = max(p.integer("timeout") or 0, 0)
    return await queue.poll(offset=offset, limit=limit, timeout=timeout, allowed=_allowed(p))


async def set_webhook(emu: Host, p: Params) -> Any:
    """Start POSTing updates to ``url``; an empty url removes the webhook."""
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
    emu.update_queue.set_allowed(allowed)
    hook = Webhook(
        url,
        secret_token=secret,
        max_connections=max_connections,
        allowed_updates=allowed,
        retry_delay=emu.webhook_retry_delay,
        timeout=60.0,
    )
    await emu.update_queue.install_webhook(hook, drop_pending=p.flag("drop_pending_updates"))
    return Described(True, "Webhook was set")


async def delete_webhook(emu: Host, p: Params) -> Any:
    """Stop webhook delivery; undelivered updates wait for getUpdates (unless dropped)."""
    removed = await emu.update_queue.remove_webhook(drop_pending=p.flag("drop_pending_updates"))
    return Described(True, "Webhook was deleted" if removed else "Webhook is already deleted")


async def get_webhook_info(emu: Host, p: Params) -> dict[str, Any]:
    """The current webhook (url '' when polling), its pending count and last error."""
    hook = emu.update_queue.webhook
    if hook is None:
        return {
            "url": "",
            "has_custom_certificate": False,
            "pending_update_count": emu.update_queue.pending,
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
