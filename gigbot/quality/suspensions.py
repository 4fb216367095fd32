"""Suspensions: a worker barred from a project (or everywhere), always with a reason and an end.

Owner of the ``suspension`` table. Rules (quality) and admins suspend through ``suspend()``; the
gold audit and admin decisions lift through ``lift()``. Every change is written to the audit log
in the same transaction. Returned values are plain data for handlers to render.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from tortoise.expressions import Q
from tortoise.transactions import in_transaction

from gigbot.db.models import AuditLog, Suspension

__all__ = ["SYSTEM", "ActiveSuspension", "active_suspension", "lift", "list_active", "suspend"]

SYSTEM = "system"  # the audit log's actor for what the rules do on their own


@dataclass(frozen=True, slots=True)
class ActiveSuspension:
    """A suspension in force, as the worker is told about it."""

    id: int
    worker_id: int
    project_id: int | None
    project_slug: str | None
    project_title: dict[str, str] | None
    rule: str
    reason_key: str
    reason_params: dict[str, Any]
    created_at: dt.datetime
    ends_at: dt.datetime | None  # None: until an admin decides


def _in_force(now: dt.datetime) -> Q:
    return Q(lifted_at=None) & (Q(ends_at=None) | Q(ends_at__gt=now))


async def _view(s: Suspension) -> ActiveSuspension:
    await s.fetch_related("project")
    project = s.project
    return ActiveSuspension(
        id=s.id,
        worker_id=s.worker_id,
        project_id=s.project_id,
        project_slug=project.slug if project else None,
        project_title=project.title if project else None,
        rule=s.rule,
        reason_key=s.reason_key,
        reason_params=dict(s.reason_params or {}),
        created_at=s.created_at,
        ends_at=s.ends_at,
    )


async def suspend(
    worker_id: int,
    project_id: int | None,
    *,
    rule: str,
    reason_key: str,
    reason_params: dict[str, Any] | None = None,
    now: dt.datetime,
    ends_at: dt.datetime | None = None,
    cause_item_id: int | None = None,
    actor: str = SYSTEM,
) -> ActiveSuspension:
    """Suspend a worker; an identical suspension already in force is returned instead."""
    async with in_transaction():
        existing = (
            await Suspension.filter(_in_force(now), worker_id=worker_id, project_id=project_id)
            .order_by("-id")
            .first()
        )
        if existing is not None:
            return await _view(existing)
        row = await Suspension.create(
            worker_id=worker_id,
            project_id=project_id,
            rule=rule,
            reason_key=reason_key,
            reason_params=reason_params or {},
            cause_item_id=cause_item_id,
            created_at=now,
            ends_at=ends_at,
        )
        await AuditLog.create(
            at=now,
            actor=actor,
            action="suspend",
            worker_id=worker_id,
            project_id=project_id,
            data={"suspension": row.id, "rule": rule, "reason": reason_key,
                  "params": reason_params or {}, "cause_item": cause_item_id},
        )
    return await _view(row)


async def lift(suspension_id: int, *, now: dt.datetime, by: str) -> ActiveSuspension | None:
    """Lift a suspension (compare-and-set: a second call returns None)."""
    async with in_transaction():
        changed = await Suspension.filter(id=suspension_id, lifted_at=None).update(
            lifted_at=now, lifted_by=by
        )
        if not changed:
            return None
        row = await Suspension.get(id=suspension_id)
        await AuditLog.create(
            at=now, actor=by, action="lift", worker_id=row.worker_id,
            project_id=row.project_id, data={"suspension": row.id},
        )
    return await _view(row)


async def active_suspension(
    worker_id: int, project_id: int | None, now: dt.datetime
) -> ActiveSuspension | None:
    """The suspension that bars ``worker_id`` from ``project_id`` now (a global one counts)."""
    scope = Q(project_id=None) if project_id is None else Q(project_id=project_id) | Q(
        project_id=None
    )
    row = (
        await Suspension.filter(_in_force(now), scope, worker_id=worker_id)
        .order_by("-id")
        .first()
    )
    return await _view(row) if row else None


async def list_active(worker_id: int, now: dt.datetime) -> list[ActiveSuspension]:
    """Every suspension of the worker in force now."""
    rows = await Suspension.filter(_in_force(now), worker_id=worker_id).order_by("id")
    return [await _view(r) for r in rows]


