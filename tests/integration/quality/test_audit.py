"""Gold that audits itself: bad gold quarantined, admins told, penalties recomputed away."""

from __future__ import annotations

import datetime as dt

import pytest

from gigbot.db.models import (
    Admin,
    Answer,
    AuditLog,
    Item,
    ItemStatus,
    Project,
    Skill,
    Suspension,
    User,
)
from gigbot.quality.audit import audit_item, audit_project
from gigbot.quality.suspensions import active_suspension
from tests.helpers import crowd

pytestmark = pytest.mark.usefixtures("any_db")


def at(minutes: float) -> dt.datetime:
    return crowd.T0 + dt.timedelta(minutes=minutes)


async def trusted(p: Project, n: int, *, start: float = 0) -> list[User]:
    """Workers with ten right control answers each (Beta mean 12/13 ≈ 0.92)."""
    out = []
    for _ in range(n):
        w = await crowd.worker()
        for k in range(10):
            await crowd.answer(w, await crowd.item(p, gold="pos"), "pos", now=at(start + k))
        out.append(w)
    return out


async def test_bad_gold_is_quarantined_and_a_wrongly_suspended_worker_restored() -> None:
    p = await crowd.project()
    await Admin.create(tg_id=555, added_at=crowd.T0)
    bad = await crowd.item(p, "bad-gold", gold="pos")  # the truth is "neg"
    # x: right, wrong, right, right on good gold, then "neg" on the bad item: 3/5 -> suspended
    x = await crowd.worker("ko")
    for k, value in enumerate(("pos", "neg", "pos", "pos")):
        await crowd.answer(x, await crowd.item(p, gold="pos"), value, now=at(k))
    out = await crowd.answer(x, bad, "neg", now=at(5))
    assert out.suspended is not None and out.suspended.rule == "accuracy"
    # y: wrong on the bad item first, then wrong once more later: 3/5 -> suspended elsewhere
    y = await crowd.worker()
    for k, value in enumerate(("pos", "pos", "pos")):
        await crowd.answer(y, await crowd.item(p, gold="pos"), value, now=at(k))
    await crowd.answer(y, bad, "neg", now=at(6))
    other = await crowd.item(p, gold="pos")
    out = await crowd.answer(y, other, "neg", now=at(7))
    assert out.suspended is not None
    cause = (await Suspension.get(id=out.suspended.id)).cause_item_id  # type: ignore[attr-defined]
    assert cause == other.id

    sure = await trusted(p, 3, start=10)
    first, second = [await crowd.answer(w, bad, "neg", now=at(30)) for w in sure[:2]]
    assert first.notices == () and second.notices == ()
    third = await crowd.answer(sure[2], bad, "neg", now=at(31), admins=frozenset({999}))

    # quarantined, and the answer that triggered it no longer counts as wrong
    item = await Item.get(id=bad.id)
    assert item.quarantined_at == at(31) and item.is_control
    assert third.correct is None
    assert await Answer.filter(item_id=bad.id, counted=True).count() == 0
    # every affected worker's skill is replayed without the bad item
    for w in sure:
        s = await Skill.get(worker_id=w.id, project_id=p.id)
        assert (s.control_right, s.control_wrong, s.control_count) == (10, 0, 10)
    sx = await Skill.get(worker_id=x.id)
    assert (sx.control_right, sx.control_wrong, sx.control_count) == (3, 1, 4)
    # both suspensions are lifted by the audit: x's was caused by the item, y's no longer holds
    assert await active_suspension(x.id, p.id, at(32)) is None
    assert await active_suspension(y.id, p.id, at(32)) is None
    lifted = await Suspension.filter(lifted_by="gold-audit").order_by("worker_id")
    assert [s.worker_id for s in lifted] == [x.id, y.id]  # type: ignore[attr-defined]
    # the restored workers are told, in their language; the admins get the evidence
    by_key: dict[str, list[int]] = {}
    for n in third.notices:
        by_key.setdefault(n.key, []).append(n.chat_id)
    assert sorted(by_key["quality.restored"]) == sorted([x.tg_id, y.tg_id])
    assert sorted(by_key["quality.alert.quarantine"]) == [555, 999]
    alert = next(n for n in third.notices if n.key == "quality.alert.quarantine")
    assert dict(alert.params) == {
        "project": p.title, "item": "bad-gold",
        "gold": {"en": "Positive", "ko": "긍정"}, "answer": {"en": "Negative", "ko": "부정"},
        "workers": 3, "restored": 2,
    }
    restored_x = next(n for n in third.notices if n.chat_id == x.tg_id)
    assert restored_x.lang == "ko"
    log = await AuditLog.get(action="gold.quarantine")
    assert log.data["key"] == "bad-gold" and sorted(log.data["workers"]) == sorted(
        w.id for w in sure
    )
    # its answers are ordinary votes now: five agree on "neg", so the item is labelled
    assert (item.status, item.label) == (ItemStatus.COMPLETE, "neg")


async def test_audit_is_idempotent() -> None:
    p = await crowd.project()
    bad = await crowd.item(p, gold="pos")
    for w in await trusted(p, 3):
        await crowd.answer(w, bad, "neg", now=at(20))
    assert (await Item.get(id=bad.id)).quarantined_at is not None
    logs = await AuditLog.all().count()
    skills = await Skill.all().order_by("id").values()

    assert await audit_item(bad.id, now=at(40)) is None
    assert await audit_project(p.id, now=at(40)) == []
    assert await AuditLog.all().count() == logs
    assert await Skill.all().order_by("id").values() == skills
    assert (await Item.get(id=bad.id)).quarantined_at == at(20)


async def test_good_gold_and_untrusted_dissent_stay() -> None:
    p = await crowd.project()
    disputed = await crowd.item(p, gold="pos")
    # three newcomers (skill 2/3) disagree with the gold: not trusted enough
    for _ in range(3):
        await crowd.answer(await crowd.worker(), disputed, "neg")
    # two trusted workers disagree: fewer than three
    for w in await trusted(p, 2, start=10):
        await crowd.answer(w, disputed, "neg", now=at(30))
    assert (await Item.get(id=disputed.id)).quarantined_at is None
    assert await audit_project(p.id, now=at(40)) == []
    assert await AuditLog.filter(action="gold.quarantine").count() == 0


async def test_sweep_finds_gold_that_became_suspect_when_skills_grew() -> None:
    p = await crowd.project()
    bad = await crowd.item(p, gold="pos")
    crowd_ = [await crowd.worker() for _ in range(3)]
    for w in crowd_:
        await crowd.answer(w, bad, "neg")  # newcomers then: no audit finding
    assert (await Item.get(id=bad.id)).quarantined_at is None
    for w in crowd_:  # later they prove themselves on good gold
        for k in range(12):
            await crowd.answer(w, await crowd.item(p, gold="pos"), "pos", now=at(1 + k))
    found = await audit_project(p.id, now=at(60), admins=[999])
    assert [q.item_id for q in found] == [bad.id]
    assert [n.chat_id for n in found[0].notices] == [999]
