"""Who is an admin: the ids in GIGBOT_ADMINS plus those added with ``gigbot admin add``.

Owner of the ``admin`` table. Every admin handler and admin button checks ``is_admin`` again.
"""

from __future__ import annotations

from dataclasses import dataclass

from gigbot.clock import SYSTEM_CLOCK
from gigbot.config import Settings
from gigbot.db.models import Admin

__all__ = [
    "AdminEntry",
    "add_admin",
    "admin_ids",
    "is_admin",
    "list_admins",
    "remove_admin",
]


@dataclass(frozen=True, slots=True)
class AdminEntry:
    """One admin and where the right comes from (``env`` or ``db``)."""

    tg_id: int
    source: str


async def is_admin(tg_id: int, settings: Settings) -> bool:
    """True for ids in GIGBOT_ADMINS and in the admin table."""
    return tg_id in settings.admins or await Admin.exists(tg_id=tg_id)


async def list_admins(settings: Settings) -> list[AdminEntry]:
    """Every admin, environment first, each id once, sorted."""
    stored = {int(admin.tg_id) for admin in await Admin.all()}
    entries = [AdminEntry(tg_id=i, source="env") for i in sorted(settings.admins)]
    entries += [AdminEntry(tg_id=i, source="db") for i in sorted(stored - settings.admins)]
    return entries


async def admin_ids(settings: Settings) -> list[int]:
    """The Telegram ids of every admin (for admin notices)."""
    return [entry.tg_id for entry in await list_admins(settings)]


async def add_admin(tg_id: int) -> bool:
    """Store an admin; False when already stored."""
    _, created = await Admin.get_or_create(tg_id=tg_id, defaults={"added_at": SYSTEM_CLOCK.now()})
    return bool(created)


async def remove_admin(tg_id: int) -> bool:
    """Remove a stored admin; False when there was none."""
    return bool(await Admin.filter(tg_id=tg_id).delete())
