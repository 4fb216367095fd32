"""The review policy on a real database: reviewers and admins decide pending answers once, the
reviewer is paid once per decision, nobody reviews their own answer, 7 days accept the rest."""

from __future__ import annotations

import asyncio
import datetime as dt
from pathlib import Path

import pytest

from gigbot.catalog.importer import import_project
from gigbot.clock import FrozenClock
from gigbot.config import Settings, load_settings
from gigbot.db.models import (
    Answer,
    AnswerStatus,
    EntryKind,
    LedgerEntry,
    Project,
    Skill,
    SkillStage,
)
from gigbot.errors import UserError
from gigbot.payouts import acceptance, ledger, review
from gigbot.payouts.review import Outcome, Reviewer
from gigbot.tasks import answers, sessions
from tests.helpers.tasks import START, make_project, make_worker, write_project_dir

LATER = START + dt.timedelta(seconds=5)
ADMIN = 900
REVIEW_REWARD = 7


def settings() -> Settings:
    return load_settings({"GIGBOT_ADMINS": str(ADMIN)}, dotenv=None)


async def review_project(*, hold_days: int = 0, items: int = 3) -> Project:
    project = await make_project(items=items, overlap=3, accept="review")
    await Project.filter(id=project.id).update(review_reward=REVIEW_REWARD, hold_days=hold_days)
    return await Project.get(id=project.id)


async def answer(tg_id: int, project: Project, choice: int = 0) -> tuple[int, int]:
    """A new worker answers the first item they are given: (worker id, answer id)."""
    worker = await make_worker(tg_id)
    step = await sessions.start_session(worker.id, project.id, now=START)
    assert step.item is not None
    await answers.submit_choice(worker.id, step.item.lease_id, choice, now=LATER)
    return worker.id, (await Answer.get(worker_id=worker.id)).id


async def reviewer(tg_id: int, project: Project) -> Reviewer:
    worker = await make_worker(tg_id)
    await Skill.create(worker_id=worker.id, project_id=project.id, stage=SkillStage.REVIEWER,
                       updated_at=START)
    return Reviewer(worker.id, tg_id)


async def review_pay(worker_id: int) -> list[int]:
    return [int(e.amount) for e in await LedgerEntry.filter(worker_id=worker_id,
                                                            kind=EntryKind.REVIEW)]


async def test_accepted_by_a_reviewer_the_earning_is_available_after_the_hold(any_db: str
                                                                               ) -> None:
    project = await review_project(hold_days=2)
    worker, answer_id = await answer(1, project)
    assert (await Answer.get(id=answer_id)).status == AnswerStatus.PENDING
    rita = await reviewer(50, project)
    card = await review.next_card(rita, settings=settings(), now=LATER)
    assert card is not None and card.answer_id == answer_id
    assert card.labels == ({"en": "Positive", "ko": "긍정"},) and card.typed is None
    done = await review.decide(rita, answer_id, reason=None, settings=settings(), now=LATER)
    assert (done.outcome, done.notice, done.paid) == (Outcome.ACCEPTED, None, REVIEW_REWARD)
    assert (await Answer.get(id=answer_id)).status == AnswerStatus.ACCEPTED
    held = await ledger.balance(worker, LATER + dt.timedelta(days=1))
    assert (held.pending, held.available) == (30, 0)
    free = await ledger.balance(worker, LATER + dt.timedelta(days=2))
    assert (free.pending, free.available) == (0, 30)
    assert await review_pay(rita.worker_id) == [REVIEW_REWARD]
    assert await review.next_card(rita, settings=settings(), now=LATER) is None


async def test_a_rejection_writes_the_rejection_entry_and_the_notice(any_db: str) -> None:
    project = await review_project()
    worker, answer_id = await answer(1, project)
    rita = await reviewer(50, project)
    with pytest.raises(UserError) as refused:
        await review.decide(rita, answer_id, reason="other", settings=settings(), now=LATER)
    assert refused.value.key == "review.note_needed"
    with pytest.raises(UserError) as refused:
        await review.decide(rita, answer_id, reason="mismatch", settings=settings(), now=LATER)
    assert refused.value.key == "review.bad_reason"  # a transcription reason
    done = await review.decide(rita, answer_id, reason="wrong_label", note=" sarcasm ",
                               settings=settings(), now=LATER)
    assert done.outcome is Outcome.REJECTED and done.notice is not None
    assert done.notice.key == "acceptance.rejected_note"
    assert done.notice.params["note"] == "sarcasm"
    assert [b.key for b in done.notice.buttons] == ["acceptance.button.appeal"]
    row = await Answer.get(id=answer_id)
    assert (row.status, row.reject_reason, row.reject_note, row.decided_by) == (
        AnswerStatus.REJECTED, "wrong_label", "sarcasm", 50)
    kinds = sorted((e.kind, int(e.amount)) for e in await LedgerEntry.filter(worker_id=worker))
    assert kinds == [(EntryKind.EARNING, 30), (EntryKind.REJECTION, -30)]
    balance = await ledger.balance(worker, LATER)
    assert (balance.pending, balance.available) == (0, 0)
    assert await review_pay(rita.worker_id) == [REVIEW_REWARD]


async def test_nobody_reviews_their_own_answer(any_db: str) -> None:
    project = await review_project()
    rita = await reviewer(50, project)
    step = await sessions.start_session(rita.worker_id, project.id, now=START)
    assert step.item is not None
    await answers.submit_choice(rita.worker_id, step.item.lease_id, 0, now=LATER)
    own = (await Answer.get(worker_id=rita.worker_id)).id
    assert await review.next_card(rita, settings=settings(), now=LATER) is None
    with pytest.raises(UserError) as refused:
        await review.decide(rita, own, reason=None, settings=settings(), now=LATER)
    assert refused.value.key == "review.own"
    _, other = await answer(1, project)
    card = await review.next_card(rita, settings=settings(), now=LATER)
    assert card is not None and card.answer_id == other


async def test_only_reviewers_of_the_project_and_admins_review(any_db: str) -> None:
    project = await review_project()
    _, answer_id = await answer(1, project)
    plain = await make_worker(60)
    nobody = Reviewer(plain.id, 60)
    with pytest.raises(UserError) as refused:
        await review.next_card(nobody, settings=settings(), now=LATER)
    assert refused.value.key == "review.not_reviewer"
    with pytest.raises(UserError) as refused:
        await review.decide(nobody, answer_id, reason=None, settings=settings(), now=LATER)
    assert refused.value.key == "review.not_allowed"
    other = await review_project_named("other")
    stranger = await reviewer(61, other)  # a reviewer of another project
    with pytest.raises(UserError):
        await review.decide(stranger, answer_id, reason=None, settings=settings(), now=LATER)
    boss = await make_worker(ADMIN)
    admin = Reviewer(boss.id, ADMIN)
    card = await review.next_card(admin, settings=settings(), now=LATER)
    assert card is not None and card.answer_id == answer_id
    done = await review.decide(admin, answer_id, reason=None, settings=settings(), now=LATER)
    assert (done.outcome, done.paid) == (Outcome.ACCEPTED, 0)  # admins are not paid per review
    assert await LedgerEntry.filter(kind=EntryKind.REVIEW).count() == 0


async def review_project_named(slug: str) -> Project:
    project = await make_project(slug, items=1, overlap=3, accept="review")
    await Project.filter(id=project.id).update(review_reward=REVIEW_REWARD)
    return await Project.get(id=project.id)


async def test_two_reviewers_at_once_decide_once(any_db: str) -> None:
    project = await review_project()
    worker, answer_id = await answer(1, project)
    rita, rob = await reviewer(50, project), await reviewer(51, project)
    results = await asyncio.gather(
        review.decide(rita, answer_id, reason=None, settings=settings(), now=LATER),
        review.decide(rob, answer_id, reason="wrong_label", settings=settings(), now=LATER),
        review.decide(rita, answer_id, reason=None, settings=settings(), now=LATER),
        review.decide(rob, answer_id, reason="guideline", settings=settings(), now=LATER),
    )
    decided = [r for r in results if r.outcome is not Outcome.ALREADY]
    assert len(decided) == 1
    assert await LedgerEntry.filter(kind=EntryKind.REVIEW).count() == 1
    status = (await Answer.get(id=answer_id)).status
    rejections = await LedgerEntry.filter(worker_id=worker, kind=EntryKind.REJECTION).count()
    assert rejections == (1 if status == AnswerStatus.REJECTED else 0)


async def test_a_reviewer_is_paid_once_per_decision(any_db: str) -> None:
    project = await review_project(items=3)
    _, first = await answer(1, project)
    _, second = await answer(2, project)
    rita = await reviewer(50, project)
    for answer_id in (first, first, second, second):
        await review.decide(rita, answer_id, reason=None, settings=settings(), now=LATER)
    assert await review_pay(rita.worker_id) == [REVIEW_REWARD, REVIEW_REWARD]
    assert (await ledger.balance(rita.worker_id, LATER)).available == 2 * REVIEW_REWARD
    keys = sorted(e.key for e in await LedgerEntry.filter(kind=EntryKind.REVIEW))
    assert keys == sorted([f"review:{first}", f"review:{second}"])


async def test_unreviewed_answers_are_accepted_after_seven_days(any_db: str) -> None:
    project = await review_project()
    worker, answer_id = await answer(1, project)
    assert await acceptance.accept_overdue(LATER + dt.timedelta(days=6)) == 0
    week = LATER + dt.timedelta(days=7)
    assert await acceptance.accept_overdue(week) == 1
    assert (await Answer.get(id=answer_id)).status == AnswerStatus.ACCEPTED
    assert (await ledger.balance(worker, week)).available == 30
    rita = await reviewer(50, project)
    late = await review.decide(rita, answer_id, reason="wrong_label", settings=settings(),
                               now=week)
    assert late.outcome is Outcome.ALREADY  # a stale card changes nothing, pays nothing
    assert await review_pay(rita.worker_id) == []


async def test_a_project_file_sets_the_review_policy_and_pay(any_db: str, tmp_path: Path) -> None:
    folder = write_project_dir(tmp_path, "reviewed", items=2)
    toml = folder / "project.toml"
    toml.write_text(toml.read_text().replace('accept = "auto"',
                                             'accept = "review"\nreview_reward = 12'))
    await import_project(folder, data_dir=tmp_path / "data", clock=FrozenClock(START))
    project = await Project.get(slug="reviewed")
    assert (project.accept, project.review_reward) == ("review", 12)
    plain = write_project_dir(tmp_path, "plain", items=1)
    await import_project(plain, data_dir=tmp_path / "data", clock=FrozenClock(START))
    assert (await Project.get(slug="plain")).review_reward == 0
