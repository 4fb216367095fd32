"""Hand-written statements: the same text on both databases, rows built as the ORM builds them."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

import pytest
from tortoise.transactions import in_transaction

from gigbot.db import statements
from gigbot.db.models import Answer, Item, Lease, LeaseStatus, LedgerEntry, Project
from gigbot.tasks import sessions
from gigbot.tasks.answers import submit_choice
from tests.helpers.tasks import START, make_project, make_worker


async def test_a_selected_row_becomes_the_instance_the_orm_builds(any_db: str) -> None:
    project = await make_project(items=2)
    worker = await make_worker(1)
    step = await sessions.start_session(worker.id, project.id, now=START)
    assert step.item is not None
    async with in_transaction() as db:
        rows = await db.execute_query_dict(
            statements.sql(db, f"SELECT {statements.columns(Lease, 'l_')}, "
                           f"{statements.columns(Project, 'p_')} FROM lease JOIN project "
                           "ON project.id = lease.project_id WHERE lease.id = ?"),
            [step.item.lease_id],
        )
    lease = statements.model_from(Lease, rows[0], "l_")
    built = statements.model_from(Project, rows[0], "p_")
    orm_lease = await Lease.get(id=step.item.lease_id)
    orm_project = await Project.get(id=project.id)
    for name in Lease._meta.db_fields:
        assert getattr(lease, Lease._meta.fields_db_projection_reverse[name]) == getattr(
            orm_lease, Lease._meta.fields_db_projection_reverse[name]
        )
    for name in Project._meta.db_fields:
        field = Project._meta.fields_db_projection_reverse[name]
        assert getattr(built, field) == getattr(orm_project, field)
    assert lease.expires_at.tzinfo is not None


async def test_placeholders_follow_the_dialect(any_db: str) -> None:
    first = await make_project(items=1, slug="first")
    second = await make_project(items=1, slug="second")
    async with in_transaction() as db:
        text = statements.sql(db, "SELECT id FROM project WHERE id = ? OR id = ? ORDER BY id")
        found = await db.execute_query_dict(text, [second.id, first.id])
    expected = "$1 OR id = $2" if any_db == "postgres" else "? OR id = ?"
    assert expected in text
    assert [row["id"] for row in found] == [first.id, second.id]


async def test_an_update_returning_gives_the_row_the_orm_reads(any_db: str) -> None:
    project = await make_project(items=1)
    item = await Item.filter(project_id=project.id).get()
    async with in_transaction() as db:
        rows = await db.execute_query_dict(
            statements.sql(db, "UPDATE item SET answers_count = answers_count + 1 WHERE id = ? "
                           f"{statements.returning(Item)}"),
            [item.id],
        )
    built = statements.model_from(Item, rows[0])
    stored = await Item.get(id=item.id)
    assert built.answers_count == stored.answers_count == 1
    for name in Item._meta.db_fields:
        field = Item._meta.fields_db_projection_reverse[name]
        assert getattr(built, field) == getattr(stored, field)


class _Statements(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.texts: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.texts.append(record.getMessage())


async def test_a_tap_waits_for_nine_statements_on_sqlite(db_url: str) -> None:
    # Every statement of a tap is a round trip through SQLite's one connection, which all
    # updates share: their number is what a crowd's throughput is made of (docs/benchmarks.md).
    project = await make_project(items=3, overlap=3)  # no item completes: one worker
    worker = await make_worker(1)
    first = await sessions.start_session(worker.id, project.id, now=START)
    assert first.item is not None
    step = await submit_choice(worker.id, first.item.lease_id, 1, now=START)  # the skill row
    assert step.item is not None
    client = logging.getLogger("tortoise.db_client")
    handler, level = _Statements(), client.level
    client.addHandler(handler)
    client.setLevel(logging.DEBUG)
    try:
        done = await submit_choice(worker.id, step.item.lease_id, 0, now=START)
    finally:
        client.removeHandler(handler)
        client.setLevel(level)
    assert done.item is not None  # recorded, earned, scored, and the next item leased
    assert await Answer.filter(worker_id=worker.id).count() == 2
    assert await LedgerEntry.filter(worker_id=worker.id).count() == 2
    # lease and project; claim; item count; answer; earning; skill; recent answers; the next
    # item picked and claimed; its lease
    assert len(handler.texts) == 9, "\n".join(handler.texts)


async def test_an_insert_stores_what_the_orm_would_with_its_defaults(any_db: str) -> None:
    project = await make_project(items=2)
    worker = await make_worker(1)
    item, other = await Item.filter(project_id=project.id).order_by("id")
    values: dict[str, Any] = {"item_id": item.id, "worker_id": worker.id,
              "project_id": project.id,
              "created_at": START, "expires_at": START + dt.timedelta(minutes=10)}
    async with in_transaction() as db:
        new_id = await statements.insert(db, Lease, {**values, "chosen": ["pos"]})
        with pytest.raises(KeyError, match="no columns"):
            await statements.insert(db, Lease, {**values, "colour": "red"})
    raw = await Lease.get(id=new_id)
    orm = await Lease.create(**{**values, "item_id": other.id, "chosen": ["pos"]})
    for name in Lease._meta.db_fields - {"id", "item_id"}:
        field = Lease._meta.fields_db_projection_reverse[name]
        assert getattr(raw, field) == getattr(orm, field), field
    assert raw.status == LeaseStatus.OPEN and raw.is_control is False and raw.chosen == ["pos"]
