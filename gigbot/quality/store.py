"""Quality's hand-written statements: skill counts, suspensions, recent answers, votes.

Every function takes the connection first (the caller's transaction from ``in_transaction()``)
and returns plain values; the texts have ``?`` placeholders (``statements.sql``). This module
alone changes a skill's counts (``answers_count``, ``control_right``, ``control_wrong``,
``control_count``) and an item's decision: ``needed``, ``status`` and the final label
(``label``, ``label_confidence``, ``completed_at``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient

from gigbot.db.models import ItemStatus, SkillStage
from gigbot.db.statements import as_datetime, as_json, json_text, maybe_datetime, rows, sql

__all__ = [
    "RecentAnswer",
    "SkillRow",
    "SuspensionRow",
    "ask_more",
    "complete_item",
    "count_in_skill",
    "item_votes",
    "pause_item",
    "recent_answers",
    "save_scores",
    "set_counts",
    "set_needed",
    "skill_counts",
    "skill_row",
    "suspensions",
]


@dataclass(frozen=True, slots=True)
class SkillRow:
    """A worker's skill row in one project."""

    id: int
    worker_id: int
    project_id: int
    stage: SkillStage
    control_right: float
    control_wrong: float
    control_count: int
    answers_count: int
    reviewer_offered_at: dt.datetime | None


_SKILL = ("id, worker_id, project_id, stage, control_right, control_wrong, control_count, "
          "answers_count, reviewer_offered_at")


def _skill(row: dict[str, Any]) -> SkillRow:
    return SkillRow(
        id=int(row["id"]), worker_id=int(row["worker_id"]), project_id=int(row["project_id"]),
        stage=SkillStage(row["stage"]), control_right=float(row["control_right"]),
        control_wrong=float(row["control_wrong"]), control_count=int(row["control_count"]),
        answers_count=int(row["answers_count"]),
        reviewer_offered_at=maybe_datetime(row["reviewer_offered_at"]),
    )


async def count_in_skill(db: BaseDBAsyncClient, worker_id: int, project_id: int,
                         now: dt.datetime) -> SkillRow | None:
    """Count one more answer in the worker's skill row; the row after, or None if none yet."""
    found = await rows(db, "UPDATE skill SET answers_count = answers_count + 1, updated_at = ? "
                       f"WHERE worker_id = ? AND project_id = ? RETURNING {_SKILL}",
                       [now, worker_id, project_id])
    return _skill(found[0]) if found else None


async def skill_row(db: BaseDBAsyncClient, worker_id: int, project_id: int) -> SkillRow | None:
    """The worker's skill row in the project, if any."""
    found = await rows(db, f"SELECT {_SKILL} FROM skill WHERE worker_id = ? AND project_id = ?",
                       [worker_id, project_id])
    return _skill(found[0]) if found else None


async def save_scores(db: BaseDBAsyncClient, skill: SkillRow, now: dt.datetime) -> None:
    """Write a scored control answer's counts and the stage the rules gave."""
    await db.execute_query(sql(db, (
        "UPDATE skill SET control_right = ?, control_wrong = ?, control_count = ?, stage = ?, "
        "reviewer_offered_at = ?, updated_at = ? WHERE id = ?")),
        [skill.control_right, skill.control_wrong, skill.control_count, skill.stage.value,
         skill.reviewer_offered_at, now, skill.id])


async def set_counts(db: BaseDBAsyncClient, worker_id: int, project_id: int, *, right: float,
                     wrong: float, count: int, now: dt.datetime) -> None:
    """Replace the worker's control counts (a replay after a gold was quarantined)."""
    await db.execute_query(sql(db, (
        "UPDATE skill SET control_right = ?, control_wrong = ?, control_count = ?, "
        "updated_at = ? WHERE worker_id = ? AND project_id = ?")),
        [right, wrong, count, now, worker_id, project_id])


async def skill_counts(db: BaseDBAsyncClient, project_id: int,
                       worker_ids: list[int]) -> dict[int, tuple[float, float]]:
    """(right, wrong) control counts of those workers in the project who have a skill row."""
    if not worker_ids:
        return {}
    marks = ", ".join("?" * len(worker_ids))
    found = await rows(db, "SELECT worker_id, control_right, control_wrong FROM skill "
                       f"WHERE project_id = ? AND worker_id IN ({marks})",
                       [project_id, *worker_ids])
    return {int(r["worker_id"]): (float(r["control_right"]), float(r["control_wrong"]))
            for r in found}


@dataclass(frozen=True, slots=True)
class SuspensionRow:
    """A suspension as the rules read it."""

    id: int
    project_id: int | None
    rule: str
    lifted_at: dt.datetime | None
    ends_at: dt.datetime | None


async def suspensions(db: BaseDBAsyncClient, worker_id: int,
                      project_id: int) -> tuple[SuspensionRow, ...]:
    """The worker's suspensions in the project and everywhere, any state, oldest first."""
    found = await rows(db, "SELECT id, project_id, rule, lifted_at, ends_at FROM suspension "
                       "WHERE worker_id = ? AND (project_id = ? OR project_id IS NULL) "
                       "ORDER BY id", [worker_id, project_id])
    return tuple(
        SuspensionRow(id=int(r["id"]), project_id=r["project_id"], rule=str(r["rule"]),
                      lifted_at=maybe_datetime(r["lifted_at"]),
                      ends_at=maybe_datetime(r["ends_at"]))
        for r in found
    )


@dataclass(frozen=True, slots=True)
class RecentAnswer:
    """One of a worker's recent answers, as the speed and same-label rules read it."""

    item_id: int
    stamp: Any  # created_at as the driver returned it: parsed only when a rule needs it
    value: Any
    seconds: float

    @property
    def created_at(self) -> dt.datetime:
        """When the answer was recorded."""
        return as_datetime(self.stamp)


async def recent_answers(db: BaseDBAsyncClient, worker_id: int, project_id: int, *,
                         limit: int) -> list[RecentAnswer]:
    """The worker's last ``limit`` answers in the project, oldest first (every answer runs it)."""
    found = await rows(db, "SELECT item_id, value, seconds, created_at FROM answer "
                       "WHERE worker_id = ? AND project_id = ? ORDER BY id DESC LIMIT ?",
                       [worker_id, project_id, limit])
    return [RecentAnswer(int(r["item_id"]), r["created_at"], as_json(r["value"]),
                         float(r["seconds"])) for r in reversed(found)]


async def item_votes(db: BaseDBAsyncClient, item_id: int) -> list[tuple[int, Any]]:
    """(worker, value) of every answer to the item, in order."""
    found = await rows(db, "SELECT worker_id, value FROM answer WHERE item_id = ? ORDER BY id",
                       [item_id])
    return [(int(r["worker_id"]), as_json(r["value"])) for r in found]


async def set_needed(db: BaseDBAsyncClient, changes: Iterable[tuple[int, int]]) -> None:
    """Set ``needed`` of each ``(item id, needed)`` (a re-import, a quarantined gold)."""
    values = [[needed, item_id] for item_id, needed in changes]
    if values:
        await db.execute_many(sql(db, "UPDATE item SET needed = ? WHERE id = ?"), values)


async def pause_item(db: BaseDBAsyncClient, item_id: int) -> bool:
    """Pause the open item for admins; False if it was not open (a paused item stays so)."""
    changed, _ = await db.execute_query(
        sql(db, "UPDATE item SET status = ? WHERE id = ? AND status = ?"),
        [ItemStatus.PAUSED.value, item_id, ItemStatus.OPEN.value],
    )
    return bool(changed)


async def ask_more(db: BaseDBAsyncClient, item_id: int, needed: int) -> None:
    """Ask for ``needed`` answers (the caller flags the item ``returned`` through its owner)."""
    await db.execute_query(sql(db, "UPDATE item SET needed = ? WHERE id = ?"), [needed, item_id])


async def complete_item(db: BaseDBAsyncClient, item_id: int, label: Any, confidence: float,
                        now: dt.datetime) -> None:
    """Store the item's decided label (the caller clears ``returned`` through its owner)."""
    await db.execute_query(sql(db, (
        "UPDATE item SET status = ?, label = ?, label_confidence = ?, completed_at = ? "
        "WHERE id = ?")),
        [ItemStatus.COMPLETE.value, json_text(label), confidence, now, item_id])
