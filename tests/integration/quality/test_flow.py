"""Quality through the task engine: imported projects, served leases, taps recorded by answers.py.

These are the e2e flows of the quality issue driven through the services (the bot's task
handlers render the same Steps): a worker who always taps the same label is suspended and the
reason is in their language; bad gold is quarantined and a wrongly suspended worker restored.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from gigbot.catalog.importer import import_project
from gigbot.clock import FrozenClock
from gigbot.db.models import Item, Lease, Project, User
from gigbot.i18n import t
from gigbot.quality.suspensions import active_suspension
from gigbot.tasks import answers, sessions
from gigbot.tasks.answers import End, Step
from tests.helpers import crowd

pytestmark = pytest.mark.usefixtures("any_db")

POS, NEG = 0, 1  # button indexes of the two labels


class Tapper:
    """One worker tapping through a session, three seconds per tap."""

    def __init__(self, worker: User, project: Project, clock: FrozenClock) -> None:
        self.worker, self.project, self.clock = worker, project, clock
        self.step: Step | None = None

    async def start(self) -> Step:
        self.step = await sessions.start_session(self.worker.id, self.project.id,
                                                 now=self.clock.now())
        return self.step

    async def tap(self, choice: int, admins: frozenset[int] = frozenset()) -> Step:
        assert self.step is not None and self.step.item is not None
        self.clock.advance(seconds=3)
        self.step = await answers.submit_choice(
            self.worker.id, self.step.item.lease_id, choice, now=self.clock.now(), admins=admins
        )
        return self.step

    async def served_key(self) -> str:
        assert self.step is not None and self.step.item is not None
        lease = await Lease.get(id=self.step.item.lease_id)
        return (await Item.get(id=lease.item_id)).key  # type: ignore[attr-defined]


async def test_always_the_same_label_is_suspended_and_told_why(tmp_path: Path) -> None:
    clock = FrozenClock(crowd.T0)
    folder = crowd.project_file(tmp_path, "same-label", ["g1=pos", "g2=neg", "g3=pos", "g4=neg",
                                                   "g5=pos", "g6=neg"])
    await import_project(folder, data_dir=tmp_path / "data", clock=clock)
    project = await Project.get(slug="same-label")
    worker = Tapper(await crowd.worker("ko"), project, clock)
    await worker.start()
    steps = [await worker.tap(POS) for _ in range(5)]  # probation: every item is a control

    assert [s.end for s in steps] == [None, None, None, None, End.SUSPENDED]
    suspension = steps[-1].suspension
    assert suspension is not None and suspension.rule == "accuracy"
    reason = t("ko", suspension.reason_key, **suspension.reason_params)
    assert reason == "검수 문항 5개에서 정답 비율이 60%로, 필요한 기준 80%보다 낮아요."
    again = await worker.start()
    assert again.end == End.SUSPENDED and again.item is None


async def test_bad_gold_is_quarantined_and_the_suspended_worker_restored(tmp_path: Path) -> None:
    clock = FrozenClock(crowd.T0)
    golds = ["g1=pos", "g2=pos", "g3=pos", "g4=pos", "bad=pos", "g6=pos", "g7=neg"]
    folder = crowd.project_file(tmp_path, "gold-audit", golds)
    await import_project(folder, data_dir=tmp_path / "data", clock=clock)
    project = await Project.get(slug="gold-audit")

    x = Tapper(await crowd.worker("ko"), project, clock)
    await x.start()
    for choice in (POS, NEG, POS, POS):
        await x.tap(choice)
    assert await x.served_key() == "bad"
    suspended = await x.tap(NEG)  # right in truth, wrong by the bad gold: 3 of 5
    assert suspended.end == End.SUSPENDED

    trusted = [Tapper(await crowd.worker(), project, clock) for _ in range(3)]
    for w in trusted:
        await w.start()
        for _ in range(4):
            await w.tap(POS)
        assert await w.served_key() == "bad"
    quiet = [await w.tap(NEG) for w in trusted[:2]]
    assert all(s.notices == () and s.end is None for s in quiet)
    last = await trusted[2].tap(NEG, admins=frozenset({999}))

    assert last.end is None  # the trusted worker goes on working
    keys = sorted((n.key, n.chat_id) for n in last.notices)
    assert keys == [("quality.alert.quarantine", 999), ("quality.restored", x.worker.tg_id)]
    restored = next(n for n in last.notices if n.key == "quality.restored")
    assert restored.lang == "ko"
    assert await active_suspension(x.worker.id, project.id, clock.now()) is None
    back = await x.start()
    assert back.end is None and back.item is not None
    assert (await Item.get(key="bad")).quarantined_at is not None

    # a newcomer is never served the quarantined item
    newcomer = Tapper(await crowd.worker(), project, clock)
    await newcomer.start()
    served = [await newcomer.served_key()]
    for _ in range(8):
        step = await newcomer.tap(POS)
        if step.item is None:
            break
        served.append(await newcomer.served_key())
    assert "bad" not in served and served[:5] == ["g1", "g2", "g3", "g4", "g6"]
