"""Database set-up: the tortoise config, SQLite pragmas, migrations, a clean shutdown.

SQLite (the default) runs with WAL, foreign keys on and a busy timeout; PostgreSQL goes through
asyncpg. Schema changes are versioned migrations in ``gigbot/migrations`` applied by
``migrate()``, which is idempotent and runs at every ``gigbot run``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from tortoise import Tortoise
from tortoise.backends.base.executor import EXECUTOR_CACHE
from tortoise.connection import connections

__all__ = ["close_db", "database", "dialect", "init_db", "migrate", "tortoise_config"]

MODELS = "gigbot.db.models"
MIGRATIONS = "gigbot.db.migrations"
_SQLITE_DEFAULTS = {"busy_timeout": "10000", "synchronous": "NORMAL", "journal_mode": "WAL"}


def normalise_url(url: str) -> str:
    """Add gigbot's SQLite pragmas to a sqlite URL and create its folder; others pass through."""
    if not url.startswith("sqlite://"):
        return url
    parts = urlsplit(url)
    path = url[len("sqlite://") :].split("?", 1)[0]
    if path != ":memory:":
        Path(path).expanduser().parent.mkdir(parents=True, exist_ok=True)
    query = dict(_SQLITE_DEFAULTS)
    query.update(dict(parse_qsl(parts.query)))
    return f"sqlite://{path}?{urlencode(query)}"


def tortoise_config(url: str) -> dict[str, Any]:
    """The tortoise config for gigbot's one app on ``url``."""
    return {
        "connections": {"default": normalise_url(url)},
        "apps": {
            "models": {
                "models": [MODELS],
                "default_connection": "default",
                "migrations": MIGRATIONS,
            }
        },
        "use_tz": True,
        "timezone": "UTC",
    }


async def migrate(url: str) -> None:
    """Apply every pending migration to the database at ``url`` (idempotent)."""
    from tortoise.migrations.api import migrate as tortoise_migrate

    await tortoise_migrate(config=tortoise_config(url))


async def init_db(url: str, *, apply_migrations: bool = True) -> None:
    """Connect (and first migrate) the database at ``url``."""
    # tortoise caches each model's INSERT SQL by connection name, not dialect: forget it, or a
    # process that moves from SQLite to PostgreSQL (the test suite) sends "?" placeholders to PG.
    EXECUTOR_CACHE.clear()
    if apply_migrations:
        await migrate(url)
        await Tortoise.close_connections()
    await Tortoise.init(config=tortoise_config(url))


async def close_db() -> None:
    """Close every connection; without it aiosqlite's thread keeps the process alive."""
    await Tortoise.close_connections()


@asynccontextmanager
async def database(url: str, *, apply_migrations: bool = True) -> AsyncIterator[None]:
    """``async with database(url):`` connected (and migrated) for the block."""
    await init_db(url, apply_migrations=apply_migrations)
    try:
        yield
    finally:
        await close_db()


def dialect() -> str:
    """``sqlite`` or ``postgres``: the dialect of the default connection."""
    return str(connections.get("default").capabilities.dialect)


def redact(url: str) -> str:
    """The URL without its password, for messages."""
    parts = urlsplit(url)
    if parts.password:
        netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
        return urlunsplit(parts._replace(netloc=netloc))
    return url
