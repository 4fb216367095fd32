"""The task engine's hand-written statements: leases, answers and the item counters.

Every function takes the connection first (the caller's transaction from ``in_transaction()``)
and returns plain values. The texts have ``?`` placeholders (``statements.sql`` makes them
``$n`` on PostgreSQL). This module alone changes the serving counters of an item: ``taken``
(answers + open leases), ``answers_count``, ``reports`` and the flag ``returned`` (quality
settles items and reports what it did; the task engine and the importer set the flag here).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient

from gigbot.db.models import (
    AnswerStatus,
    ItemStatus,
    Lease,
    LeaseStatus,
    ProjectStatus,
)
from gigbot.db.statements import as_datetime, as_json, json_text, maybe_datetime, rows, sql

__all__ = [
    "CONTENT",
    "CountedItem",
    "LeaseRow",
    "Owned",
    "ProjectRow",
    "claim_answer",
    "claim_item",
    "clear_returned",
    "count_answer",
    "count_report",
    "first_row",
    "flag_returned",
    "give_back",
    "insert_answer",
    "insert_lease",
    "lease_state",
    "name_session",
    "owned",
    "taking",
]

CONTENT = ("text", "context", "image", "audio")  # what the worker sees of an item row


@dataclass(frozen=True, slots=True)
class LeaseRow:
    """A lease row as the answer path reads it."""

    id: int
    item_id: int
    worker_id: int
    project_id: int
    status: LeaseStatus
    is_control: bool
    chosen: list[Any]
    chat_id: int | None
    message_id: int | None
    session_id: int | None
    created_at: dt.datetime
    expires_at: dt.datetime

    @classmethod
    def of(cls, lease: Lease) -> LeaseRow:
        """The values of a lease the ORM read."""
        return cls(lease.id, lease.item_id, lease.worker_id, lease.project_id,
                   LeaseStatus(lease.status), bool(lease.is_control), list(lease.chosen or []),
                   lease.chat_id, lease.message_id, lease.session_id, lease.created_at,
                   lease.expires_at)


@dataclass(frozen=True, slots=True)
class ProjectRow:
    """A project row as the answer path reads it (a ``ProjectFacts``)."""

    id: int
    kind: str
    title: Any
    instructions: Any
    labels: Any
    multi_label: bool
    reward: int
    overlap: int
    max_overlap: int
    confidence: float
    gold_ratio: float
    min_accuracy: float
    accept: str
    hold_days: int
    lease_minutes: float
    rules: Any
    status: ProjectStatus


@dataclass(frozen=True, slots=True)
class Owned:
    """A worker's lease, its project, and how many suspension rows the worker has there."""

    lease: LeaseRow
    project: ProjectRow
    suspensions: int  # in the project or everywhere, any state


@dataclass(frozen=True, slots=True)
class CountedItem:
    """An item row just after an answer was counted on it (an ``ItemFacts``)."""

    id: int
    key: str
    is_control: bool
    gold: Any
    quarantined_at: dt.datetime | None
    status: ItemStatus
    needed: int
    answers_count: int
    returned: bool  # as the count found it: settling writes the flag only when it changes


_LEASE = ("id", "item_id", "worker_id", "project_id", "status", "is_control", "chosen",
          "chat_id", "message_id", "session_id", "created_at", "expires_at")
_PROJECT = ("id", "kind", "title", "instructions", "labels", "multi_label", "reward", "overlap",
            "max_overlap", "confidence", "gold_ratio", "min_accuracy", "accept", "hold_days",
            "lease_minutes", "rules", "status")
# the count of the worker's suspensions (any state) spares the answer reading them: most
# workers have none
_OWNED = (
    "SELECT " + ", ".join(f'lease.{c} AS "l_{c}"' for c in _LEASE) + ", "
    + ", ".join(f'project.{c} AS "p_{c}"' for c in _PROJECT) + ", "
    "(SELECT COUNT(*) FROM suspension WHERE suspension.worker_id = lease.worker_id "
    "AND (suspension.project_id = lease.project_id OR suspension.project_id IS NULL)) "
    "AS suspensions FROM lease JOIN project ON project.id = lease.project_id "
    "WHERE lease.id = ? AND lease.worker_id = ?"
)


def _lease(row: dict[str, Any], p: str = "") -> LeaseRow:
    return LeaseRow(
        id=int(row[f"{p}id"]), item_id=int(row[f"{p}item_id"]),
        worker_id=int(row[f"{p}worker_id"]), project_id=int(row[f"{p}project_id"]),
        status=LeaseStatus(row[f"{p}status"]), is_control=bool(row[f"{p}is_control"]),
        chosen=list(as_json(row[f"{p}chosen"]) or []), chat_id=row[f"{p}chat_id"],
        message_id=row[f"{p}message_id"], session_id=row[f"{p}session_id"],
        created_at=as_datetime(row[f"{p}created_at"]),
        expires_at=as_datetime(row[f"{p}expires_at"]),
    )


def _project(row: dict[str, Any], p: str = "") -> ProjectRow:
    return ProjectRow(
        id=int(row[f"{p}id"]), kind=str(row[f"{p}kind"]), title=as_json(row[f"{p}title"]),
        instructions=as_json(row[f"{p}instructions"]), labels=as_json(row[f"{p}labels"]),
        multi_label=bool(row[f"{p}multi_label"]), reward=int(row[f"{p}reward"]),
        overlap=int(row[f"{p}overlap"]), max_overlap=int(row[f"{p}max_overlap"]),
        confidence=float(row[f"{p}confidence"]), gold_ratio=float(row[f"{p}gold_ratio"]),
        min_accuracy=float(row[f"{p}min_accuracy"]), accept=str(row[f"{p}accept"]),
        hold_days=int(row[f"{p}hold_days"]), lease_minutes=float(row[f"{p}lease_minutes"]),
        rules=as_json(row[f"{p}rules"]), status=ProjectStatus(row[f"{p}status"]),
    )


async def owned(db: BaseDBAsyncClient, lease_id: int, worker_id: int) -> Owned | None:
    """The worker's lease with its project (one statement: every tap runs it), or None."""
    found = await rows(db, _OWNED, [lease_id, worker_id])
    if not found:
        return None
    row = found[0]
    return Owned(_lease(row, "l_"), _project(row, "p_"), int(row["suspensions"]))


async def lease_state(db: BaseDBAsyncClient, lease_id: int) -> tuple[LeaseStatus, dt.datetime]:
    """The lease's status and deadline as they stand now."""
    row = (await rows(db, "SELECT status, expires_at FROM lease WHERE id = ?", [lease_id]))[0]
    return LeaseStatus(row["status"]), as_datetime(row["expires_at"])


# compare-and-set: a double tap, a second button or a redelivered update claims no row
_CLAIM = ("UPDATE lease SET status = ?, closed_at = ? "
          "WHERE id = ? AND worker_id = ? AND status = ? AND expires_at > ?")


async def claim_answer(db: BaseDBAsyncClient, lease_id: int, worker_id: int,
                       now: dt.datetime) -> bool:
    """Close the open, unexpired lease as answered; False if another action won it."""
    won, _ = await db.execute_query(sql(db, _CLAIM), [
        LeaseStatus.ANSWERED.value, now, lease_id, worker_id, LeaseStatus.OPEN.value, now,
    ])
    return bool(won)


_COUNT = ("UPDATE item SET answers_count = answers_count + 1 WHERE id = ? "
          "RETURNING id, key, is_control, gold, quarantined_at, status, needed, answers_count, "
          "returned")


async def count_answer(db: BaseDBAsyncClient, item_id: int) -> CountedItem:
    """Count one more answer on the item; the row after.

    On PostgreSQL this takes the item's row lock before the Answer's insert takes a KEY SHARE
    lock on it (foreign key): taking the stronger lock after that would deadlock with another
    worker answering the same item.
    """
    row = (await rows(db, _COUNT, [item_id]))[0]
    return CountedItem(
        id=int(row["id"]), key=str(row["key"]), is_control=bool(row["is_control"]),
        gold=as_json(row["gold"]), quarantined_at=maybe_datetime(row["quarantined_at"]),
        status=ItemStatus(row["status"]), needed=int(row["needed"]),
        answers_count=int(row["answers_count"]), returned=bool(row["returned"]),
    )


_INSERT_ANSWER = (
    "INSERT INTO answer (lease_id, item_id, worker_id, project_id, value, seconds, is_control, "
    "counted, status, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id"
)


async def insert_answer(
    db: BaseDBAsyncClient, *, lease_id: int, item_id: int, worker_id: int, project_id: int,
    value: Any, seconds: float, is_control: bool, status: AnswerStatus, now: dt.datetime,
) -> int:
    """Write an answer (counted; scored later by quality); its id."""
    found = await rows(db, _INSERT_ANSWER, [
        lease_id, item_id, worker_id, project_id, json_text(value), seconds, is_control, True,
        status.value, now,
    ])
    return int(found[0]["id"])


_INSERT_LEASE = (
    "INSERT INTO lease (item_id, worker_id, project_id, status, is_control, chosen, chat_id, "
    "message_id, session_id, created_at, expires_at) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id"
)


async def insert_lease(
    db: BaseDBAsyncClient, *, item_id: int, worker_id: int, project_id: int, is_control: bool,
    chat_id: int | None, message_id: int | None, session_id: int | None, now: dt.datetime,
    expires_at: dt.datetime,
) -> int:
    """Write an open lease with nothing chosen yet; its id."""
    found = await rows(db, _INSERT_LEASE, [
        item_id, worker_id, project_id, LeaseStatus.OPEN.value, is_control, json_text([]),
        chat_id, message_id, session_id, now, expires_at,
    ])
    return int(found[0]["id"])


async def name_session(db: BaseDBAsyncClient, lease_id: int) -> None:
    """The first lease of a session names the session."""
    await db.execute_query(sql(db, "UPDATE lease SET session_id = ? WHERE id = ?"),
                           [lease_id, lease_id])


async def first_row(
    db: BaseDBAsyncClient, statements: tuple[tuple[str, list[Any]], ...]
) -> dict[str, Any] | None:
    """The row of the first statement that finds one (the later ones are not run), or None."""
    for text, params in statements:
        found = await rows(db, text, params)
        if found:
            return found[0]
    return None


def taking(where: str) -> str:
    """SQLite: the statement that picks (``where``) and claims (``taken + 1``) one item."""
    return ("UPDATE item SET taken = taken + 1 WHERE id = "
            f"(SELECT id FROM item WHERE {where} ORDER BY id LIMIT 1) "
            f"RETURNING id, {', '.join(CONTENT)}")


async def claim_item(db: BaseDBAsyncClient, item_id: int) -> bool:
    """PostgreSQL: ``taken + 1`` if the open item still has room (the compare-and-set guard).

    Other workers' walks skip the row while this transaction holds it (SKIP LOCKED) and their
    cursors move past it: if room is left after this claim, the item is flagged ``returned`` so
    that they find it below their cursors.
    """
    done = await db.execute_query(sql(db, (
        "UPDATE item SET taken = taken + 1, returned = (returned OR taken + 1 < needed) "
        "WHERE id = ? AND status = ? AND taken < needed")),
        [item_id, ItemStatus.OPEN.value],
    )
    return bool(done[0])


async def give_back(db: BaseDBAsyncClient, item_id: int) -> None:
    """A lease closed without an answer: ``taken - 1``, and the item is flagged as come back."""
    await db.execute_query(sql(db, "UPDATE item SET taken = taken - 1, returned = ? WHERE id = ?"),
                           [True, item_id])


async def flag_returned(db: BaseDBAsyncClient, item_ids: Iterable[int]) -> None:
    """Flag items whose room came back (more answers wanted, or the other class).

    Workers whose cursor is past an item find it again through the flag.
    """
    values = [[True, item_id] for item_id in item_ids]
    if values:
        await db.execute_many(sql(db, "UPDATE item SET returned = ? WHERE id = ?"), values)


async def clear_returned(db: BaseDBAsyncClient, item_ids: Iterable[int]) -> None:
    """Clear the flag of items that were completed: no search looks for them again."""
    values = [[False, item_id] for item_id in item_ids]
    if values:
        await db.execute_many(sql(db, "UPDATE item SET returned = ? WHERE id = ?"), values)


async def count_report(db: BaseDBAsyncClient, item_id: int) -> None:
    """One more report of a bad item."""
    await db.execute_query(sql(db, "UPDATE item SET reports = reports + 1 WHERE id = ?"),
                           [item_id])
