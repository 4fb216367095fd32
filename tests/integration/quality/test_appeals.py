"""Appeals, admin suspensions and the reviewer offer on a real database."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from gigbot.config import Settings, load_settings
from gigbot.db.models import Admin, Appeal, AppealStatus, Project, Skill, SkillStage, User
from gigbot.errors import UserError
from gigbot.qualification.offers import (
    OfferOutcome,
    accept_reviewer,
    decline_reviewer,
    reviewer_offer_buttons,
)
from gigbot.quality import appeals, suspensions

T0 = dt.datetime(2025, 3, 1, 9, 0, tzinfo=dt.UTC)
ADMIN = 77
TITLE = {"en": "Reviews", "ko": "리뷰"}


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return load_settings({"GIGBOT_ADMINS": str(ADMIN), "GIGBOT_DATA_DIR": str(tmp_path)},
                         dotenv=None)


async def make_user(tg_id: int, language: str = "en", tz: str = "Asia/Seoul") -> User:
    return await User.create(tg_id=tg_id, pseudonym=f"w{tg_id}", language=language, tz=tz,
                             created_at=T0, last_seen_at=T0)


async def make_project(slug: str = "review-sentiment") -> Project:
    return await Project.create(
        slug=slug, kind="classification", title=TITLE, instructions={}, labels=[],
        reward=30, overlap=3, max_overlap=5, confidence=0.9, gold_ratio=0.1, min_accuracy=0.8,
        created_at=T0, updated_at=T0,
    )


async def suspended_worker(project: Project | None) -> tuple[User, suspensions.ActiveSuspension]:
    worker = await make_user(501, language="ko")
    found = await suspensions.suspend(
        worker.id, project.id if project else None, rule="accuracy",
        reason_key="quality.reason.accuracy", reason_params={"accuracy": "60%"}, now=T0,
        ends_at=T0 + dt.timedelta(days=7),
    )
    return worker, found


async def test_an_appeal_reaches_every_admin_once(any_db: str, settings: Settings) -> None:
    worker, suspension = await suspended_worker(await make_project())
    await Admin.create(tg_id=88, added_at=T0)
    await make_user(88, language="ko", tz="Europe/Paris")
    assert (await appeals.check_appealable(worker.id, suspension.id, T0)).id == suspension.id
    filed = await appeals.file_appeal(worker.id, suspension.id, "  I was careful!  ", T0,
                                      settings)
    assert filed.created
    assert filed.admins == (
        appeals.Recipient(ADMIN, "en", "Asia/Seoul"),
        appeals.Recipient(88, "ko", "Europe/Paris"),
    )
    case = filed.case
    assert (case.text, case.status, case.project, case.worker_tg_id) == (
        "I was careful!", AppealStatus.OPEN, TITLE, 501
    )
    assert case.reason_key == "quality.reason.accuracy"
    again = await appeals.file_appeal(worker.id, suspension.id, "again", T0, settings)
    assert not again.created and again.admins == () and again.case.id == case.id
    with pytest.raises(UserError) as refused:
        await appeals.check_appealable(worker.id, suspension.id, T0)
    assert refused.value.key == "appeal.already_open"
    assert [c.id for c in await appeals.open_cases()] == [case.id]
    assert await Appeal.all().count() == 1


async def test_upheld_appeal_lifts_the_suspension_once(any_db: str, settings: Settings) -> None:
    worker, suspension = await suspended_worker(await make_project())
    filed = await appeals.file_appeal(worker.id, suspension.id, "please", T0, settings)
    later = T0 + dt.timedelta(hours=2)
    with pytest.raises(UserError) as refused:
        await appeals.decide_appeal(filed.case.id, 12345, uphold=True, note=None, now=later,
                                    settings=settings)
    assert refused.value.key == "appeal.not_admin"
    decided = await appeals.decide_appeal(filed.case.id, ADMIN, uphold=True, note=None,
                                          now=later, settings=settings)
    assert decided.changed and decided.case.status is AppealStatus.UPHELD
    assert decided.worker_notice is not None
    assert (decided.worker_notice.chat_id, decided.worker_notice.lang) == (501, "ko")
    assert decided.worker_notice.key == "appeal.upheld_project"
    assert decided.worker_notice.params == {"project": TITLE}
    assert await suspensions.active_suspension(worker.id, suspension.project_id, later) is None
    second = await appeals.decide_appeal(filed.case.id, ADMIN, uphold=False, note="no",
                                         now=later, settings=settings)
    assert not second.changed and second.worker_notice is None
    assert second.case.status is AppealStatus.UPHELD


async def test_denied_appeal_keeps_the_suspension_and_passes_the_note(
    any_db: str, settings: Settings
) -> None:
    worker, suspension = await suspended_worker(None)
    filed = await appeals.file_appeal(worker.id, suspension.id, "please", T0, settings)
    decided = await appeals.decide_appeal(filed.case.id, ADMIN, uphold=False,
                                          note="  Too many misses.  ", now=T0, settings=settings)
    assert decided.worker_notice is not None
    assert decided.worker_notice.key == "appeal.denied_everywhere_note"
    assert decided.worker_notice.params == {"note": "Too many misses."}
    assert await suspensions.active_suspension(worker.id, None, T0) is not None
    # a new appeal is possible once the first is decided
    refiled = await appeals.file_appeal(worker.id, suspension.id, "again", T0, settings)
    assert refiled.created


async def test_denied_without_note(any_db: str, settings: Settings) -> None:
    worker, suspension = await suspended_worker(await make_project())
    filed = await appeals.file_appeal(worker.id, suspension.id, "please", T0, settings)
    decided = await appeals.decide_appeal(filed.case.id, ADMIN, uphold=False, note="",
                                          now=T0, settings=settings)
    assert decided.worker_notice is not None
    assert decided.worker_notice.key == "appeal.denied_project"


async def test_nothing_to_appeal(any_db: str, settings: Settings) -> None:
    worker, suspension = await suspended_worker(await make_project())
    other = await make_user(502)
    for who in (other.id,):
        with pytest.raises(UserError) as refused:
            await appeals.check_appealable(who, suspension.id, T0)
        assert refused.value.key == "appeal.not_suspended"
    await suspensions.lift(suspension.id, now=T0, by="admin:77")
    with pytest.raises(UserError) as refused:
        await appeals.file_appeal(worker.id, suspension.id, "text", T0, settings)
    assert refused.value.key == "appeal.not_suspended"
    with pytest.raises(UserError) as empty:
        await appeals.file_appeal(worker.id, suspension.id, "   ", T0, settings)
    assert empty.value.key == "appeal.empty"
    with pytest.raises(UserError) as forged:
        await appeals.get_case(4242)
    assert forged.value.key == "appeal.not_found"


async def test_admin_suspends_by_hand(any_db: str, settings: Settings) -> None:
    project = await make_project()
    worker = await make_user(600, language="ko")
    done = await appeals.admin_suspend(ADMIN, 600, "review-sentiment", 3, " spam answers ",
                                       now=T0, settings=settings)
    assert done.created and done.worker == appeals.Recipient(600, "ko", "Asia/Seoul")
    assert done.suspension.project_id == project.id
    assert done.suspension.ends_at == T0 + dt.timedelta(days=3)
    assert (done.suspension.reason_key, done.suspension.reason_params) == (
        "suspension.reason.admin",
        {"text": "spam answers"},
    )
    again = await appeals.admin_suspend(ADMIN, 600, "review-sentiment", 3, "again",
                                        now=T0, settings=settings)
    assert not again.created and again.suspension.id == done.suspension.id
    everywhere = await appeals.admin_suspend(ADMIN, 600, None, 0, "fraud", now=T0,
                                             settings=settings)
    assert everywhere.created and everywhere.suspension.project_id is None
    assert everywhere.suspension.ends_at is None
    assert len(await suspensions.list_active(worker.id, T0)) == 2


@pytest.mark.parametrize(
    ("admin", "target", "slug", "days", "reason", "key"),
    [
        (12345, 600, None, 0, "x", "appeal.not_admin"),
        (ADMIN, 999, None, 0, "x", "suspension.admin.no_worker"),
        (ADMIN, 600, "nope", 0, "x", "suspension.admin.no_project"),
        (ADMIN, 600, None, -1, "x", "suspension.admin.bad_days"),
        (ADMIN, 600, None, 1, "  ", "suspension.admin.need_reason"),
    ],
)
async def test_admin_suspend_refusals(
    any_db: str, settings: Settings, admin: int, target: int, slug: str | None, days: int,
    reason: str, key: str,
) -> None:
    await make_user(600)
    with pytest.raises(UserError) as refused:
        await appeals.admin_suspend(admin, target, slug, days, reason, now=T0, settings=settings)
    assert refused.value.key == key


async def test_reviewer_offer_accept_and_decline_are_idempotent(any_db: str) -> None:
    project = await make_project()
    a, b, c = await make_user(1), await make_user(2), await make_user(3)
    for user in (a, b):
        await Skill.create(worker=user, project=project, stage=SkillStage.WORKER,
                           control_count=60, control_right=58, control_wrong=2,
                           reviewer_offered_at=T0, updated_at=T0)
    await Skill.create(worker=c, project=project, stage=SkillStage.WORKER, updated_at=T0)
    assert [b.data for b in reviewer_offer_buttons(project.id)] == [
        f"rv:{project.id}:1", f"rv:{project.id}:0"
    ]
    first = await accept_reviewer(a.id, project.id, T0)
    assert (first.outcome, first.project) == (OfferOutcome.ACCEPTED, TITLE)
    assert (await accept_reviewer(a.id, project.id, T0)).outcome is OfferOutcome.ALREADY_REVIEWER
    assert (await decline_reviewer(a.id, project.id, T0)).outcome is (
        OfferOutcome.ALREADY_REVIEWER
    )
    assert (await Skill.get(worker=a)).stage is SkillStage.REVIEWER
    assert (await decline_reviewer(b.id, project.id, T0)).outcome is OfferOutcome.DECLINED
    assert (await accept_reviewer(b.id, project.id, T0)).outcome is (
        OfferOutcome.ALREADY_DECLINED
    )
    skill_b = await Skill.get(worker=b)
    assert (skill_b.stage, skill_b.reviewer_declined_at) == (SkillStage.WORKER, T0)
    assert (await accept_reviewer(c.id, project.id, T0)).outcome is OfferOutcome.NOT_OFFERED
    assert (await Skill.get(worker=c)).stage is SkillStage.WORKER
    # demoted later (by the quality rules): the old Accept button does not promote again
    await Skill.filter(worker=a).update(stage=SkillStage.WORKER)
    later = T0 + dt.timedelta(days=9)
    assert (await accept_reviewer(a.id, project.id, later)).outcome is OfferOutcome.NOT_OFFERED
    assert (await Skill.get(worker=a)).stage is SkillStage.WORKER
    # a new offer after the demotion can be accepted
    await Skill.filter(worker=a).update(reviewer_offered_at=later)
    again = await accept_reviewer(a.id, project.id, later + dt.timedelta(minutes=1))
    assert again.outcome is OfferOutcome.ACCEPTED
