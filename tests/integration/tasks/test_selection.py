"""Selection on a real database: order, overlap, no repeats, control share, the cursor fallback."""

from __future__ import annotations

import datetime as dt

from tortoise.transactions import in_transaction

from gigbot.db.models import Answer, Item, ItemStatus, Lease, LeaseStatus, Project
from gigbot.tasks import answers, leases, selection, sessions
from gigbot.tasks.answers import End, Outcome
from tests.helpers.tasks import START, make_project, make_worker, make_workers

THINK = dt.timedelta(seconds=5)


async def _answer_all(worker_id: int, project: Project, now: dt.datetime, limit: int = 10_000
                      ) -> tuple[list[int], dt.datetime]:
    """Start a session and answer "pos" until no work is left; the item ids served, in order."""
    served: list[int] = []
    step = await sessions.start_session(worker_id, project.id, now=now)
    while step.item is not None and len(served) < limit:
        lease = await Lease.get(id=step.item.lease_id)
        served.append(lease.item_id)  # type: ignore[attr-defined]
        now += THINK
        step = await answers.submit_choice(worker_id, step.item.lease_id, 0, now=now)
        assert step.outcome is Outcome.RECORDED
    return served, now


async def test_one_worker_gets_every_item_once_in_order(any_db: str) -> None:
    project = await make_project(items=30)
    worker = await make_worker(1)
    served, _ = await _answer_all(worker.id, project, START)
    ids = await Item.filter(project_id=project.id).order_by("id").values_list("id", flat=True)
    assert served == list(ids)
    assert await Answer.filter(worker_id=worker.id).count() == 30
    assert await Item.filter(project_id=project.id, status=ItemStatus.COMPLETE).count() == 30


async def test_no_work_left_says_so(any_db: str) -> None:
    project = await make_project(items=2)
    worker = await make_worker(1)
    await _answer_all(worker.id, project, START)
    step = await sessions.start_session(worker.id, project.id, now=START + dt.timedelta(hours=1))
    assert step.item is None
    assert step.end is End.NO_WORK


async def test_overlap_caps_answers_and_leases_per_item(any_db: str) -> None:
    project = await make_project(items=5, overlap=2)
    workers = await make_workers(4)
    now = START
    for worker in workers:
        _, now = await _answer_all(worker.id, project, now)
    counts = await Answer.filter(project_id=project.id).values_list("item_id", flat=True)
    per_item = {item_id: counts.count(item_id) for item_id in set(counts)}
    assert sorted(per_item.values()) == [2] * 5  # two workers did everything, the rest got none
    for item in await Item.filter(project_id=project.id):
        assert item.taken == 2
        assert item.answers_count == 2


async def test_open_leases_count_against_the_cap(any_db: str) -> None:
    project = await make_project(items=3, overlap=1)
    first, second = await make_workers(2)
    a = await sessions.start_session(first.id, project.id, now=START)
    b = await sessions.start_session(second.id, project.id, now=START)
    assert a.item is not None and b.item is not None
    lease_a = await Lease.get(id=a.item.lease_id)
    lease_b = await Lease.get(id=b.item.lease_id)
    assert lease_a.item_id != lease_b.item_id  # type: ignore[attr-defined]
    again = await sessions.start_session(first.id, project.id, now=START)
    assert again.item is not None and again.item.lease_id == a.item.lease_id  # resumes


async def test_complete_and_paused_items_are_never_served(any_db: str) -> None:
    project = await make_project(items=4, overlap=3)
    ids = await Item.filter(project_id=project.id).order_by("id").values_list("id", flat=True)
    await Item.filter(id=ids[0]).update(status=ItemStatus.COMPLETE)
    await Item.filter(id=ids[1]).update(status=ItemStatus.PAUSED)
    worker = await make_worker(1)
    served, _ = await _answer_all(worker.id, project, START)
    assert served == list(ids[2:])


async def test_items_released_below_the_cursor_are_still_served(any_db: str) -> None:
    project = await make_project(items=3, overlap=1)
    early, late = await make_workers(2)
    held = await sessions.start_session(early.id, project.id, now=START)  # holds item 1
    assert held.item is not None
    served, now = await _answer_all(late.id, project, START)
    assert len(served) == 2  # items 2 and 3; item 1 is leased
    await leases.close_lease(held.item.lease_id, early.id, LeaseStatus.SKIPPED, now)
    step = await sessions.start_session(late.id, project.id, now=now)
    assert step.item is not None  # item 1 came back below the late worker's cursor
    lease = await Lease.get(id=step.item.lease_id)
    first = await Item.filter(project_id=project.id).order_by("id").first()
    assert first is not None and lease.item_id == first.id  # type: ignore[attr-defined]


async def test_control_share_is_exact_and_doubled_on_probation(any_db: str) -> None:
    # 40 normal items and plenty of controls; gold_ratio 0.1 is 0.2 on probation (no Skill
    # stage change happens before 20 control answers).
    project = await make_project(items=40, controls=40, gold_ratio=0.1, overlap=1)
    worker = await make_worker(1)
    served, _ = await _answer_all(worker.id, project, START, limit=50)
    controls = await Lease.filter(worker_id=worker.id, is_control=True).count()
    assert len(served) == 50
    assert controls in (10, 11)  # 50 * 0.2, the last block may or may not hold its control
    rows = await Answer.filter(worker_id=worker.id).order_by("id").values_list(
        "is_control", flat=True
    )
    for block in range(5):  # one control in every block of five answers
        assert sum(rows[block * 5 : block * 5 + 5]) == 1


async def test_quarantined_controls_are_not_served(any_db: str) -> None:
    project = await make_project(items=10, controls=3, gold_ratio=0.5)
    await Item.filter(project_id=project.id, is_control=True).update(quarantined_at=START)
    worker = await make_worker(1)
    await _answer_all(worker.id, project, START)
    assert await Lease.filter(worker_id=worker.id, is_control=True).count() == 0
    assert await Answer.filter(worker_id=worker.id).count() == 10


async def test_no_control_is_served_once_the_real_work_is_done(any_db: str) -> None:
    # 0.2 is 0.4 on probation: one control in every 2.5 answers while there is real work
    project = await make_project(items=3, controls=10, gold_ratio=0.2)
    worker = await make_worker(1)
    served, _ = await _answer_all(worker.id, project, START)
    normal = await Lease.filter(worker_id=worker.id, is_control=False).count()
    assert normal == 3
    assert len(served) <= 6  # at most the controls due up to the end of the real work


async def test_pick_item_finds_nothing_in_an_empty_project(any_db: str) -> None:
    project = await make_project(items=0)
    worker = await make_worker(1)
    async with in_transaction() as db:
        assert await selection.pick_item(db, worker.id, project.id, control=False) is None


async def test_an_item_asking_for_one_more_answer_reaches_a_worker_past_it(any_db: str) -> None:
    project = await make_project(items=3, overlap=1, max_overlap=2)
    await Project.filter(id=project.id).update(confidence=0.99)  # one vote is never enough
    project = await Project.get(id=project.id)
    early, late = await make_workers(2)
    held = await sessions.start_session(early.id, project.id, now=START)  # holds item 1
    assert held.item is not None
    served, now = await _answer_all(late.id, project, START)
    assert len(served) == 2  # items 2 and 3, each now asking for a second answer
    first = await Item.filter(project_id=project.id).order_by("id").first()
    assert first is not None
    step = await answers.submit_choice(early.id, held.item.lease_id, 0, now=now)
    assert step.outcome is Outcome.RECORDED
    item = await Item.get(id=first.id)
    assert (item.needed, item.returned) == (2, True)  # below the late worker's cursor
    again, _ = await _answer_all(late.id, project, now)
    assert again == [first.id]
    await _answer_all(early.id, project, now)
    for row in await Item.filter(project_id=project.id):
        assert (row.status, row.answers_count, row.returned) == (ItemStatus.COMPLETE, 2, False)


async def test_an_item_moved_to_the_control_class_is_not_served_twice(any_db: str) -> None:
    project = await make_project(items=4, controls=2, gold_ratio=0.5)
    worker = await make_worker(1)
    served, now = await _answer_all(worker.id, project, START, limit=2)
    # a re-import gave the first answered item a gold value: it is a control item now
    await Item.filter(id=served[0]).update(is_control=True, gold="pos", returned=True)
    rest, _ = await _answer_all(worker.id, project, now)
    assert served[0] not in rest
    assert len(served) + len(rest) == len(set(served + rest)) == 6
