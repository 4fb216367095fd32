"""``gigbot admin add|remove|list``: admins besides GIGBOT_ADMINS, kept in the database."""

from __future__ import annotations

import argparse

from gigbot.config import Settings
from gigbot.db import database
from gigbot.errors import ConfigError
from gigbot.members.admins import add_admin, list_admins, remove_admin

__all__ = ["add_command", "list_command", "remove_command"]


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
