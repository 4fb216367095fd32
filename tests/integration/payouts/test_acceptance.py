"""Acceptance policies on a real database: consensus by the final label and its confidence,
undecided answers accepted after seven days, appeals restoring the earning exactly once."""

from __future__ import annotations

import datetime as dt

import pytest

from gigbot.config import load_settings
from gigbot.db.models import Answer, AnswerStatus, EntryKind, LedgerEntry, Project
from gigbot.errors import UserError
from gigbot.payouts import acceptance, ledger, rejections
from gigbot.tasks import answers, sessions
from tests.helpers.tasks import START, make_project, make_worker

LATER = START + dt.timedelta(seconds=5)
ADMIN = 900


async def answer(tg_id: int, project: Project, choice: int) -> int:
    worker = await make_worker(tg_id)
    step = await sessions.start_session(worker.id, project.id, now=START)
    assert step.item is not None
    await answers.submit_choice(worker.id, step.item.lease_id, choice, now=LATER)
    return worker.id


@pytest.mark.parametrize(("confidence", "rejected"), [(0.5, True), (0.99, False)])
async def test_a_differing_answer_is_rejected_only_when_the_label_is_sure(
    any_db: str, confidence: float, rejected: bool
) -> None:
    project = await make_project(items=1, overlap=3, accept="consensus")
    await Project.filter(id=project.id).update(confidence=confidence)
    project = await Project.get(id=project.id)
    odd = await answer(1, project, 1)  # Negative
    await answer(2, project, 0)
    await answer(3, project, 0)
    statuses = sorted((a.worker_id, a.status) for a in await Answer.all())
    expected = AnswerStatus.REJECTED if rejected else AnswerStatus.ACCEPTED
    assert statuses[0] == (odd, expected)
    assert all(s == AnswerStatus.ACCEPTED for _, s in statuses[1:])
    balance = await ledger.balance(odd, LATER)
    assert (balance.pending, balance.available) == (0, 0 if rejected else 30)


async def test_undecided_answers_are_accepted_after_seven_days(any_db: str) -> None:
    project = await make_project(items=2, overlap=3, accept="consensus")
    worker = await answer(1, project, 0)
    assert await acceptance.accept_overdue(LATER + dt.timedelta(days=6)) == 0
    assert (await ledger.balance(worker, LATER)).pending == 30
    week = LATER + dt.timedelta(days=7)
    assert await acceptance.accept_overdue(week) == 1
    assert await acceptance.accept_overdue(week) == 0  # a second run finds nothing
    balance = await ledger.balance(worker, week)
    assert (balance.pending, balance.available) == (0, 30)


async def test_an_upheld_appeal_restores_the_earning_once(any_db: str) -> None:
    settings = load_settings({"GIGBOT_ADMINS": str(ADMIN)}, dotenv=None)
    project = await make_project(items=1, overlap=3, accept="consensus")
    odd = await answer(1, project, 1)
    await answer(2, project, 0)
    await answer(3, project, 0)
    answer_id = (await Answer.get(worker_id=odd)).id
    case, created = await rejections.file_appeal(odd, answer_id, "it was negative", LATER)
    assert created
    again, created = await rejections.file_appeal(odd, answer_id, "again", LATER)
    assert not created and again.appeal.id == case.appeal.id
    with pytest.raises(UserError) as refused:
        await rejections.decide(case.appeal.id, 1234, uphold=True, note=None, now=LATER,
                                settings=settings)
    assert refused.value.key == "appeal.not_admin"
    first = await rejections.decide(case.appeal.id, ADMIN, uphold=True, note=None, now=LATER,
                                    settings=settings)
    second = await rejections.decide(case.appeal.id, ADMIN, uphold=False, note="no",
                                     now=LATER, settings=settings)
    assert (first[1], second[1]) == (True, False)
    assert await LedgerEntry.filter(kind=EntryKind.REVERSAL).count() == 1
    assert (await ledger.balance(odd, LATER)).available == 30


async def test_an_old_rejection_cannot_be_appealed(any_db: str) -> None:
    project = await make_project(items=1, overlap=3, accept="consensus")
    odd = await answer(1, project, 1)
    await answer(2, project, 0)
    await answer(3, project, 0)
    answer_id = (await Answer.get(worker_id=odd)).id
    with pytest.raises(UserError) as refused:
        await rejections.file_appeal(odd, answer_id, "late", LATER + dt.timedelta(days=8))
    assert refused.value.key == "rejection.too_late"


@pytest.mark.parametrize(("value", "label", "kind", "same"), [
    ("pos", "pos", "classification", True), ("neg", "pos", "classification", False),
    (["a", "b"], ["b", "a"], "classification", True),
    ("Hello, world", "hello world", "transcription", True),
    ("hello", "hullo", "transcription", False),
])
def test_agreement_with_the_final_label(value: object, label: object, kind: str,
                                        same: bool) -> None:
    assert acceptance.agrees(value, label, kind) is same
