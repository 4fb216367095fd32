"""The schema: migrations apply twice, match the models, every table takes a row, keys hold."""

from __future__ import annotations

import datetime as dt
import enum
from pathlib import Path
from typing import Any

import pytest
from tortoise import Tortoise, fields
from tortoise.exceptions import IntegrityError
from tortoise.fields.data import CharEnumFieldInstance, IntEnumFieldInstance
from tortoise.fields.relational import ForeignKeyFieldInstance, OneToOneFieldInstance
from tortoise.migrations.autodetector import MigrationAutodetector
from tortoise.migrations.executor import MigrationExecutor
from tortoise.models import Model

from gigbot.db import dialect, models, statements, tortoise_config
from gigbot.db.models import EntryKind, Item, Lease, LedgerEntry, Project, User

START = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
RELATIONS = (ForeignKeyFieldInstance, OneToOneFieldInstance)


def _apps_config() -> dict[str, dict[str, Any]]:
    config: dict[str, dict[str, Any]] = tortoise_config("sqlite://:memory:")["apps"]
    return config


def _models() -> list[type[Model]]:
    return [m for m in Tortoise.apps["models"].values() if m.__module__ == models.__name__]


def _ordered() -> list[type[Model]]:
    """Models with every model a required relation points at before it."""
    pending, done = _models(), []
    while pending:
        for model in pending:
            needs = {f.related_model for f in model._meta.fields_map.values()
                     if isinstance(f, RELATIONS) and not f.null}
            if needs <= set(done) | {model}:
                done.append(model)
                pending.remove(model)
                break
        else:
            raise AssertionError(f"relation cycle among {pending}")
    return done


def _sample(field: fields.Field[Any], n: int) -> Any:
    if isinstance(field, CharEnumFieldInstance | IntEnumFieldInstance):
        enum_type: type[enum.Enum] = field.enum_type
        return next(iter(enum_type))
    if isinstance(field, fields.CharField):
        return f"s{n}"[: field.max_length]
    if isinstance(field, fields.TextField):
        return "text"
    if isinstance(field, fields.BooleanField):
        return True
    if isinstance(field, fields.DatetimeField):
        return START
    if isinstance(field, fields.FloatField):
        return 0.5
    if isinstance(field, fields.JSONField):
        return {"en": "x", "ko": "엑스"}
    if isinstance(field, fields.IntField | fields.BigIntField | fields.SmallIntField):
        return 1000 + n
    raise AssertionError(f"no sample value for {type(field).__name__}")


def _required(model: type[Model]) -> dict[str, Any]:
    """A value for every field a row needs (relations filled in by the caller)."""
    values: dict[str, Any] = {}
    for n, (name, field) in enumerate(model._meta.fields_map.items()):
        if isinstance(field, RELATIONS) or (field.pk and field.generated):
            continue
        if isinstance(field, fields.relational.BackwardFKRelation | fields.ReverseRelation):
            continue
        if name in model._meta.fk_fields | model._meta.o2o_fields:
            continue
        if field.source_field and field.source_field.endswith("_id"):
            continue  # the column behind a relation
        if field.null or field.has_db_field is False:
            continue
        if field.default is not None or getattr(field, "auto_now", False):
            continue
        values[name] = _sample(field, n)
    return values


async def test_migrating_again_applies_nothing_and_keeps_rows(any_db: str) -> None:
    user = await User.create(pseudonym="wkeep", tg_id=5, created_at=START, last_seen_at=START)
    executor = MigrationExecutor(statements.connection(), _apps_config())

    await executor.migrate()
    await executor.migrate()

    assert await executor.plan() == []
    assert (await User.get(id=user.id)).tg_id == 5


async def test_the_migrations_are_in_step_with_the_models(any_db: str) -> None:
    detector = MigrationAutodetector(Tortoise.apps, _apps_config())

    writers = await detector.changes()

    pending = {w.name: [type(op).__name__ for op in w.operations] for w in writers}
    assert pending == {}, "models changed without a migration: run scripts/makemigrations.sh"


async def test_every_model_takes_a_row_with_its_relations(any_db: str) -> None:
    created: dict[type[Model], Model] = {}
    for model in _ordered():
        values = _required(model)
        for name in model._meta.fk_fields | model._meta.o2o_fields:
            field = model._meta.fields_map[name]
            if not field.null:
                values[name] = created[field.related_model]
        created[model] = await model.create(**values)

    assert len(created) == len(_models()) >= 20
    for model, row in created.items():
        again = await model.get(pk=row.pk)
        for name in model._meta.fk_fields | model._meta.o2o_fields:
            field = model._meta.fields_map[name]
            if not field.null:
                related = await getattr(again, name)
                assert related.pk == created[field.related_model].pk, f"{model.__name__}.{name}"


async def _project_item_user() -> tuple[Project, Item, User]:
    project = await Project.create(
        slug="keys", kind="classification", title={"en": "K"}, instructions={"en": "?"},
        labels=[], reward=30, overlap=3, max_overlap=5, confidence=0.9, gold_ratio=0.1,
        min_accuracy=0.8, created_at=START, updated_at=START,
    )
    item = await Item.create(project=project, key="k1", text="t", needed=3)
    user = await User.create(pseudonym="wkeys", tg_id=6, created_at=START, last_seen_at=START)
    return project, item, user


async def test_a_worker_gets_an_item_once(any_db: str) -> None:
    project, item, user = await _project_item_user()
    await Lease.create(item=item, worker=user, project=project, created_at=START,
                       expires_at=START)

    with pytest.raises(IntegrityError):
        await Lease.create(item=item, worker=user, project=project, created_at=START,
                           expires_at=START)


async def test_a_ledger_key_is_written_once(any_db: str) -> None:
    _, _, user = await _project_item_user()
    await LedgerEntry.create(worker=user, kind=EntryKind.BONUS, amount=5, key="bonus:1",
                             created_at=START)

    with pytest.raises(IntegrityError):
        await LedgerEntry.create(worker=user, kind=EntryKind.BONUS, amount=5, key="bonus:1",
                                 created_at=START)


async def test_sqlite_pragmas(db_url: str) -> None:
    assert dialect() == "sqlite"
    conn = statements.connection()

    async def pragma(name: str) -> Any:
        _, rows = await conn.execute_query(f"PRAGMA {name}")
        return next(iter(dict(rows[0]).values()))

    assert str(await pragma("journal_mode")).lower() == "wal"
    assert int(await pragma("foreign_keys")) == 1
    assert int(await pragma("busy_timeout")) > 0
    assert Path(db_url.removeprefix("sqlite://")).exists()
