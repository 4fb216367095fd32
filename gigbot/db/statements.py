"""Hand-written statements for the hot path: one SQL text for both databases, rows as models.

The ORM builds every query anew (filters resolved, SQL rendered) and that costs more CPU than the
database spends on a small indexed statement. The few statements run on every tap are written
once as text with ``?`` placeholders; ``sql()`` turns them into ``$n`` on PostgreSQL, and
``model_from()`` turns a selected row into a model instance exactly as the ORM would.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from typing import Any, TypeVar

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.models import Model

__all__ = ["columns", "insert", "model_from", "returning", "sql"]

M = TypeVar("M", bound=Model)


def sql(db: BaseDBAsyncClient, text: str) -> str:
    """``text`` with ``?`` placeholders turned into ``$n`` on PostgreSQL."""
    if db.capabilities.dialect != "postgres":
        return text
    parts = text.split("?")
    return "".join(f"{part}${i}" if i < len(parts) else part for i, part in enumerate(parts, 1))


def columns(model: type[Model], prefix: str = "") -> str:
    """Every column of ``model``'s table for a SELECT list, aliased ``<prefix><column>``."""
    table = model._meta.db_table
    return ", ".join(f'"{table}"."{c}" AS "{prefix}{c}"' for c in sorted(model._meta.db_fields))


def returning(model: type[Model]) -> str:
    """A ``RETURNING`` clause of every column of ``model``'s table (SQLite 3.35+, PostgreSQL).

    An ``UPDATE ... RETURNING`` changes a row and reads it back in one statement: one round trip
    to the database instead of two, which is what a tap waits for.
    """
    return "RETURNING " + ", ".join(f'"{c}"' for c in sorted(model._meta.db_fields))


def model_from(model: type[M], row: Mapping[str, Any], prefix: str = "") -> M:
    """The instance of ``model`` the ORM would build from ``row`` (columns from ``columns()``)."""
    # _init_from_db is how tortoise's own executor builds instances (type conversion included)
    values = {c: row[f"{prefix}{c}"] for c in model._meta.db_fields}
    return model._init_from_db(**values)


@cache
def _insert_sql(model: type[Model]) -> tuple[str, tuple[str, ...]]:
    meta = model._meta
    names = tuple(sorted(c for c in meta.db_fields if c != meta.db_pk_column))
    marks = ", ".join("?" * len(names))
    quoted = ", ".join(f'"{c}"' for c in names)
    return (f'INSERT INTO "{meta.db_table}" ({quoted}) VALUES ({marks}) '
            f'RETURNING "{meta.db_pk_column}"'), names


async def insert(db: BaseDBAsyncClient, model: type[Model], values: Mapping[str, Any]) -> int:
    """Insert one row of ``model`` (``values`` by column name) and return its id.

    Columns left out take their field's default, as the ORM would give them; every value goes
    through its field's ``to_db_value``. Building a model instance only to insert it costs more
    than the statement itself.
    """
    text, names = _insert_sql(model)
    unknown = values.keys() - names
    if unknown:
        raise KeyError(f"{model.__name__} has no columns {sorted(unknown)}")
    meta = model._meta
    params = []
    for name in names:
        field = meta.fields_map[meta.fields_db_projection_reverse[name]]
        if name in values:
            value = values[name]
        else:
            value = field.default() if callable(field.default) else field.default
        params.append(field.to_db_value(value, model))
    rows = await db.execute_query_dict(sql(db, text), params)
    return int(rows[0][meta.db_pk_column])
