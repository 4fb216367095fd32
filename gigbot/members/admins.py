"""Who is an admin: the ids in GIGBOT_ADMINS plus those added with ``gigbot admin add``.

Owner of the ``admin`` table. Every admin handler and admin button checks ``is_admin`` again.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass

from gigbot.clock import SYSTEM_CLOCK
from gigbot.config import Settings
from gigbot.db import database
from gigbot.db.models import Admin
from gigbot.errors import ConfigError

__all__ = [
    "AdminEntry",
    "add_admin",
    "add_command",
    "admin_ids",
    "is_admin",
    "list_admins",
    "list_command",
    "remove_admin",
    "remove_command",
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


def _check_id(tg_id: int) -> None:
    if tg_id <= 0:
        raise ConfigError(f"ID must be a positive Telegram user id, got {tg_id}")


async def add_command(args: argparse.Namespace, settings: Settings) -> int:
    """``gigbot admin add ID``."""
    _check_id(args.id)
    async with database(settings.db_url):
        created = await add_admin(args.id)
    print(f"{args.id} is {'now' if created else 'already'} an admin")
    return 0


async def remove_command(args: argparse.Namespace, settings: Settings) -> int:
    """``gigbot admin remove ID``; ids from GIGBOT_ADMINS can only be removed there."""
    _check_id(args.id)
    async with database(settings.db_url):
        removed = await remove_admin(args.id)
    if args.id in settings.admins:
        print(f"{args.id} stays an admin: it is listed in GIGBOT_ADMINS")
        return 1
    print(f"{args.id} {'is no longer' if removed else 'was not'} an admin")
    return 0


async def list_command(_args: argparse.Namespace, settings: Settings) -> int:
    """``gigbot admin list``: one id a line with its source."""
    async with database(settings.db_url):
        entries = await list_admins(settings)
    for entry in entries:
        print(f"{entry.tg_id}\t{'GIGBOT_ADMINS' if entry.source == 'env' else 'added'}")
    if not entries:
        print("no admins: set GIGBOT_ADMINS or run gigbot admin add ID")
    return 0
