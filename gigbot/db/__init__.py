"""Database set-up: the tortoise config, SQLite pragmas, migrations, a clean shutdown.

SQLite (the default) runs with WAL, foreign keys on and a busy timeout; PostgreSQL goes through
asyncpg. Schema changes are versioned migrations in ``gigbot/migrations`` applied by
``migrate()``, which is idempotent and runs at every ``gigbot run``.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from tortoise import Tortoise
from tortoise.connection import connections

from gigbot.db.reach import check_database, sqlite_path

__all__ = [
    "close_db", "connection_name", "database", "dialect", "init_db", "migrate", "ping",
    "tortoise_config",
]

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


def connection_name(url: str) -> str:
    """The name of gigbot's one connection to ``url``: its scheme, so it names the dialect.

    tortoise caches each model's INSERT SQL by connection name, not by dialect: one name for
    every database would send SQLite's "?" placeholders to PostgreSQL in a process that moves
    from one to the other (the test suite).
    """
    return urlsplit(url).scheme or "default"


def tortoise_config(url: str) -> dict[str, Any]:
    """The tortoise config for gigbot's one app on ``url``."""
    name = connection_name(url)
    return {
        "connections": {name: normalise_url(url)},
        "apps": {
            "models": {
                "models": [MODELS],
                "default_connection": name,
                "migrations": MIGRATIONS,
            }
        },
        "use_tz": True,
        "timezone": "UTC",
    }


async def migrate(url: str) -> None:
    """Apply every pending migration to the database at ``url`` (idempotent)."""
    from tortoise.migrations.api import migrate as tortoise_migrate

    await check_database(url)
    await tortoise_migrate(config=tortoise_config(url))


async def init_db(url: str, *, apply_migrations: bool = True) -> None:
    """Connect (and first migrate) the database at ``url``; ``DatabaseError`` if it cannot."""
    await check_database(url)
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
    return str(connections.get(next(iter(connections.db_config))).capabilities.dialect)


def redact(url: str) -> str:
    """The URL without its password, for messages."""
    parts = urlsplit(url)
    if parts.password:
        netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
        return urlunsplit(parts._replace(netloc=netloc))
    return url


async def ping(url: str, *, timeout: float = 2.0) -> str | None:
    """None when the database at ``url`` answers a query within ``timeout`` s, else the cause.

    A SQLite file deleted under a running bot still answers through its open handle, but
    every write then goes to a file nobody will open again: that counts as gone.
    """
    path = sqlite_path(url)
    if path is not None and not path.is_file():
        return "the SQLite file is gone"
    try:
        client = connections.get(next(iter(connections.db_config)))
        await asyncio.wait_for(client.execute_query("SELECT 1"), timeout)
    except TimeoutError:
        return "no answer"
    except Exception as exc:  # any driver or connection error means: not answering
        return type(exc).__name__
    return None
