"""Answers: record a tap, a multi-label set or a typed transcription exactly once, then serve on.

Every action names a lease and is checked against the presser and the lease's state. Recording is
a compare-and-set on the lease (``open`` and unexpired → ``answered``) inside one transaction
with the Answer row, its earning (pending until accepted, see payouts/acceptance.py), the
quality hook and the next lease, so a double tap, two fast taps on different buttons or a
redelivered update record one answer: the losers see ``REPLAY`` and change nothing. A stale
button of an expired lease gets ``EXPIRED`` and a fresh item. Owner of the ``answer`` and
``item_report`` tables.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.transactions import in_transaction

from gigbot.db.models import (
    Acceptance,
    AnswerStatus,
    AuditLog,
    EntryKind,
    Item,
    ItemReport,
    Lease,
    LeaseStatus,
    Project,
    ProjectFacts,
    ProjectKind,
    ProjectStatus,
)
from gigbot.errors import BadCallback, UserError
from gigbot.notices import Notice
from gigbot.payouts import acceptance, ledger
from gigbot.quality import live, verdicts
from gigbot.quality.alerts import admin_notices
from gigbot.quality.completion import Settled
from gigbot.quality.store import SkillRow, pause_item
from gigbot.quality.suspensions import SYSTEM, ActiveSuspension, active_suspension
from gigbot.scoring import label_values
from gigbot.tasks import leases, policy, selection, store
from gigbot.tasks.selection import ServedItem
from gigbot.tasks.store import CountedItem, LeaseRow, Owned

__all__ = [
    "End",
    "Outcome",
    "Step",
    "report_item",
    "shown_again",
    "skip_item",
    "submit_choice",
    "submit_done",
    "submit_text",
    "toggle_label",
]

log = logging.getLogger(__name__)


class Outcome(StrEnum):
    """What an action did."""

    STARTED = "started"  # a session began (or resumed): its item, or why none
    RECORDED = "recorded"  # an answer was recorded
    TOGGLED = "toggled"  # a multi-label toggle changed the set
    SKIPPED = "skipped"
    REPORTED = "reported"
    REPLAY = "replay"  # already answered (double tap, redelivery): nothing new
    CLOSED = "closed"  # the lease was closed by an earlier action: nothing new
    EXPIRED = "expired"  # the lease had expired: a fresh item follows
    REFUSED = "refused"  # a typed answer was refused; the lease stays open (see ``problem``)
    BUTTONS = "buttons"  # text while a button item is open: answer with the buttons
    SUSPENDED = "suspended"  # the worker is suspended: nothing recorded


class End(StrEnum):
    """Why no next item follows."""

    NO_WORK = "no_work"  # nothing left in the project for this worker
    PAUSED = "paused"  # the project was paused
    SUSPENDED = "suspended"  # the worker was (just) suspended


@dataclass(frozen=True, slots=True)
class Step:
    """The result of an action, for the handler to render after commit."""

    outcome: Outcome
    item: ServedItem | None = None  # what to show now: the next item (or the same one)
    end: End | None = None
    project_id: int | None = None
    project_title: dict[str, str] | None = None
    suspension: ActiveSuspension | None = None
    problem: policy.TextProblem | None = None
    limit: int = 0  # the longest accepted text (for the TOO_LONG refusal)
    notices: tuple[Notice, ...] = ()
    shown_message_id: int | None = None  # the message that showed the lease just closed


async def _owned(db: BaseDBAsyncClient, worker_id: int, lease_id: int) -> Owned:
    """The worker's lease and its project (one hand-written statement: every tap runs it)."""
    found = await store.owned(db, lease_id, worker_id)
    if found is None:
        raise BadCallback()  # unknown or another worker's lease: forged data
    return found


async def _next(
    db: BaseDBAsyncClient, lease: LeaseRow, project: ProjectFacts, outcome: Outcome,
    now: dt.datetime, notices: Iterable[Notice] = (), *, checked: bool = False,
    skill: SkillRow | None = None, resume: bool = False,
) -> Step:
    """The step after ``lease`` closed: the next item of the session, or why none.

    ``checked``: the caller has just seen that the worker is not suspended; ``skill``: the
    worker's skill row, just written by quality; ``resume``: an item the worker holds already
    (leased since from /tasks) is shown again rather than a second one leased.
    """
    worker_id: int = lease.worker_id
    suspension = None if checked else await active_suspension(worker_id, project.id, now)
    item = None
    if suspension is None:
        item = await selection.lease_next(
            db, worker_id, project, now=now, session_id=lease.session_id or lease.id,
            chat_id=lease.chat_id, message_id=lease.message_id, resume=resume, skill=skill,
        )
    end = None
    if item is None:
        end = End.SUSPENDED if suspension else End.NO_WORK
        if suspension is None and project.status != ProjectStatus.ACTIVE:
            end = End.PAUSED
    return Step(outcome, item=item, end=end, project_id=project.id,
                project_title=dict(project.title), suspension=suspension,
                notices=tuple(notices), shown_message_id=lease.message_id)


async def _not_open(db: BaseDBAsyncClient, lease: LeaseRow, project: ProjectFacts,
                    now: dt.datetime) -> Step:
    """A lease that an action could not claim: replay, closed, or expired (serve afresh)."""
    status, expires_at = await store.lease_state(db, lease.id)
    lease = dataclasses.replace(lease, status=status, expires_at=expires_at)
    if lease.status == LeaseStatus.OPEN and lease.expires_at <= now:
        await leases.close_lease(lease.id, None, LeaseStatus.EXPIRED, now)
        lease = dataclasses.replace(lease, status=LeaseStatus.EXPIRED)
    if lease.status == LeaseStatus.EXPIRED:  # the stale button of a lease long gone
        return await _next(db, lease, project, Outcome.EXPIRED, now, resume=True)
    if lease.status == LeaseStatus.ANSWERED:
        return await _replay(lease, project, now)
    return Step(Outcome.CLOSED, project_id=project.id)


async def _replay(lease: LeaseRow, project: ProjectFacts, now: dt.datetime) -> Step:
    """An answered lease pressed again: nothing new, but the item the worker is on now.

    A double tap or a redelivered update finds that item already on screen. After a Bot API
    failure it is not: the answer was recorded but the edit into the next item was lost, so
    the old buttons are all the worker has, and they must lead on, not to a dead end.
    """
    current = await leases.open_lease(lease.worker_id, project.id, now)
    if current is None:
        return Step(Outcome.REPLAY, project_id=project.id)
    shown = await shown_again(current, project)
    return dataclasses.replace(shown, outcome=Outcome.REPLAY)


async def _suspended(worker_id: int, project: ProjectFacts, now: dt.datetime,
                     standing: verdicts.Standing) -> Step | None:
    if not standing.in_force(now):
        return None
    suspension = await active_suspension(worker_id, project.id, now)
    if suspension is None:
        return None
    return Step(Outcome.SUSPENDED, end=End.SUSPENDED, project_id=project.id,
                project_title=dict(project.title), suspension=suspension)


async def _record(db: BaseDBAsyncClient, lease: LeaseRow, project: ProjectFacts, value: Any,
                  now: dt.datetime, admins: frozenset[int],
                  suspensions: int | None = None) -> Step:
    """Claim the lease, write the answer and its earning, run quality, lease the next item.

    ``suspensions``: how many suspension rows the worker has, when the caller read it (none:
    nothing to load).
    """
    worker_id: int = lease.worker_id
    item_id: int = lease.item_id
    # read once: the rules after the answer judge the same rows (nothing between changes them)
    if suspensions == 0:
        standing = verdicts.Standing(())
    else:
        standing = await verdicts.Standing.load(db, worker_id, project.id)
    stopped = await _suspended(worker_id, project, now, standing)
    if stopped is not None:  # suspended while the item was open: record nothing, give it back
        await leases.drop_lease(lease.id, worker_id)
        return stopped
    # compare-and-set: a double tap, a second button or a redelivered update claims no row
    if not await store.claim_answer(db, lease.id, worker_id, now):
        return await _not_open(db, lease, project, now)
    # counted before the answer is written: see store.count_answer (row locks on PostgreSQL)
    item = await store.count_answer(db, item_id)
    auto = project.accept == Acceptance.AUTO
    seconds = max((now - lease.created_at).total_seconds(), 0.0)
    answer_id = await store.insert_answer(
        db, lease_id=lease.id, item_id=item_id, worker_id=worker_id, project_id=project.id,
        value=value, seconds=seconds, is_control=lease.is_control,
        status=AnswerStatus.ACCEPTED if auto else AnswerStatus.PENDING, now=now,
    )
    # the earning commits with its answer whatever the policy: a pending answer's earning
    # stays pending until payouts/acceptance.py decides (a rejection writes its counter-entry)
    hold = dt.timedelta(days=project.hold_days) if project.hold_days else None
    await ledger.post_new(db, worker_id, EntryKind.EARNING, int(project.reward),
                          key=f"answer:{answer_id}", now=now, answer_id=answer_id,
                          available_at=now + hold if hold else None)
    outcome = await live.on_answer(live.AnswerFacts(
        answer_id=answer_id, worker_id=worker_id, project_id=project.id, item_id=item_id,
        value=value, seconds=seconds, is_control=lease.is_control, now=now,
        admins=admins,
    ), project=project, standing=standing, item=item)
    await _flag_settled(db, item, outcome.settled)
    notices = outcome.notices
    if outcome.settled is Settled.COMPLETE and project.accept == Acceptance.CONSENSUS:
        notices += await acceptance.settle_consensus(db, item_id, project, now)
    log.info("answer recorded lease=%s worker=%s", lease.id, worker_id)
    if outcome.suspended is not None:
        return Step(Outcome.RECORDED, end=End.SUSPENDED, project_id=project.id,
                    project_title=dict(project.title), suspension=outcome.suspended,
                    notices=notices, shown_message_id=lease.message_id)
    return await _next(db, lease, project, Outcome.RECORDED, now, notices,
                       checked=True, skill=outcome.skill)


async def _flag_settled(db: BaseDBAsyncClient, item: CountedItem, settled: Settled) -> None:
    """Set ``returned`` as quality settled the item; written only when the flag changes.

    More answers wanted flag it (workers who passed the item may answer it now); a completed
    item is cleared. Most answers settle nothing: no statement is added to their tap.
    """
    if settled is Settled.MORE and not item.returned:
        await store.flag_returned(db, [item.id])
    elif settled is Settled.COMPLETE and item.returned:
        await store.clear_returned(db, [item.id])


async def submit_choice(worker_id: int, lease_id: int, choice: int, *, now: dt.datetime,
                        admins: frozenset[int] = frozenset()) -> Step:
    """A one-tap answer: label button ``choice`` of a single-label classification item."""
    async with in_transaction() as db:
        owned = await _owned(db, worker_id, lease_id)
        lease, project, suspensions = owned.lease, owned.project, owned.suspensions
        value = policy.label_value(project.labels or [], choice)
        if value is None or project.kind != ProjectKind.CLASSIFICATION or project.multi_label:
            raise BadCallback()
        return await _record(db, lease, project, value, now, admins, suspensions)


async def toggle_label(worker_id: int, lease_id: int, choice: int, on: bool, *,
                       now: dt.datetime) -> Step:
    """Set one label of a multi-label item on or off; the item is shown again with its state."""
    async with in_transaction() as db:
        owned = await _owned(db, worker_id, lease_id)
        lease, project = owned.lease, owned.project
        value = policy.label_value(project.labels or [], choice)
        if value is None or not project.multi_label:
            raise BadCallback()
        if lease.status != LeaseStatus.OPEN or lease.expires_at <= now:
            return await _not_open(db, lease, project, now)
        order = label_values(project.labels)
        chosen = policy.toggled(lease.chosen or [], value, on, order)
        if chosen != list(lease.chosen or []):
            await Lease.filter(id=lease.id, status=LeaseStatus.OPEN).update(chosen=chosen)
            lease = dataclasses.replace(lease, chosen=chosen)
        return await shown_again(lease, project)


async def shown_again(lease: Lease | LeaseRow, project: ProjectFacts) -> Step:
    """The open lease's item as it stands now (labels toggled so far), to show it again."""
    item = await Item.get(id=lease.item_id)
    served = selection.served_item(lease, selection.content_of(item), project)
    return Step(Outcome.TOGGLED, item=served, project_id=project.id,
                project_title=dict(project.title))


async def submit_done(worker_id: int, lease_id: int, *, now: dt.datetime,
                      admins: frozenset[int] = frozenset()) -> Step:
    """Multi-label Done: record the toggled labels (at least one) as the answer."""
    async with in_transaction() as db:
        owned = await _owned(db, worker_id, lease_id)
        lease, project, suspensions = owned.lease, owned.project, owned.suspensions
        if not project.multi_label:
            raise BadCallback()
        if lease.status == LeaseStatus.OPEN and lease.expires_at > now and not lease.chosen:
            raise UserError("tasks.pick_one")
        return await _record(db, lease, project, list(lease.chosen or []), now, admins,
                             suspensions)


async def _text_lease(worker_id: int, now: dt.datetime) -> Lease | None:
    """The worker's newest open lease (the item on their screen), any project."""
    return (
        await Lease.filter(worker_id=worker_id, status=LeaseStatus.OPEN, expires_at__gt=now)
        .order_by("-id")
        .first()
    )


async def submit_text(worker_id: int, text: str | None, *, message_id: int,
                      reply_to: int | None, now: dt.datetime,
                      admins: frozenset[int] = frozenset()) -> Step | None:
    """A typed answer to the open transcription item; None when no task item is open.

    Accepted: a reply to the item's media or prompt message, or plain text sent after the item
    was shown (message ids in a chat only grow, so a redelivered older text never answers a
    newer item). A reply to an older, answered item is a redelivery and changes nothing.
    """
    async with in_transaction() as db:
        lease = await _text_lease(worker_id, now)
        if lease is None:
            return await _stale_text(db, worker_id, reply_to, now)
        project = await Project.get(id=lease.project_id)
        if project.kind != ProjectKind.TRANSCRIPTION:
            return Step(Outcome.BUTTONS, project_id=project.id)
        shown = lease.message_id or 0
        if (reply_to is not None and reply_to < shown) or (reply_to is None
                                                           and message_id <= shown):
            return Step(Outcome.REPLAY, project_id=project.id)
        limit = policy.answer_limit(project.rules)
        problem = policy.check_text_answer(text, limit)
        if problem is not None:
            return Step(Outcome.REFUSED, problem=problem, limit=limit, project_id=project.id)
        return await _record(db, LeaseRow.of(lease), project, (text or "").strip(), now,
                             admins)


async def _stale_text(db: BaseDBAsyncClient, worker_id: int, reply_to: int | None,
                      now: dt.datetime) -> Step | None:
    """Text while no lease is open: a reply to an old item message, or not for us (None)."""
    if reply_to is None:
        return None
    lease = await Lease.filter(worker_id=worker_id, message_id=reply_to).order_by("-id").first()
    if lease is None:
        return None
    project = await Project.get(id=lease.project_id)
    return await _not_open(db, LeaseRow.of(lease), project, now)


async def skip_item(worker_id: int, lease_id: int, *, now: dt.datetime) -> Step:
    """Skip: the item goes back to the pool (never again to this worker); the next follows."""
    async with in_transaction() as db:
        owned = await _owned(db, worker_id, lease_id)
        lease, project = owned.lease, owned.project
        if lease.expires_at <= now or not await leases.close_lease(
            lease.id, worker_id, LeaseStatus.SKIPPED, now
        ):
            return await _not_open(db, lease, project, now)
        return await _next(db, lease, project, Outcome.SKIPPED, now)


async def report_item(worker_id: int, lease_id: int, reason: int, *, now: dt.datetime,
                      admins: frozenset[int] = frozenset()) -> Step:
    """Report a bad item; the third report pauses it for admins (audit log and a notice)."""
    if not 0 <= reason < len(policy.REPORT_REASONS):
        raise BadCallback()
    async with in_transaction() as db:
        owned = await _owned(db, worker_id, lease_id)
        lease, project = owned.lease, owned.project
        if lease.expires_at <= now or not await leases.close_lease(
            lease.id, worker_id, LeaseStatus.REPORTED, now
        ):
            return await _not_open(db, lease, project, now)
        item_id: int = lease.item_id
        _, created = await ItemReport.get_or_create(
            item_id=item_id, worker_id=worker_id,
            defaults={"reason": policy.REPORT_REASONS[reason], "created_at": now},
        )
        notices: tuple[Notice, ...] = ()
        if created:
            await store.count_report(db, item_id)
            notices = await _pause_if_reported(db, item_id, project, now, admins)
        return await _next(db, lease, project, Outcome.REPORTED, now, notices)


async def _pause_if_reported(db: BaseDBAsyncClient, item_id: int, project: ProjectFacts,
                             now: dt.datetime, admins: frozenset[int]) -> tuple[Notice, ...]:
    item = await Item.get(id=item_id)
    if item.reports < policy.REPORTS_TO_PAUSE:
        return ()
    if not await pause_item(db, item_id):
        return ()
    reasons = await ItemReport.filter(item_id=item_id).values_list("reason", flat=True)
    await AuditLog.create(at=now, actor=SYSTEM, action="item.pause", project_id=project.id,
                          data={"item": item_id, "key": item.key, "reports": list(reasons)})
    log.info("item paused after reports item=%s project=%s", item_id, project.id)
    return await admin_notices(admins, "tasks.alert.item_paused", {
        "project": dict(project.title), "item": item.key, "reports": item.reports,
        "reasons": ", ".join(sorted(set(map(str, reasons)))),
    })
