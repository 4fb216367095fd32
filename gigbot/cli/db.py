"""``gigbot db migrate``: the schema brought up to date, before a deployment or by hand."""

from __future__ import annotations

import argparse

from gigbot.config import Settings
from gigbot.db import close_db, migrate, redact

__all__ = ["migrate_command"]


async def migrate_command(_args: argparse.Namespace, settings: Settings) -> int:
    """``gigbot db migrate``: apply the pending schema migrations (idempotent)."""
    try:
        await migrate(settings.db_url)
    finally:
        await close_db()
    print(f"database is up to date: {redact(settings.db_url)}")
    return 0
