"""Can the database be opened? Asked once before tortoise connects, answered in one line.

tortoise and its drivers report a database that cannot be opened badly: aiosqlite given a
folder never returns (its worker thread then keeps the process alive through SIGTERM and
Ctrl-C), and a missing folder or a refused PostgreSQL connection end in a traceback. These
checks ask the same question with a deadline and turn every answer into a ``DatabaseError``
that names the variable and the cause, which the command line prints as one line (exit 2).
"""

from __future__ import annotations

import asyncio
import os
import sqlite3
from pathlib import Path
from urllib.parse import urlsplit

import asyncpg  # type: ignore[import-untyped]  # no type information ships with it

from gigbot.errors import GigbotError

__all__ = ["CONNECT_TIMEOUT", "DatabaseError", "check_database", "sqlite_path"]

CONNECT_TIMEOUT = 5.0  # seconds; a start-up must fail within 10 s, whatever the network does


class DatabaseError(GigbotError):
    """The database named by GIGBOT_DB_URL cannot be opened or reached."""


def sqlite_path(url: str) -> Path | None:
    """The file of a ``sqlite://`` URL, or None for another database or ``:memory:``."""
    if not url.startswith("sqlite://"):
        return None
    path = url[len("sqlite://") :].split("?", 1)[0]
    return None if path == ":memory:" else Path(path).expanduser()


def _cause(exc: BaseException) -> str:
    """An exception as a short cause: its text without the errno prefix, else its type."""
    if isinstance(exc, OSError) and exc.errno:
        return os.strerror(exc.errno)
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__


def _check_sqlite(path: Path) -> None:
    if path.is_dir():
        raise DatabaseError(f"GIGBOT_DB_URL: {str(path)!r} is a folder, not a SQLite file")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise DatabaseError(
            f"GIGBOT_DB_URL: cannot create the folder {str(path.parent)!r}: {_cause(exc)}"
        ) from None
    try:
        # The standard library's driver opens the file the way aiosqlite will, but returns.
        connection = sqlite3.connect(path, timeout=CONNECT_TIMEOUT)
        try:
            connection.execute("PRAGMA schema_version").fetchone()
        finally:
            connection.close()
    except sqlite3.Error as exc:
        raise DatabaseError(
            f"GIGBOT_DB_URL: cannot open the SQLite file {str(path)!r}: {_cause(exc)}"
        ) from None


async def _check_postgres(url: str) -> None:
    parts = urlsplit(url)
    where = f"{parts.hostname or 'localhost'}:{parts.port or 5432}"
    dsn = url.replace("postgres://", "postgresql://", 1).split("?", 1)[0]
    try:
        connection = await asyncpg.connect(dsn, timeout=CONNECT_TIMEOUT)
    except (TimeoutError, OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
        cause = "no answer" if isinstance(exc, asyncio.TimeoutError) else _cause(exc)
        raise DatabaseError(
            f"GIGBOT_DB_URL: cannot connect to PostgreSQL at {where}: {cause}"
        ) from None
    await connection.close(timeout=CONNECT_TIMEOUT)


async def check_database(url: str) -> None:
    """Raise ``DatabaseError`` unless the database at ``url`` can be opened (within ~5 s)."""
    path = sqlite_path(url)
    if path is not None:
        await asyncio.to_thread(_check_sqlite, path)
    elif url.startswith(("postgres://", "postgresql://", "asyncpg://")):
        await _check_postgres(url.replace("asyncpg://", "postgres://", 1))
