"""Item completion with dynamic overlap (DESIGN §7): when an item has its answers, decide it.

An item is settled once it holds ``Item.needed`` answers (``overlap`` at import). Classification
items then go through ``scoring.item_decision``: the skill-weighted posterior of the leading label
with each worker's Beta mean as their accuracy. At ``confidence`` or more the item is complete;
below it one more answer is asked (``needed += 1``) until ``max_overlap``, where it completes
anyway with the best label. Transcriptions complete at ``overlap`` answers with the text
aggregate of scoring. Control items in force never complete by votes (they are scored against
gold); a quarantined control item is settled like any other item.

Everything here runs inside the caller's transaction; the item row is locked by the caller.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from enum import StrEnum
from typing import Any

from gigbot import scoring
from gigbot.db import statements
from gigbot.db.models import Answer, Item, ItemStatus, Project, Skill
from gigbot.scoring.text_agg import aggregate_texts

__all__ = ["Settled", "settle_item", "skill_means", "stored_label"]


async def skill_means(project_id: int, worker_ids: Iterable[int]) -> dict[int, float]:
    """Each worker's Beta mean in the project (the prior mean for workers without a Skill row)."""
    ids = sorted(set(worker_ids))
    rows: list[dict[str, Any]] = []
    if ids:  # a hand-written statement: every settled answer runs it
        db = Skill._meta.db
        marks = ", ".join("?" * len(ids))
        rows = await db.execute_query_dict(statements.sql(db, (
            "SELECT worker_id, control_right, control_wrong FROM skill "
            f"WHERE project_id = ? AND worker_id IN ({marks})"
        )), [project_id, *ids])
    means = {wid: scoring.Skill().mean for wid in ids}
    for row in rows:
        means[row["worker_id"]] = scoring.Skill(
            right=float(row["control_right"]), wrong=float(row["control_wrong"])
        ).mean
    return means


class Settled(StrEnum):
    """What settling did: nothing yet, asked one more answer, or completed the item."""

    WAITING = "waiting"
    MORE = "more"
    COMPLETE = "complete"


async def settle_item(item: Item, project: Project, now: dt.datetime) -> Settled:
    """Complete ``item`` or ask one more answer, if it holds the answers it needs; else wait."""
    if item.status != ItemStatus.OPEN:
        return Settled.WAITING
    if item.is_control and item.quarantined_at is None:
        return Settled.WAITING
    if item.answers_count < max(item.needed, 1):  # the row counts its answers: no need to read
        return Settled.WAITING
    db = Answer._meta.db  # the answer's transaction (a hand-written statement: every answer)
    value = Answer._meta.fields_map["value"].to_python_value
    rows = [
        {"worker_id": r["worker_id"], "value": value(r["value"])}
        for r in await db.execute_query_dict(
            statements.sql(
                db, "SELECT worker_id, value FROM answer WHERE item_id = ? ORDER BY id"
            ),
            [item.id],
        )
    ]
    count = len(rows)
    if count < max(item.needed, 1):
        return Settled.WAITING
    if project.kind == "transcription":
        texts = [str(r["value"]) for r in rows]
        text_decision = aggregate_texts(texts)
        await _complete(item, text_decision.text, text_decision.confidence, now)
        return Settled.COMPLETE
    votes = [scoring.Vote(worker=r["worker_id"], label=scoring.as_label(r["value"])) for r in rows]
    skills = await skill_means(project.id, (r["worker_id"] for r in rows))
    decision = scoring.item_decision(
        votes, skills, scoring.label_values(project.labels or []), multi_label=project.multi_label
    )
    if scoring.needs_more(
        count, decision, project.overlap, project.max_overlap, project.confidence
    ):
        item.needed = count + 1  # needs_more is False from max_overlap on
        item.returned = True  # workers who passed it may answer it now
        await item.save(update_fields=["needed", "returned"])
        return Settled.MORE
    await _complete(item, stored_label(decision.label), decision.confidence, now)
    return Settled.COMPLETE


def stored_label(label: scoring.Label) -> str | list[str]:
    """A decided label as stored in JSON: a value, or a sorted list for a label set."""
    return label if isinstance(label, str) else sorted(label)


async def _complete(item: Item, label: object, confidence: float, now: dt.datetime) -> None:
    await Item.filter(id=item.id).update(
        status=ItemStatus.COMPLETE,
        label=label,
        label_confidence=float(confidence),
        completed_at=now,
        returned=False,  # closed: no search needs to find it again
    )
    item.status = ItemStatus.COMPLETE
    item.returned = False
    item.label = label
    item.label_confidence = float(confidence)
    item.completed_at = now
