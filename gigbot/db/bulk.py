"""Many rows of one model written with ``executemany``, without building a Model per row.

tortoise's ``bulk_create`` spends most of its time constructing Model instances and
``bulk_update`` renders one huge ``CASE`` per batch; for imports of a million items both are the
bottleneck (docs/import.md has the figures). ``BulkWriter`` reads the table and its columns from
the model's public ``describe()``, writes its own INSERT and UPDATE texts and converts plain dicts
the way the models do (JSON columns encoded, enums as their values). It runs on the current
connection (``statements.connection()``), so inside ``in_transaction()`` like any other query.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from enum import Enum
from typing import Any

from tortoise.models import Model

from gigbot.db.models import JSONValueField
from gigbot.db.statements import connection, json_text, sql

__all__ = ["BulkWriter"]


def _enum_value(value: Any) -> Any:
    return value.value if isinstance(value, Enum) else value


def _same(value: Any) -> Any:
    return value


def _converter(field: Mapping[str, Any]) -> Callable[[Any], Any]:
    """The Python → database conversion of one column described by ``Model.describe()``."""
    if issubclass(field["field_type"], JSONValueField):
        return json_text
    if field["python_type"] is str:  # a CharEnumField takes its enum as well as the value
        return _enum_value
    return _same


class BulkWriter:
    """Batched INSERT and UPDATE of plain rows (field name → Python value) of ``model``."""

    def __init__(self, model: type[Model]) -> None:
        described = model.describe(serializable=False)
        self.name: str = model.__name__
        self.table: str = described["table"]
        fields = [field for field in [described["pk_field"], *described["data_fields"]]
                  if not field["generated"]]
        self.fields: dict[str, Mapping[str, Any]] = {field["name"]: field for field in fields}
        self.columns: list[str] = list(self.fields)
        self._converters = {name: _converter(field) for name, field in self.fields.items()}

    def _column(self, name: str) -> str:
        return f'"{self.fields[name]["db_column"]}"'

    def _default(self, name: str) -> Any:
        field = self.fields[name]
        default = field["default"]
        if default is not None:
            return default() if callable(default) else default
        if field["nullable"]:
            return None
        raise ValueError(f"{self.name}.{name} needs a value (no default, not null)")

    async def insert(self, rows: Sequence[Mapping[str, Any]]) -> None:
        """Insert ``rows``; columns they do not name get the field's default."""
        if not rows:
            return
        defaults = {name: self._default(name) for name in self.columns if name not in rows[0]}
        converters = [self._converters[name] for name in self.columns]
        values = [
            [convert(row[name] if name in row else defaults[name])
             for name, convert in zip(self.columns, converters, strict=True)]
            for row in rows
        ]
        db = connection()
        text = (f'INSERT INTO "{self.table}" ({", ".join(map(self._column, self.columns))}) '
                f'VALUES ({", ".join("?" * len(self.columns))})')
        await db.execute_many(sql(db, text), values)

    async def update(self, rows: Iterable[Mapping[str, Any]], fields: Sequence[str]) -> None:
        """Set ``fields`` of each row, found by its ``id``."""
        converters = [self._converters[name] for name in fields]
        values = [[convert(row[name]) for name, convert in zip(fields, converters, strict=True)]
                  + [row["id"]] for row in rows]
        if not values:
            return
        db = connection()
        assignments = ", ".join(f"{self._column(name)} = ?" for name in fields)
        await db.execute_many(
            sql(db, f'UPDATE "{self.table}" SET {assignments} WHERE "id" = ?'), values
        )
