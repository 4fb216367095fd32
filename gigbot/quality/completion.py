"""Item completion with dynamic overlap (DESIGN §7): when an item has its answers, decide it.

An item is settled once it holds ``Item.needed`` answers (``overlap`` at import). Classification
items then go through ``scoring.WeightedVote`` fitted with the workers' skills: the
skill-weighted posterior of the leading label with each worker's Beta mean as their accuracy. At
``confidence`` or more the item is complete; below it one more answer is asked (``needed += 1``)
until ``max_overlap``, where it completes anyway with the best label. Transcriptions complete at
``overlap`` answers with scoring's ROVER. Control items in force never complete by votes (they
are scored against gold); a quarantined control item is settled like any other item.

Everything here runs inside the caller's transaction; the item row is locked by the caller.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from enum import StrEnum

from gigbot import scoring
from gigbot.db.models import ItemFacts, ItemStatus, ProjectFacts, ProjectKind
from gigbot.db.statements import connection
from gigbot.quality import store

__all__ = ["Settled", "settle_item", "skill_means", "stored_label"]


async def skill_means(project_id: int, worker_ids: Iterable[int]) -> dict[int, float]:
    """Each worker's Beta mean in the project (the prior mean for workers without a Skill row)."""
    ids = sorted(set(worker_ids))
    # a hand-written statement: every settled answer runs it
    counts = await store.skill_counts(connection(), project_id, ids)
    means = {wid: scoring.Skill().mean for wid in ids}
    for wid, (right, wrong) in counts.items():
        means[wid] = scoring.Skill(right=right, wrong=wrong).mean
    return means


class Settled(StrEnum):
    """What settling did: nothing yet, asked one more answer, or completed the item.

    The caller passes it on to the task engine, the owner of ``Item.returned``: asking more
    flags the item (workers who passed it may answer it now), completing clears the flag.
    """

    WAITING = "waiting"
    MORE = "more"
    COMPLETE = "complete"


async def settle_item(item: ItemFacts, project: ProjectFacts, now: dt.datetime) -> Settled:
    """Complete ``item`` or ask one more answer, if it holds the answers it needs; else wait.

    ``Item.returned`` is left to the caller (see ``Settled``).
    """
    if item.status != ItemStatus.OPEN:
        return Settled.WAITING
    if item.is_control and item.quarantined_at is None:
        return Settled.WAITING
    if item.answers_count < max(item.needed, 1):  # the row counts its answers: no need to read
        return Settled.WAITING
    db = connection()  # the answer's transaction (a hand-written statement: every answer)
    rows = [{"worker_id": w, "value": v} for w, v in await store.item_votes(db, item.id)]
    count = len(rows)
    if count < max(item.needed, 1):
        return Settled.WAITING
    if project.kind == ProjectKind.TRANSCRIPTION:
        key = str(item.id)
        texts = [scoring.Vote(r["worker_id"], str(r["value"]), task=key) for r in rows]
        text_decision = scoring.Rover().fit(texts).decisions()[key]
        await store.complete_item(db, item.id, text_decision.text,
                                  float(text_decision.confidence), now)
        return Settled.COMPLETE
    key = str(item.id)
    votes = [scoring.Vote(r["worker_id"], scoring.as_label(r["value"]), task=key) for r in rows]
    skills = await skill_means(project.id, (r["worker_id"] for r in rows))
    decision = scoring.WeightedVote(
        classes=scoring.label_values(project.labels or []), multi_label=project.multi_label
    ).fit(votes, skills=skills).decisions()[key]
    if scoring.needs_more(
        count, decision, project.overlap, project.max_overlap, project.confidence
    ):
        # needs_more is False from max_overlap on
        await store.ask_more(db, item.id, count + 1)
        return Settled.MORE
    await store.complete_item(db, item.id, stored_label(decision.label),
                              float(decision.confidence), now)
    return Settled.COMPLETE


def stored_label(label: scoring.Label) -> str | list[str]:
    """A decided label as stored in JSON: a value, or a sorted list for a label set."""
    return label if isinstance(label, str) else sorted(label)

