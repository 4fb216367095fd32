"""What every hand-written statement needs: one placeholder style and the current connection.

The ORM builds every query anew (filters resolved, SQL rendered) and that costs more CPU than the
database spends on a small indexed statement. The few statements run on every tap are written
once as text with ``?`` placeholders in the owning package's ``store.py``; ``sql()`` turns them
into ``$n`` on PostgreSQL. Only tortoise's public API is used here.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.connection import connections

__all__ = ["as_datetime", "as_json", "connection", "json_text", "maybe_datetime", "rows", "sql"]


def sql(db: BaseDBAsyncClient, text: str) -> str:
    """``text`` with ``?`` placeholders turned into ``$n`` on PostgreSQL."""
    if db.capabilities.dialect != "postgres":
        return text
    parts = text.split("?")
    return "".join(f"{part}${i}" if i < len(parts) else part for i, part in enumerate(parts, 1))


def connection() -> BaseDBAsyncClient:
    """The current connection: inside ``in_transaction()``, that transaction's."""
    # gigbot configures one connection (named for its dialect, see gigbot.db.connection_name)
    current: BaseDBAsyncClient = connections.get(next(iter(connections.db_config)))
    return current


async def rows(db: BaseDBAsyncClient, text: str, params: Sequence[Any]) -> list[dict[str, Any]]:
    """The rows of ``text`` (``?`` placeholders) run on ``db``, as dicts by column name."""
    found: list[dict[str, Any]] = await db.execute_query_dict(sql(db, text), list(params))
    return found


# The conversions below are the ones the ORM applies to gigbot's columns (JSONValueField,
# DatetimeField with use_tz and UTC), written out: SQLite gives JSON and times back as text,
# asyncpg gives times as aware datetimes.

def json_text(value: Any) -> str | None:
    """The JSON text stored for ``value`` (``None`` stays NULL), as the models encode it."""
    return None if value is None else json.dumps(value, separators=(",", ":"))


def as_json(raw: Any) -> Any:
    """The value of a JSON column as the driver returned it (text is decoded)."""
    return json.loads(raw) if isinstance(raw, str | bytes) else raw


def as_datetime(raw: Any) -> dt.datetime:
    """An aware UTC datetime from a timestamp column as the driver returned it."""
    value = raw if isinstance(raw, dt.datetime) else dt.datetime.fromisoformat(str(raw))
    if value.tzinfo is None:
        return value.replace(tzinfo=dt.UTC)
    return value.astimezone(dt.UTC)


def maybe_datetime(raw: Any) -> dt.datetime | None:
    """``as_datetime`` for a nullable column."""
    return None if raw is None else as_datetime(raw)
