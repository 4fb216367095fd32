"""Choosing and leasing the next item for a worker: an indexed query whose cost does not grow.

Items are served in id order from a per-worker cursor: the highest item id the worker was ever
leased in the project (one seek in the lease index (worker, project, is_control, item)). Every
item above the cursor is new to the worker, so the query walks the item index
(project, status, is_control, id) upwards from the cursor and stops at the first open item with
room (``taken < needed``); it only steps over items that others hold right now. Items below the
cursor whose room came back (an expired or skipped lease of someone else, one more answer asked
by the confidence rule) carry ``Item.returned``; a second query walks only those, with
``NOT EXISTS`` on the lease of (item, worker), and runs only when nothing is left above the
cursor, i.e. at the end of a project. Its cost follows the items that came back and are still
open, not the size of the project. (On PostgreSQL an item claimed while it keeps room is flagged
too, because concurrent walks skipped it while it was locked; see ``store.claim_item``.)

A lease and ``taken + 1`` are written in the caller's transaction; ``taken < needed`` is the
compare-and-set guard, and on PostgreSQL the candidate row is taken with
``FOR UPDATE SKIP LOCKED`` so concurrent workers never wait on (or double-book) one item. On
SQLite, with its single writer, the search is the subquery of the ``taken + 1`` update: one
statement picks and claims.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient

from gigbot.db.models import (
    Item,
    ItemStatus,
    Lease,
    ProjectFacts,
    ProjectStatus,
    Skill,
    SkillStage,
    User,
)
from gigbot.quality.store import SkillRow
from gigbot.scoring import label_values
from gigbot.tasks import leases, policy, store
from gigbot.tasks.store import CONTENT, LeaseRow

__all__ = ["ServedItem", "content_of", "lease_next", "pick_item", "served_item"]

log = logging.getLogger(__name__)
_ATTEMPTS = 4


@dataclass(frozen=True, slots=True)
class ServedItem:
    """An item leased to a worker, as the worker may see it.

    Deliberately without gold, explanation, key or whether it is a control item: what is not
    here cannot leak into a message, a caption or a button.
    """

    lease_id: int
    session_id: int
    project_id: int
    project_title: dict[str, str]
    kind: str  # classification | transcription
    multi_label: bool
    instructions: dict[str, str]
    text: str | None
    context: str | None
    image: str | None  # stored path relative to the data dir
    audio: str | None
    labels: tuple[dict[str, str], ...]  # button captions {"en", "ko"}, in button order
    chosen: tuple[int, ...]  # multi-label: indexes toggled on
    expires_at: dt.datetime
    chat_id: int | None
    message_id: int | None

    @property
    def has_media(self) -> bool:
        """True for a photo, voice or audio item (sent as a media message)."""
        return self.image is not None or self.audio is not None


def content_of(item: Item) -> dict[str, Any]:
    """What the worker sees of an item row: its text, context and media paths."""
    return {name: getattr(item, name) for name in CONTENT}


def served_item(lease: Lease | LeaseRow, content: Mapping[str, Any],
                project: ProjectFacts) -> ServedItem:
    """The worker's view of a leased item (``content``: see ``content_of``)."""
    return _served(project, content, lease_id=lease.id, session_id=lease.session_id or lease.id,
                   chosen=lease.chosen or [], expires_at=lease.expires_at,
                   chat_id=lease.chat_id, message_id=lease.message_id)


def _served(project: ProjectFacts, content: Mapping[str, Any], *, lease_id: int, session_id: int,
            chosen: list[Any], expires_at: dt.datetime, chat_id: int | None,
            message_id: int | None) -> ServedItem:
    labels = tuple(
        {lang: str(text) for lang, text in label.items() if lang != "value"}
        for label in project.labels or []
    )
    values = label_values(project.labels or [])
    return ServedItem(
        lease_id=lease_id,
        session_id=session_id,
        project_id=project.id,
        project_title=dict(project.title),
        kind=project.kind,
        multi_label=project.multi_label,
        instructions=dict(project.instructions or {}),
        text=content.get("text"),
        context=content.get("context"),
        image=content.get("image"),
        audio=content.get("audio"),
        labels=labels,
        chosen=tuple(i for i, v in enumerate(values) if v in set(chosen)),
        expires_at=expires_at,
        chat_id=chat_id,
        message_id=message_id,
    )


_CURSOR = ("(SELECT MAX(item_id) FROM lease WHERE worker_id = ? AND project_id = ? "
           "AND is_control = ?)")
# one seek in the unique (item, worker) lease index per candidate: above the cursor it only
# matters when a re-import moved an item between the classes, below it always
_UNSEEN = "NOT EXISTS (SELECT 1 FROM lease WHERE lease.item_id = item.id AND lease.worker_id = ?)"


def _walks(worker_id: int, project_id: int, control: bool) -> tuple[tuple[str, list[Any]], ...]:
    """The two searches for the worker's next item, in order: WHERE clauses and parameters.

    First the walk up from the cursor; then, at the end of a project, the items below it whose
    room came back.
    """
    gold = " AND quarantined_at IS NULL" if control else ""
    head = (f"project_id = ? AND status = ? AND is_control = ?{gold} AND taken < needed")
    common: list[Any] = [project_id, ItemStatus.OPEN.value, control]
    cursor = [worker_id, project_id, control]
    return (
        (f"{head} AND id > COALESCE({_CURSOR}, 0) AND {_UNSEEN}",
         [*common, *cursor, worker_id]),
        (f"{head} AND returned = ? AND id <= COALESCE({_CURSOR}, 0) AND {_UNSEEN}",
         [*common, True, *cursor, worker_id]),
    )


async def pick_item(
    db: BaseDBAsyncClient, worker_id: int, project_id: int, *, control: bool
) -> dict[str, Any] | None:
    """The next item (id and content) for the worker in one class (control or not), or None.

    One statement: the cursor is a scalar subquery answered by one seek in the lease index,
    then the walk up the item index stops at the first open item with room.
    """
    lock = " FOR UPDATE SKIP LOCKED" if db.capabilities.dialect == "postgres" else ""
    return await store.first_row(db, tuple(
        (f"SELECT id, {', '.join(CONTENT)} FROM item WHERE {where} ORDER BY id LIMIT 1{lock}",
         params)
        for where, params in _walks(worker_id, project_id, control)
    ))


async def _take_item(
    db: BaseDBAsyncClient, worker_id: int, project_id: int, *, control: bool
) -> dict[str, Any] | None:
    """SQLite: pick and claim (``taken + 1``) the next item in one statement, or None.

    SQLite has one writer at a time, so nothing can come between the search and the update: the
    search is the update's subquery, and a tap waits for one statement instead of two.
    """
    return await store.first_row(db, tuple(
        (store.taking(where), params) for where, params in _walks(worker_id, project_id, control)
    ))


async def _wants_control(worker_id: int, project: ProjectFacts,
                         skill: Skill | SkillRow | None) -> bool:
    if project.gold_ratio <= 0:
        return False
    if skill is None:
        skill = await Skill.filter(worker_id=worker_id, project_id=project.id).first()
    probation = skill is None or skill.stage == SkillStage.PROBATION
    return policy.control_due(
        skill.answers_count if skill else 0,
        skill.control_count if skill else 0,
        project.gold_ratio,
        probation=probation,
        seed=policy.worker_seed(worker_id, project.id),
    )


async def lease_next(
    db: BaseDBAsyncClient,
    worker_id: int,
    project: ProjectFacts,
    *,
    now: dt.datetime,
    session_id: int | None = None,
    chat_id: int | None = None,
    message_id: int | None = None,
    resume: bool = True,
    skill: Skill | SkillRow | None = None,
) -> ServedItem | None:
    """Lease the worker's next item in ``project`` (inside the caller's transaction).

    With ``resume`` the worker's open lease in the project, if any, is returned again instead (a
    repeated pick or a redelivered update serves the same item); callers that have just closed
    the worker's lease pass ``resume=False``. ``skill``: the worker's skill row in the project
    when the caller has it fresh (saves reading it again). None: no work left for this worker.
    """
    if project.status != ProjectStatus.ACTIVE:
        return None
    if db.capabilities.dialect == "postgres":  # one lease decision at a time per worker
        await User.filter(id=worker_id).select_for_update().only("id")
    await _expire_lazily(now)
    if resume:
        current = await leases.open_lease(worker_id, project.id, now)
        if current is not None:
            if message_id is not None and current.message_id != message_id:
                await leases.attach_message(current.id, worker_id, chat_id, message_id)
                current.chat_id, current.message_id = chat_id, message_id
            item = await Item.get(id=current.item_id)
            return served_item(current, content_of(item), project)
    order = (True, False) if await _wants_control(worker_id, project, skill) else (False,)
    postgres = db.capabilities.dialect == "postgres"
    for control in order:
        for _ in range(_ATTEMPTS):
            if postgres:
                row = await pick_item(db, worker_id, project.id, control=control)
                if row is None:
                    break
                if not await store.claim_item(db, row["id"]):  # taken between select and update
                    continue
            else:
                row = await _take_item(db, worker_id, project.id, control=control)
                if row is None:
                    break
            expires_at = policy.lease_deadline(now, project.lease_minutes)
            lease_id = await store.insert_lease(
                db, item_id=row["id"], worker_id=worker_id, project_id=project.id,
                is_control=control, chat_id=chat_id, message_id=message_id,
                session_id=session_id, now=now, expires_at=expires_at,
            )
            if session_id is None:  # the first lease of a session names the session
                session_id = lease_id
                await store.name_session(db, lease_id)
            log.debug("leased lease=%s worker=%s project=%s", lease_id, worker_id, project.id)
            return _served(project, row, lease_id=lease_id, session_id=session_id, chosen=[],
                           expires_at=expires_at, chat_id=chat_id, message_id=message_id)
    return None


_EXPIRY_EVERY = dt.timedelta(seconds=1)
_last_expiry: list[dt.datetime] = []


async def _expire_lazily(now: dt.datetime) -> None:
    """Expire due leases at most once a second of clock time per process (the job does the rest).

    A clock that went back (another test clock) runs it at once.
    """
    if _last_expiry and _last_expiry[0] <= now < _last_expiry[0] + _EXPIRY_EVERY:
        return
    _last_expiry[:] = [now]
    await leases.expire_due(now, wait=False)
