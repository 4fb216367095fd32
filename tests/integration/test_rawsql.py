"""Hand-written statements: the same text on both databases, rows built as the ORM builds them."""

from __future__ import annotations

from tortoise.transactions import in_transaction

from gigbot import rawsql
from gigbot.models import Lease, Project
from gigbot.tasks import sessions
from tests.helpers.tasks import START, make_project, make_worker


async def test_a_selected_row_becomes_the_instance_the_orm_builds(any_db: str) -> None:
    project = await make_project(items=2)
    worker = await make_worker(1)
    step = await sessions.start_session(worker.id, project.id, now=START)
    assert step.item is not None
    async with in_transaction() as db:
        rows = await db.execute_query_dict(
            rawsql.sql(db, f"SELECT {rawsql.columns(Lease, 'l_')}, "
                           f"{rawsql.columns(Project, 'p_')} FROM lease JOIN project "
                           "ON project.id = lease.project_id WHERE lease.id = ?"),
            [step.item.lease_id],
        )
    lease = rawsql.model_from(Lease, rows[0], "l_")
    built = rawsql.model_from(Project, rows[0], "p_")
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
        text = rawsql.sql(db, "SELECT id FROM project WHERE id = ? OR id = ? ORDER BY id")
        found = await db.execute_query_dict(text, [second.id, first.id])
    expected = "$1 OR id = $2" if any_db == "postgres" else "? OR id = ?"
    assert expected in text
    assert [row["id"] for row in found] == [first.id, second.id]
