"""Leases: an item served to one worker until it is answered, skipped, reported or expires.

``Item.taken`` counts answers plus open leases. Every way a lease closes without an answer
(expired, skipped, reported, stopped) is a compare-and-set on ``Lease.status`` from ``open``;
only the transaction that wins it gives the item back (``taken - 1``), so the count moves
exactly once however many jobs, taps or redelivered updates race (``store.give_back``). Expiry is
lazy (the selection path calls ``expire_due``) and also periodic (a JobQueue job calls
``expire_job``).

Owner of the ``lease`` table (with tasks/selection.py, which creates leases).
"""

from __future__ import annotations

import datetime as dt
import logging

from tortoise.transactions import in_transaction

from gigbot.clock import Clock
from gigbot.db.models import Item, Lease, LeaseStatus
from gigbot.db.statements import connection
from gigbot.tasks import store

__all__ = [
    "attach_message",
    "close_lease",
    "drop_lease",
    "expire_due",
    "expire_job",
    "open_lease",
]

log = logging.getLogger(__name__)
EXPIRE_BATCH = 200


async def close_lease(
    lease_id: int, worker_id: int | None, status: LeaseStatus, now: dt.datetime
) -> bool:
    """Close an open lease without an answer and give its item back; False if already closed."""
    query = Lease.filter(id=lease_id, status=LeaseStatus.OPEN)
    if worker_id is not None:
        query = query.filter(worker_id=worker_id)
    lease = await query.first()
    if lease is None:
        return False
    won = await Lease.filter(id=lease_id, status=LeaseStatus.OPEN).update(
        status=status, closed_at=now
    )
    if won:
        await store.give_back(connection(), lease.item_id)
    return bool(won)


async def drop_lease(lease_id: int, worker_id: int) -> bool:
    """Delete an open lease (Stop): the item goes back and the worker may get it again later."""
    lease = await Lease.filter(id=lease_id, worker_id=worker_id, status=LeaseStatus.OPEN).first()
    if lease is None:
        return False
    deleted = await Lease.filter(id=lease_id, status=LeaseStatus.OPEN).delete()
    if deleted:
        await store.give_back(connection(), lease.item_id)
    return bool(deleted)


async def expire_due(now: dt.datetime, *, limit: int = EXPIRE_BATCH, wait: bool = True) -> int:
    """Expire up to ``limit`` open leases past their deadline; returns how many this call did.

    ``wait=False`` (the lazy path inside another transaction) takes only leases and items no
    other transaction holds (PostgreSQL ``SKIP LOCKED``), so it never waits or deadlocks; what
    it leaves, the periodic job or a later call expires.
    """
    query = Lease.filter(status=LeaseStatus.OPEN, expires_at__lte=now).order_by("expires_at")
    if not wait:
        query = query.select_for_update(skip_locked=True)
    due = await query.limit(limit).only("id", "item_id")  # (values() drops FOR UPDATE)
    done = 0
    for lease in due:
        item_id: int = lease.item_id
        if not wait and not await Item.filter(id=item_id).select_for_update(
            skip_locked=True
        ).only("id"):
            continue
        done += await close_lease(lease.id, None, LeaseStatus.EXPIRED, now)
    if done:
        log.info("leases expired count=%s", done)
    return done


async def expire_job(clock: Clock) -> int:
    """The periodic expiry: every due lease, in batches, each batch its own transaction."""
    total = 0
    while True:
        async with in_transaction():
            done = await expire_due(clock.now())
        total += done
        if done < EXPIRE_BATCH:
            return total


async def open_lease(worker_id: int, project_id: int, now: dt.datetime) -> Lease | None:
    """The worker's open, unexpired lease in the project (the item on their screen), if any."""
    return (
        await Lease.filter(
            worker_id=worker_id,
            project_id=project_id,
            status=LeaseStatus.OPEN,
            expires_at__gt=now,
        )
        .order_by("-id")
        .first()
    )


async def attach_message(
    lease_id: int, worker_id: int, chat_id: int | None, message_id: int | None
) -> None:
    """Remember which message shows the lease (for edits and for matching text replies)."""
    await Lease.filter(id=lease_id, worker_id=worker_id).update(
        chat_id=chat_id, message_id=message_id
    )


async def count_open(now: dt.datetime) -> int:
    """How many leases are open now (served, not answered, not past their deadline)."""
    return await Lease.filter(status=LeaseStatus.OPEN, expires_at__gt=now).count()
