"""The worker rules applied live: each with its reason, its audit log row and its action."""

from __future__ import annotations

import datetime as dt

import pytest

from gigbot.db.models import Admin, AuditLog, Suspension
from gigbot.i18n import Translator, t
from gigbot.notices import render_params
from gigbot.quality.suspensions import active_suspension, lift
from gigbot.quality.verdicts import SPEED_PAUSE
from tests.helpers import crowd

pytestmark = pytest.mark.usefixtures("any_db")


def later(seconds: float) -> dt.datetime:
    return crowd.T0 + dt.timedelta(seconds=seconds)


async def test_accuracy_below_minimum_after_five_controls_suspends_until_admins_decide() -> None:
    p = await crowd.project()
    w = await crowd.worker("ko")
    outcomes = []
    for n, value in enumerate(("pos", "neg", "pos", "neg", "neg")):
        control = await crowd.item(p, f"c{n}", gold="pos")
        outcomes.append(await crowd.answer(w, control, value, now=later(60 * n)))
    assert [o.suspended is not None for o in outcomes] == [False] * 4 + [True]
    suspended = outcomes[-1].suspended
    assert suspended is not None
    assert (suspended.rule, suspended.reason_key, suspended.ends_at) == (
        "accuracy", "quality.reason.accuracy", None
    )
    assert suspended.reason_params == {"accuracy": 0.4, "threshold": 0.8, "count": 5}
    row = await Suspension.get(id=suspended.id)
    assert row.cause_item_id == control.id  # type: ignore[attr-defined]
    log = await AuditLog.get(action="suspend", worker_id=w.id)
    assert log.data["rule"] == "accuracy" and log.data["cause_item"] == control.id
    text = t("ko", suspended.reason_key, **suspended.reason_params)
    assert "40%" in text and "80%" in text and "검수 문항 5개" in text
    text = t("en", suspended.reason_key, **suspended.reason_params)
    assert text.startswith("Only 40% of your answers on checked items were right (5 items)")


async def test_accuracy_is_judged_afresh_after_an_upheld_appeal() -> None:
    p = await crowd.project()
    w = await crowd.worker()
    for n, value in enumerate(("neg", "neg", "neg", "neg", "neg")):
        out = await crowd.answer(w, await crowd.item(p, gold="pos"), value, now=later(n))
    assert out.suspended is not None
    await lift(out.suspended.id, now=later(100), by="admin:1")
    fresh = [await crowd.answer(w, await crowd.item(p, gold="pos"), "pos", now=later(200 + n))
             for n in range(5)]
    assert all(o.suspended is None for o in fresh)
    assert await active_suspension(w.id, p.id, later(300)) is None


async def test_five_fast_answers_of_ten_suspend_for_a_day() -> None:
    p = await crowd.project()
    w = await crowd.worker()
    times = [6.0, 0.4, 6.0, 0.5, 6.0, 0.9, 6.0, 1.0]
    for n, seconds in enumerate(times):
        out = await crowd.answer(w, await crowd.item(p), "pos", seconds=seconds, now=later(10 * n))
        assert out.suspended is None
    out = await crowd.answer(w, await crowd.item(p), "pos", seconds=1.4, now=later(100))
    assert out.suspended is not None
    assert (out.suspended.rule, out.suspended.reason_key) == ("speed", "quality.reason.speed")
    assert out.suspended.reason_params == {"count": 5, "window": 9, "seconds": 1.5}
    assert out.suspended.ends_at == later(100) + SPEED_PAUSE
    assert await AuditLog.filter(action="suspend", worker_id=w.id).count() == 1
    assert "5 of your last 9 answers came faster than 1.5 seconds" in t(
        "en", "quality.reason.speed", **out.suspended.reason_params
    )
    # a day later the old fast answers are spent: one more fast answer is not enough
    after = later(100) + SPEED_PAUSE + dt.timedelta(minutes=1)
    assert await active_suspension(w.id, p.id, after) is None
    out = await crowd.answer(w, await crowd.item(p), "pos", seconds=0.3, now=after)
    assert out.suspended is None


async def test_transcription_speed_floor_grows_with_the_text() -> None:
    p = await crowd.project("voice-notes", kind="transcription", labels=[])
    w = await crowd.worker()
    text = "a sentence of about forty characters long"  # floor 1.5 + 0.1 * 41 ≈ 5.6 s
    for n in range(5):
        out = await crowd.answer(w, await crowd.item(p), text, seconds=4.0, now=later(n))
    assert out.suspended is not None and out.suspended.rule == "speed"
    other = await crowd.worker()
    for n in range(5):
        out = await crowd.answer(other, await crowd.item(p), "ok", seconds=4.0, now=later(n))
    assert out.suspended is None


async def test_project_rules_set_the_thresholds() -> None:
    p = await crowd.project(rules={"fast_count": 2, "fast_window": 3, "min_seconds": 3.0})
    w = await crowd.worker()
    first = await crowd.answer(w, await crowd.item(p), "pos", seconds=2.5)
    second = await crowd.answer(w, await crowd.item(p), "pos", seconds=2.5, now=later(5))
    assert first.suspended is None and second.suspended is not None
    assert second.suspended.reason_params == {"count": 2, "window": 2, "seconds": 3.0}


async def test_same_label_twenty_times_flags_admins_without_suspension() -> None:
    p = await crowd.project()
    w = await crowd.worker()
    await Admin.create(tg_id=555, added_at=crowd.T0)
    admin_user = await crowd.worker("ko", tg_id=777)
    admins = frozenset({777, 999})
    items = []
    for n in range(21):
        # the other workers' answers (or gold) vary: half the items are negative
        it = await crowd.item(p, f"i{n}", gold="neg" if n in (0, 10) else None)
        if it.gold is None:
            await crowd.answer(await crowd.worker(), it, "neg" if n % 2 else "pos", now=later(n))
        items.append(it)
    outcomes = [await crowd.answer(w, it, "pos", now=later(100 + n), admins=admins)
                for n, it in enumerate(items)]

    flagged = [n for n, o in enumerate(outcomes) if o.notices]
    assert flagged == [19]  # the 20th answer, and once per run
    assert all(o.suspended is None for o in outcomes)
    notices = outcomes[19].notices
    assert sorted(n.chat_id for n in notices) == [555, 777, 999]
    assert {n.key for n in notices} == {"quality.alert.same_label"}
    to_admin_user = next(n for n in notices if n.chat_id == admin_user.tg_id)
    assert to_admin_user.lang == "ko"
    assert to_admin_user.params["worker"] == w.pseudonym
    assert to_admin_user.params["label"] == {"en": "Positive", "ko": "긍정"}
    rendered = t("ko", "quality.alert.same_label",
                 **render_params(Translator("ko"), to_admin_user.params))
    assert "긍정" in rendered and "20번" in rendered and w.pseudonym in rendered
    log = await AuditLog.get(action="quality.flag", worker_id=w.id)
    assert log.data["rule"] == "same_label" and log.data["params"]["count"] == 20
    assert await Suspension.filter(worker_id=w.id).count() == 0


async def test_same_label_on_items_that_are_all_that_label_is_not_flagged() -> None:
    p = await crowd.project()
    w = await crowd.worker()
    flagged = []
    for n in range(20):
        it = await crowd.item(p, f"i{n}")
        await crowd.answer(await crowd.worker(), it, "pos", now=later(n))
        flagged.append(bool((await crowd.answer(w, it, "pos", now=later(50 + n))).notices))
    assert not any(flagged)
