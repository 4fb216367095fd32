"""Leases and answers on a real database: expiry, replays, forged leases, skip, report, stop."""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest

from gigbot.db.models import (
    Admin,
    Answer,
    AuditLog,
    Item,
    ItemReport,
    ItemStatus,
    Lease,
    LeaseStatus,
    LedgerEntry,
)
from gigbot.errors import BadCallback, UserError
from gigbot.payouts import ledger
from gigbot.quality.suspensions import suspend
from gigbot.tasks import answers, leases, sessions
from gigbot.tasks.answers import End, Outcome
from gigbot.tasks.policy import TextProblem
from tests.helpers.tasks import START, make_project, make_worker, make_workers

LATER = START + dt.timedelta(seconds=5)


async def _start(worker_id: int, project_id: int, now: dt.datetime = START) -> int:
    step = await sessions.start_session(worker_id, project_id, now=now)
    assert step.item is not None
    return step.item.lease_id


async def test_expired_lease_releases_its_item_exactly_once(any_db: str) -> None:
    project = await make_project(items=2, lease_minutes=10)
    worker = await make_worker(1)
    lease_id = await _start(worker.id, project.id)
    lease = await Lease.get(id=lease_id)
    item_id = lease.item_id  # type: ignore[attr-defined]
    assert (await Item.get(id=item_id)).taken == 1
    later = START + dt.timedelta(minutes=11)
    assert await leases.expire_due(START + dt.timedelta(minutes=9)) == 0
    done = await asyncio.gather(leases.expire_due(later), leases.expire_due(later))
    assert sum(done) == 1
    assert await leases.expire_due(later) == 0
    assert (await Item.get(id=item_id)).taken == 0
    assert (await Lease.get(id=lease_id)).status == LeaseStatus.EXPIRED


async def test_stale_button_of_an_expired_lease_serves_a_fresh_item(any_db: str) -> None:
    project = await make_project(items=3)
    worker = await make_worker(1)
    lease_id = await _start(worker.id, project.id)
    later = START + dt.timedelta(minutes=11)
    step = await answers.submit_choice(worker.id, lease_id, 0, now=later)
    assert step.outcome is Outcome.EXPIRED
    assert step.item is not None and step.item.lease_id != lease_id
    assert await Answer.all().count() == 0
    old = await Lease.get(id=lease_id)
    assert old.status == LeaseStatus.EXPIRED
    assert (await Item.get(id=old.item_id)).taken == 0  # type: ignore[attr-defined]
    # the expired item never comes back to this worker, but does to others
    other = await make_worker(2)
    seen = await Lease.get(id=await _start(other.id, project.id, later))
    assert seen.item_id == old.item_id  # type: ignore[attr-defined]


async def test_stale_button_after_a_new_session_shows_the_item_already_held(any_db: str
                                                                         ) -> None:
    project = await make_project(items=4)
    worker = await make_worker(1)
    first = await _start(worker.id, project.id)
    later = START + dt.timedelta(minutes=11)
    await leases.expire_due(later)  # the job expired it; the worker sent /tasks since
    held = await _start(worker.id, project.id, later)
    step = await answers.submit_choice(worker.id, first, 0, now=later)  # the old button
    assert step.outcome is Outcome.EXPIRED
    assert step.item is not None and step.item.lease_id == held  # no second item leased
    assert await Lease.filter(status=LeaseStatus.OPEN).count() == 1


async def test_an_answer_refused_by_a_suspension_gives_the_item_back(any_db: str) -> None:
    project = await make_project(items=2)
    worker = await make_worker(1)
    lease_id = await _start(worker.id, project.id)
    await suspend(worker.id, project.id, rule="admin", reason_key="suspension.reason.admin",
                  reason_params={"text": "check"}, now=START)
    step = await answers.submit_choice(worker.id, lease_id, 0, now=START)
    assert step.outcome is Outcome.SUSPENDED
    assert await Answer.all().count() == 0
    assert await Lease.filter(status=LeaseStatus.OPEN).count() == 0
    assert sum(await Item.filter(project_id=project.id).values_list("taken", flat=True)) == 0


async def test_double_tap_records_one_answer_and_one_earning(any_db: str) -> None:
    project = await make_project(items=3, reward=30)
    worker = await make_worker(1)
    lease_id = await _start(worker.id, project.id)
    first = await answers.submit_choice(worker.id, lease_id, 0, now=LATER)
    second = await answers.submit_choice(worker.id, lease_id, 1, now=LATER)
    assert first.outcome is Outcome.RECORDED
    assert second.outcome is Outcome.REPLAY
    assert first.item is not None and second.item is not None
    assert second.item.lease_id == first.item.lease_id  # the item on screen now, nothing new
    assert await Answer.filter(worker_id=worker.id).count() == 1
    answer = await Answer.get(lease_id=lease_id)
    assert answer.value == "pos"
    assert answer.seconds == 5.0
    assert await LedgerEntry.filter(key=f"answer:{answer.id}").count() == 1
    assert (await ledger.balance(worker.id, LATER)).available == 30


async def test_concurrent_taps_record_exactly_one_answer(any_db: str) -> None:
    project = await make_project(items=5)
    worker = await make_worker(1)
    lease_id = await _start(worker.id, project.id)
    steps = await asyncio.gather(
        *(answers.submit_choice(worker.id, lease_id, i % 2, now=LATER) for i in range(6))
    )
    assert sorted(s.outcome for s in steps).count(Outcome.RECORDED) == 1
    assert await Answer.filter(worker_id=worker.id).count() == 1
    assert await Lease.filter(worker_id=worker.id, status=LeaseStatus.OPEN).count() == 1


async def test_forged_or_foreign_lease_changes_nothing(any_db: str) -> None:
    project = await make_project(items=3)
    owner, other = await make_workers(2)
    lease_id = await _start(owner.id, project.id)
    with pytest.raises(BadCallback):
        await answers.submit_choice(other.id, lease_id, 0, now=LATER)
    with pytest.raises(BadCallback):
        await answers.submit_choice(owner.id, lease_id + 1000, 0, now=LATER)
    with pytest.raises(BadCallback):
        await answers.submit_choice(owner.id, lease_id, 7, now=LATER)  # no such button
    with pytest.raises(BadCallback):
        await answers.skip_item(other.id, lease_id, now=LATER)
    with pytest.raises(BadCallback):
        await sessions.stop_session(other.id, lease_id, now=LATER)
    assert await Answer.all().count() == 0
    assert (await Lease.get(id=lease_id)).status == LeaseStatus.OPEN


async def test_skip_gives_the_item_to_others_never_back_to_the_skipper(any_db: str) -> None:
    project = await make_project(items=2)
    skipper, other = await make_workers(2)
    lease_id = await _start(skipper.id, project.id)
    skipped = (await Lease.get(id=lease_id)).item_id  # type: ignore[attr-defined]
    step = await answers.skip_item(skipper.id, lease_id, now=LATER)
    assert step.outcome is Outcome.SKIPPED
    assert step.item is not None
    assert (await Item.get(id=skipped)).taken == 0
    again = await answers.skip_item(skipper.id, lease_id, now=LATER)
    assert again.outcome is Outcome.CLOSED
    step = await answers.skip_item(skipper.id, step.item.lease_id, now=LATER)
    assert step.item is None and step.end is End.NO_WORK
    other_lease = await Lease.get(id=await _start(other.id, project.id, LATER))
    assert other_lease.item_id == skipped  # type: ignore[attr-defined]


async def test_three_reports_pause_the_item_with_audit_and_admin_notice(any_db: str) -> None:
    project = await make_project(items=1, overlap=5)
    await Admin.create(tg_id=777, added_at=START)
    workers = await make_workers(4)
    steps = []
    for worker in workers[:3]:
        lease_id = await _start(worker.id, project.id)
        steps.append(await answers.report_item(worker.id, lease_id, 2, now=LATER,
                                               admins=frozenset({555})))
    assert [s.outcome for s in steps] == [Outcome.REPORTED] * 3
    item = await Item.get(project_id=project.id)
    assert item.status == ItemStatus.PAUSED
    assert item.reports == 3
    assert item.taken == 0
    assert await ItemReport.filter(item_id=item.id, reason="broken").count() == 3
    assert await AuditLog.filter(action="item.pause").count() == 1
    assert not steps[0].notices and not steps[1].notices
    assert sorted(n.chat_id for n in steps[2].notices) == [555, 777]
    assert steps[2].notices[0].key == "tasks.alert.item_paused"
    step = await sessions.start_session(workers[3].id, project.id, now=LATER)
    assert step.item is None  # a paused item is not served


async def test_stop_gives_the_item_back_and_tallies_the_session(any_db: str) -> None:
    project = await make_project(items=5, reward=30)
    worker = await make_worker(1)
    lease_id = await _start(worker.id, project.id)
    now = START
    for _ in range(3):
        now += dt.timedelta(seconds=5)
        step = await answers.submit_choice(worker.id, lease_id, 0, now=now)
        assert step.item is not None
        lease_id = step.item.lease_id
    item_id = (await Lease.get(id=lease_id)).item_id  # type: ignore[attr-defined]
    tally = await sessions.stop_session(worker.id, lease_id, now=now)
    assert (tally.answers, tally.earned, tally.pending) == (3, 90, 0)
    assert await Lease.filter(id=lease_id).count() == 0
    assert (await Item.get(id=item_id)).taken == 0
    step = await sessions.start_session(worker.id, project.id, now=now)
    assert step.item is not None
    resumed = await Lease.get(id=step.item.lease_id)
    assert resumed.item_id == item_id  # type: ignore[attr-defined]  # the stopped item again
    tally = await sessions.stop_session(worker.id, step.item.lease_id, now=now)
    assert tally.answers == 0  # a new session


async def test_pending_acceptance_holds_the_earning(any_db: str) -> None:
    # the earning commits with the answer, but stays pending until the answer is accepted
    project = await make_project(items=2, overlap=3, accept="consensus")
    worker = await make_worker(1)
    lease_id = await _start(worker.id, project.id)
    await answers.submit_choice(worker.id, lease_id, 1, now=LATER)
    answer = await Answer.get(lease_id=lease_id)
    assert answer.status == "pending"
    assert [e.amount for e in await LedgerEntry.all()] == [30]
    balance = await ledger.balance(worker.id, LATER)
    assert (balance.pending, balance.available) == (30, 0)


async def test_multi_label_toggles_are_idempotent_and_done_records_the_set(any_db: str) -> None:
    labels = [{"value": v, "en": v.title(), "ko": v} for v in ("red", "blue", "circle")]
    project = await make_project(items=2, labels=labels, multi_label=True)
    worker = await make_worker(1)
    lease_id = await _start(worker.id, project.id)
    with pytest.raises(UserError):
        await answers.submit_done(worker.id, lease_id, now=LATER)
    for _ in range(2):  # a redelivered toggle sets the same state again
        step = await answers.toggle_label(worker.id, lease_id, 2, True, now=LATER)
    assert step.item is not None and step.item.chosen == (2,)
    await answers.toggle_label(worker.id, lease_id, 0, True, now=LATER)
    await answers.toggle_label(worker.id, lease_id, 1, True, now=LATER)
    step = await answers.toggle_label(worker.id, lease_id, 1, False, now=LATER)
    assert step.item is not None and step.item.chosen == (0, 2)
    with pytest.raises(BadCallback):
        await answers.submit_choice(worker.id, lease_id, 0, now=LATER)  # not a one-tap item
    step = await answers.submit_done(worker.id, lease_id, now=LATER)
    assert step.outcome is Outcome.RECORDED
    assert (await Answer.get(lease_id=lease_id)).value == ["red", "circle"]


async def test_transcription_text_rules(any_db: str) -> None:
    project = await make_project(items=3, kind="transcription", labels=[])
    worker = await make_worker(1)
    lease_id = await _start(worker.id, project.id)
    await leases.attach_message(lease_id, worker.id, 1, 10)  # the item's media message

    async def text(body: str | None, message_id: int, reply_to: int | None = None
                   ) -> answers.Step | None:
        return await answers.submit_text(worker.id, body, message_id=message_id,
                                         reply_to=reply_to, now=LATER)

    empty = await text("   ", 12)
    assert empty is not None and empty.problem is TextProblem.EMPTY
    long = await text("x" * 1001, 13)
    assert long is not None and long.problem is TextProblem.TOO_LONG and long.limit == 1000
    old = await text("before the item", 9)  # an older message redelivered
    assert old is not None and old.outcome is Outcome.REPLAY
    stale_reply = await text("to an old message", 14, reply_to=5)
    assert stale_reply is not None and stale_reply.outcome is Outcome.REPLAY
    assert (await Lease.get(id=lease_id)).status == LeaseStatus.OPEN
    ok = await text("  hello there ", 15, reply_to=11)
    assert ok is not None and ok.outcome is Outcome.RECORDED and ok.item is not None
    assert (await Answer.get(lease_id=lease_id)).value == "hello there"
    await leases.attach_message(ok.item.lease_id, worker.id, 1, 16)
    dup = await text("  hello there ", 15, reply_to=11)  # the same message delivered again
    assert dup is not None and dup.outcome is Outcome.REPLAY
    plain = await text("next one", 18)  # plain text after the item counts too
    assert plain is not None and plain.outcome is Outcome.RECORDED
    assert await Answer.filter(worker_id=worker.id).count() == 2


async def test_text_without_an_open_item_is_not_ours(any_db: str) -> None:
    project = await make_project(items=1)
    worker = await make_worker(1)
    assert await answers.submit_text(worker.id, "hi", message_id=3, reply_to=None,
                                     now=START) is None
    await _start(worker.id, project.id)
    step = await answers.submit_text(worker.id, "pos", message_id=30, reply_to=None, now=LATER)
    assert step is not None and step.outcome is Outcome.BUTTONS
    assert await Answer.all().count() == 0
