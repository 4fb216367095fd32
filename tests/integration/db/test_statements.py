"""Hand-written statements: one placeholder style for both databases, values as the ORM reads."""

from __future__ import annotations

import logging

from tortoise.transactions import in_transaction

from gigbot.db import statements
from gigbot.db.models import Answer, LedgerEntry, Project
from gigbot.tasks import sessions
from gigbot.tasks.answers import submit_choice
from tests.helpers.tasks import START, make_project, make_worker


async def test_placeholders_follow_the_dialect(any_db: str) -> None:
    first = await make_project(items=1, slug="first")
    second = await make_project(items=1, slug="second")
    async with in_transaction() as db:
        text = statements.sql(db, "SELECT id FROM project WHERE id = ? OR id = ? ORDER BY id")
        found = await db.execute_query_dict(text, [second.id, first.id])
    expected = "$1 OR id = $2" if any_db == "postgres" else "? OR id = ?"
    assert expected in text
    assert [row["id"] for row in found] == [first.id, second.id]


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


async def test_times_and_json_read_back_as_the_orm_gives_them(any_db: str) -> None:
    project = await make_project(items=1)
    async with in_transaction() as db:
        found = await statements.rows(db, "SELECT created_at, labels FROM project WHERE id = ?",
                                      [project.id])
    stored = await Project.get(id=project.id)
    assert statements.as_datetime(found[0]["created_at"]) == stored.created_at
    assert statements.as_datetime(found[0]["created_at"]).tzinfo is not None
    assert statements.as_json(found[0]["labels"]) == stored.labels
    assert statements.json_text("pos") == '"pos"' and statements.json_text(None) is None
