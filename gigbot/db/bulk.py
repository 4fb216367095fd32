"""Many rows of one model written with ``executemany``, without building a Model per row.

tortoise's ``bulk_create`` spends most of its time constructing Model instances and
``bulk_update`` renders one huge ``CASE`` per batch; for imports of a million items both are the
bottleneck (docs/import.md has the figures). ``BulkWriter`` reuses tortoise's own INSERT
statement and field conversions (``to_db_value``) on plain dicts, on the current connection,
so it runs inside ``in_transaction()`` like any other query.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from tortoise.fields import BigIntField, CharField, Field, IntField, TextField
from tortoise.fields.data import JSONField
from tortoise.models import Model

__all__ = ["BulkWriter"]


_PLAIN = (IntField, BigIntField, CharField, TextField)  # to_db_value only validates these


class BulkWriter:
    """Batched INSERT and UPDATE of plain rows (field name → Python value) of ``model``."""

    def __init__(self, model: type[Model]) -> None:
        self.model = model
        self.db = model._meta.db  # the transaction's connection inside in_transaction()
        executor = self.db.executor_class(model=model, db=self.db)
        self.fields = model._meta.fields_map
        self.columns: list[str] = list(executor.regular_columns)
        self.insert_sql: str = executor.insert_query
        self._postgres = self.db.capabilities.dialect == "postgres"
        self._converters = {name: self._converter(field) for name, field in self.fields.items()}

    def _db_value(self, name: str, value: Any) -> Any:
        return self._converters[name](value)

    def _converter(self, field: Field[Any]) -> Callable[[Any], Any]:
        """The Python → database conversion of one column, with the common cases inlined."""
        if isinstance(field, JSONField):
            return lambda value: None if value is None else json.dumps(value, ensure_ascii=False)
        if type(field) in _PLAIN:
            return lambda value: value
        model = self.model
        return lambda value: None if value is None else field.to_db_value(value, model)

    def _default(self, name: str) -> Any:
        field = self.fields[name]
        if field.default is not None:
            return field.default() if callable(field.default) else field.default
        if field.null:
            return None
        raise ValueError(f"{self.model.__name__}.{name} needs a value (no default, not null)")

    async def insert(self, rows: Sequence[Mapping[str, Any]]) -> None:
        """Insert ``rows``; columns they do not name get the field's default."""
        if not rows:
            return
        defaults = {name: self._default(name) for name in self.columns if name not in rows[0]}
        values = [
            [self._db_value(name, row[name] if name in row else defaults[name])
             for name in self.columns]
            for row in rows
        ]
        await self.db.execute_many(self.insert_sql, values)

    async def update(self, rows: Iterable[Mapping[str, Any]], fields: Sequence[str]) -> None:
        """Set ``fields`` of each row, found by its ``id``."""
        values = [[self._db_value(name, row[name]) for name in fields] + [row["id"]]
                  for row in rows]
        if not values:
            return
        table = self.model._meta.db_table
        projection = self.model._meta.fields_db_projection
        marks = [f"${n}" if self._postgres else "?" for n in range(1, len(fields) + 2)]
        assignments = ", ".join(
            f'"{projection[name]}" = {mark}' for name, mark in zip(fields, marks, strict=False)
        )
        sql = f'UPDATE "{table}" SET {assignments} WHERE "id" = {marks[-1]}'
        await self.db.execute_many(sql, values)
