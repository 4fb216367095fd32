"""The onboarding service on a real database: steps, idempotency, settings, /deleteme, admins."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest

from gigbot.clock import FrozenClock
from gigbot.config import Settings, load_settings
from gigbot.db.models import Answer, EntryKind, Item, Lease, LedgerEntry, Project, User
from gigbot.errors import UserError
from gigbot.members.admins import add_admin, is_admin, list_admins, remove_admin
from gigbot.members.service import (
    Step,
    accept_terms,
    check_zone,
    choose_language,
    choose_zone,
    delete_personal_data,
    invited_project,
    mark_blocked,
    member_by_tg,
    register_member,
    remember_start_param,
    set_summaries,
    touch,
)

START = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


@dataclass(frozen=True)
class FakeTgUser:
    id: int
    first_name: str = "Ann"
    username: str | None = "ann"
    language_code: str | None = "en"


@pytest.fixture
def settings() -> Settings:
    return load_settings({"GIGBOT_ADMINS": "777", "GIGBOT_TZ": "Asia/Seoul"}, dotenv=None)


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(START)


async def test_touch_registers_a_new_member_with_telegram_language(
    any_db: str, settings: Settings, clock: FrozenClock
) -> None:
    tg_user = FakeTgUser(101, language_code="ko-KR")
    member = await touch(tg_user, settings=settings, now=clock.now())

    assert (member.language, member.tz, member.step) == ("ko", "Asia/Seoul", Step.LANGUAGE)
    assert not member.onboarded
    assert not member.is_admin
    row = await User.get(tg_id=101)
    assert (row.first_name, row.username) == ("Ann", "ann")
    assert row.pseudonym.startswith("w")


async def test_touch_twice_keeps_one_row_and_refreshes_names(
    any_db: str, settings: Settings, clock: FrozenClock
) -> None:
    first = await touch(FakeTgUser(102), settings=settings, now=clock.now())
    clock.advance(minutes=5)
    again = await touch(FakeTgUser(102, first_name="Anna", username=None), settings=settings,
                        now=clock.now())

    assert again.id == first.id
    assert await User.filter(tg_id=102).count() == 1
    row = await User.get(tg_id=102)
    assert (row.first_name, row.username, row.last_seen_at) == ("Anna", None, clock.now())


async def test_touch_recognises_admins_from_env_and_table(
    any_db: str, settings: Settings, clock: FrozenClock
) -> None:
    env_admin = await touch(FakeTgUser(777), settings=settings, now=clock.now())
    assert env_admin.is_admin

    assert await add_admin(888) is True
    assert await add_admin(888) is False
    stored_admin = await touch(FakeTgUser(888), settings=settings, now=clock.now())
    assert stored_admin.is_admin
    assert [(a.tg_id, a.source) for a in await list_admins(settings)] == [(777, "env"),
                                                                          (888, "db")]
    assert await remove_admin(888) is True
    assert await is_admin(888, settings) is False


async def test_steps_in_order_finish_onboarding(
    any_db: str, settings: Settings, clock: FrozenClock
) -> None:
    member = await touch(FakeTgUser(103), settings=settings, now=clock.now())

    member = await choose_language(member, "ko", settings=settings)
    assert (member.language, member.step) == ("ko", Step.TERMS)
    member = await accept_terms(member, settings=settings, now=clock.now())
    assert member.step is Step.TIMEZONE
    member = await choose_zone(member, "europe/berlin", settings=settings)

    assert (member.tz, member.step, member.onboarded) == ("Europe/Berlin", Step.DONE, True)
    assert (await User.get(id=member.id)).agreed_at == START


async def test_steps_out_of_order_or_repeated_change_nothing_twice(
    any_db: str, settings: Settings, clock: FrozenClock
) -> None:
    member = await touch(FakeTgUser(104), settings=settings, now=clock.now())

    early = await accept_terms(member, settings=settings, now=clock.now())  # not on that step
    assert early.step is Step.LANGUAGE
    stale_zone = await choose_zone(member, "UTC", settings=settings)
    assert (stale_zone.step, stale_zone.tz) == (Step.LANGUAGE, "UTC")

    member = await choose_language(member, "en", settings=settings)
    member = await choose_language(member, "en", settings=settings)  # a double tap
    assert member.step is Step.TERMS
    member = await accept_terms(member, settings=settings, now=clock.now())
    clock.advance(minutes=1)
    member = await accept_terms(member, settings=settings, now=clock.now())
    assert member.step is Step.TIMEZONE
    assert (await User.get(id=member.id)).agreed_at == START


@pytest.mark.parametrize("bad", ["xx", "", "EN"])
async def test_unknown_language_is_refused(
    any_db: str, settings: Settings, clock: FrozenClock, bad: str
) -> None:
    member = await touch(FakeTgUser(105), settings=settings, now=clock.now())

    with pytest.raises(UserError) as caught:
        await choose_language(member, bad, settings=settings)

    assert caught.value.key == "onboarding.bad_language"


@pytest.mark.parametrize(
    ("typed", "zone"),
    [("Asia/Seoul", "Asia/Seoul"), ("utc", "UTC"), ("america/new york", "America/New_York"),
     (" Europe/Paris ", "Europe/Paris")],
)
def test_check_zone_accepts_iana_names(typed: str, zone: str) -> None:
    assert check_zone(typed) == zone


@pytest.mark.parametrize("typed", ["Mars/Olympus", "../etc/passwd", "/etc/localtime", "hello"])
def test_check_zone_refuses_anything_else(typed: str) -> None:
    with pytest.raises(UserError) as caught:
        check_zone(typed)

    assert caught.value.key == "onboarding.bad_zone"


async def test_settings_and_deep_link(any_db: str, settings: Settings, clock: FrozenClock) -> None:
    member = await register_member(106, settings=settings, now=clock.now(), language="en")
    assert member.onboarded

    member = await set_summaries(member, False, settings=settings)
    assert member.summaries is False
    member = await remember_start_param(member, "p_review-sentiment", settings=settings)
    assert member.start_param == "p_review-sentiment"
    assert await invited_project(member) is None  # no such project yet

    await Project.create(
        slug="review-sentiment", kind="classification",
        title={"en": "Review sentiment", "ko": "리뷰 감정 분류"}, instructions={"en": "?"},
        labels=[], reward=30, overlap=3, max_overlap=5, confidence=0.9, gold_ratio=0.1,
        min_accuracy=0.8, created_at=START, updated_at=START,
    )
    invited = await invited_project(member)
    assert invited is not None
    assert (invited.slug, invited.title["ko"]) == ("review-sentiment", "리뷰 감정 분류")


async def test_mark_blocked_and_unblock_by_writing(
    any_db: str, settings: Settings, clock: FrozenClock
) -> None:
    await touch(FakeTgUser(107), settings=settings, now=clock.now())

    assert await mark_blocked(107, now=clock.now()) is True
    assert await mark_blocked(107, now=clock.now()) is False
    assert (await User.get(tg_id=107)).blocked_at == START

    await touch(FakeTgUser(107), settings=settings, now=clock.now())
    assert (await User.get(tg_id=107)).blocked_at is None


async def test_delete_removes_personal_data_and_keeps_work(
    any_db: str, settings: Settings, clock: FrozenClock
) -> None:
    member = await register_member(108, settings=settings, now=clock.now(), first_name="Bo")
    await remember_start_param(member, "p_x", settings=settings)
    project = await Project.create(
        slug="deleting", kind="classification", title={"en": "D"}, instructions={"en": "?"},
        labels=[{"value": "a", "en": "A", "ko": "A"}], reward=30, overlap=1, max_overlap=1,
        confidence=0.9, gold_ratio=0.0, min_accuracy=0.8, created_at=START, updated_at=START,
    )
    item = await Item.create(project=project, key="k1", text="t", needed=1)
    lease = await Lease.create(item=item, worker_id=member.id, project=project,
                               created_at=START, expires_at=START)
    answer = await Answer.create(lease=lease, item=item, worker_id=member.id, project=project,
                                 value=["a"], seconds=3.0, created_at=START)
    await LedgerEntry.create(worker_id=member.id, kind=EntryKind.EARNING, amount=30,
                             key=f"answer:{answer.id}", answer=answer, created_at=START)

    deleted = await delete_personal_data(member, now=clock.now())

    assert (deleted.answers_kept, deleted.entries_kept) == (1, 1)
    row = await User.get(id=member.id)
    assert (row.tg_id, row.first_name, row.username, row.start_param) == (None, None, None, None)
    assert row.deleted_at == START
    assert await Answer.filter(worker_id=member.id).count() == 1
    assert await LedgerEntry.filter(worker_id=member.id).count() == 1
    assert await member_by_tg(108, settings) is None
    again = await touch(FakeTgUser(108), settings=settings, now=clock.now())  # /start anew
    assert again.id != member.id
    assert again.step is Step.LANGUAGE
