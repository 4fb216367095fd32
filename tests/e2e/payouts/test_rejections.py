"""Consensus acceptance through the emulator: a rejection reaches the worker with the item, the
reason and Appeal; the admin upholds and the earning comes back. /mydata holds no control marks;
/deleteme says what happens to the money first."""

from __future__ import annotations

from gigbot.db.models import Answer, AnswerStatus, EntryKind, LedgerEntry, User
from gigbot.emulator import BotMessage, SimUser
from gigbot.i18n import t
from gigbot.members.admins import add_admin
from gigbot.payouts import ledger
from tests.helpers.harness import Harness
from tests.helpers.tasks import make_project


async def answer_first(user: SimUser, caption: str) -> BotMessage:
    await user.command("/tasks")
    board = await user.expect(t("en", "tasks.board_title"))
    await user.press(board, "Project demo")
    item = await user.expect("item text", edited_ok=False)
    before = item.content
    await user.press(item, caption)
    return await user.expect(predicate=lambda m: m.message_id == item.message_id
                             and m.content != before)


async def test_consensus_rejection_appeal_upheld_restores_the_earning(harness: Harness) -> None:
    await make_project(items=1, overlap=3, accept="consensus", reward=30)
    ann, bob, cy, boss = (harness.user(first_name=n) for n in ("Ann", "Bob", "Cy", "Boss"))
    for user in (ann, bob, cy, boss):
        await harness.onboard(user)
    await add_admin(boss.id)
    await answer_first(ann, "Negative")
    ann_id = (await User.get(tg_id=ann.id)).id
    assert (await ledger.balance(ann_id, harness.clock.now())).pending == 30
    await answer_first(bob, "Positive")
    await answer_first(cy, "Positive")  # the item completes: Positive, 2 of 3

    notice = await ann.expect("An answer in Project demo was not accepted.")
    assert "Item: item text 0" in notice.content
    assert "Reason: differs from the agreed label" in notice.content
    assert "control" not in notice.content.lower() and "check" not in notice.content.lower()
    assert notice.button_texts() == ["Appeal"]
    balance = await ledger.balance(ann_id, harness.clock.now())
    assert (balance.pending, balance.available) == (0, 0)
    bob_id = (await User.get(tg_id=bob.id)).id
    assert (await ledger.balance(bob_id, harness.clock.now())).available == 30

    await ann.press(notice, "Appeal")
    prompt = await ann.expect("✍️ Appeal for answer #")
    await ann.reply(prompt, "The review is sarcastic: it is negative.")
    await ann.expect("Your appeal was sent to the admins.")
    case = await boss.expect("⚖️ Answer appeal #")
    assert "Their answer: neg" in case.content
    assert case.button_texts() == ["Uphold", "Refuse"]
    # one appeal per answer
    await ann.press(notice, "Appeal")
    # a worker cannot decide, even with forged data
    uphold = case.buttons[0][0][1]
    forged = await ann.press_data(prompt, uphold)
    assert forged is not None and forged.text == "Only admins can do this."

    await boss.press(case, "Uphold")
    await ann.expect("Your appeal in Project demo was upheld: the earning of your answer is "
                     "restored.")
    again = await boss.press_data(case, uphold)
    assert again is not None and again.text == "This appeal was decided already."
    kinds = sorted((e.kind, e.amount) for e in await LedgerEntry.filter(worker_id=ann_id))
    assert kinds == [(EntryKind.EARNING, 30), (EntryKind.REJECTION, -30),
                     (EntryKind.REVERSAL, 30)]
    assert (await ledger.balance(ann_id, harness.clock.now())).available == 30
    answer = await Answer.get(worker_id=ann_id)
    assert answer.status == AnswerStatus.ACCEPTED


async def test_mydata_has_no_per_item_control_marks(harness: Harness) -> None:
    await make_project(items=1, controls=1, gold_ratio=0.5, reward=30)
    ann = harness.user(first_name="Ann")
    await harness.onboard(ann)
    second = await answer_first(ann, "Negative")
    before = second.content
    await ann.press(second, "Negative")  # one of the two is a control item, answered wrong
    await ann.expect(predicate=lambda m: m.message_id == second.message_id
                     and m.content != before)
    await ann.command("/mydata")
    doc = await ann.expect(predicate=lambda m: m.file is not None)
    assert doc.caption is not None and "Your data" in doc.caption
    text = (doc.file_bytes or b"").decode("utf-8")
    assert "== Answers (2) ==" in text and "answer: neg" in text
    assert "gold" not in text.lower() and "correct" not in text.lower()
    assert "is_control" not in text and "control" not in text.lower()
    assert "Accuracy on check items, per project (1)" in text
    assert "check items answered: 1 | accuracy: 0.0" in text  # the aggregate only


async def test_deleteme_says_what_happens_to_available_money(harness: Harness) -> None:
    ann = harness.user(first_name="Ann")
    await harness.onboard(ann)
    ann_id = (await User.get(tg_id=ann.id)).id
    await ledger.post(ann_id, EntryKind.BONUS, 500, key="bonus:x", now=harness.clock.now())
    await ann.command("/deleteme")
    confirm = await ann.expect("Delete your personal data?")
    assert "Your money: ₩500 available" in confirm.content
    assert "stays in the accounting records without your name" in confirm.content
    await ann.press(confirm, "Delete my data")
    await ann.expect("Your personal data is deleted.")
    assert await LedgerEntry.filter(worker_id=ann_id).count() == 1  # kept, anonymous
    assert (await User.get(id=ann_id)).tg_id is None
