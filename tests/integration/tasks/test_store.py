"""The task engine's statements: rows read as plain values equal to what the ORM reads."""

from __future__ import annotations

import dataclasses
import datetime as dt

from tortoise.transactions import in_transaction

from gigbot.db.models import Answer, AnswerStatus, Item, Lease, LeaseStatus, Project
from gigbot.tasks import sessions, store
from tests.helpers.tasks import START, make_project, make_worker


async def test_a_lease_and_its_project_read_as_the_orm_reads_them(any_db: str) -> None:
    project = await make_project(items=2)
    worker = await make_worker(1)
    step = await sessions.start_session(worker.id, project.id, now=START)
    assert step.item is not None
    async with in_transaction() as db:
        owned = await store.owned(db, step.item.lease_id, worker.id)
        other = await store.owned(db, step.item.lease_id, worker.id + 1)
    assert owned is not None and other is None
    assert owned.lease == store.LeaseRow.of(await Lease.get(id=step.item.lease_id))
    orm = await Project.get(id=project.id)
    for field in dataclasses.fields(owned.project):
        assert getattr(owned.project, field.name) == getattr(orm, field.name), field.name
    assert owned.lease.expires_at.tzinfo is not None and owned.suspensions == 0


async def test_counting_an_answer_returns_the_row_after(any_db: str) -> None:
    project = await make_project(items=1)
    item = await Item.filter(project_id=project.id).get()
    async with in_transaction() as db:
        counted = await store.count_answer(db, item.id)
    stored = await Item.get(id=item.id)
    assert counted.answers_count == stored.answers_count == 1
    for field in dataclasses.fields(counted):
        assert getattr(counted, field.name) == getattr(stored, field.name), field.name


async def test_inserts_store_what_the_orm_would(any_db: str) -> None:
    project = await make_project(items=2)
    worker = await make_worker(1)
    item, other = await Item.filter(project_id=project.id).order_by("id")
    expires = START + dt.timedelta(minutes=10)
    async with in_transaction() as db:
        lease_id = await store.insert_lease(
            db, item_id=item.id, worker_id=worker.id, project_id=project.id, is_control=False,
            chat_id=None, message_id=None, session_id=None, now=START, expires_at=expires,
        )
        answer_id = await store.insert_answer(
            db, lease_id=lease_id, item_id=item.id, worker_id=worker.id,
            project_id=project.id, value=["pos", "neg"], seconds=2.5, is_control=False,
            status=AnswerStatus.PENDING, now=START,
        )
    raw = await Lease.get(id=lease_id)
    orm = await Lease.create(item_id=other.id, worker_id=worker.id, project_id=project.id,
                             created_at=START, expires_at=expires)
    for name in ("worker_id", "project_id", "status", "is_control", "chosen", "chat_id",
                 "message_id", "session_id", "created_at", "expires_at", "closed_at"):
        assert getattr(raw, name) == getattr(orm, name), name
    assert raw.status == LeaseStatus.OPEN
    answer = await Answer.get(id=answer_id)
    assert (answer.value, answer.status, answer.counted, answer.created_at) == (
        ["pos", "neg"], AnswerStatus.PENDING, True, START
    )


async def test_giving_back_and_reporting_move_the_counters(any_db: str) -> None:
    project = await make_project(items=1)
    item = await Item.filter(project_id=project.id).get()
    await Item.filter(id=item.id).update(taken=2)
    async with in_transaction() as db:
        await store.give_back(db, item.id)
        await store.count_report(db, item.id)
    stored = await Item.get(id=item.id)
    assert (stored.taken, stored.returned, stored.reports) == (1, True, 1)
