"""The review policy through the emulator: a worker answers a review project, an admin reviews
it with /review and rejects it with a reason, and the worker gets the rejection with Appeal."""

from __future__ import annotations

from gigbot.db.models import (
    Answer,
    AnswerStatus,
    EntryKind,
    LedgerEntry,
    Project,
    Skill,
    SkillStage,
    User,
)
from gigbot.emulator import BotMessage
from gigbot.i18n import t
from gigbot.members.admins import add_admin
from gigbot.payouts import ledger
from tests.helpers.harness import Harness
from tests.helpers.tasks import make_project


async def test_an_admin_rejects_with_a_reason_and_the_worker_can_appeal(harness: Harness
                                                                         ) -> None:
    await make_project(items=1, overlap=3, accept="review", reward=30)
    ann, boss = harness.user(first_name="Ann"), harness.user(first_name="Boss")
    for user in (ann, boss):
        await harness.onboard(user)
    await add_admin(boss.id)

    await boss.command("/review")
    await boss.expect("Nothing to review right now.")
    await ann.command("/review")
    await ann.expect("Only reviewers and admins can review answers.")

    await ann.command("/tasks")
    board = await ann.expect(t("en", "tasks.board_title"))
    await ann.press(board, "Project demo")
    item = await ann.expect("item text", edited_ok=False)
    await ann.press(item, "Negative")
    ann_id = (await User.get(tg_id=ann.id)).id
    assert (await ledger.balance(ann_id, harness.clock.now())).pending == 30

    await boss.command("/review")
    card = await boss.expect("🔎 Review of answer #")
    assert "Item: item text 0" in card.content and "Answer: Negative" in card.content
    assert card.button_texts() == ["✅ Accept", "❌ Reject"]
    assert all("neg" not in data for row in card.buttons for _, data in row)
    forged = await ann.press_data(item, card.buttons[0][0][1])  # not Ann's button
    assert forged is not None and forged.text != t("en", "review.accepted")

    await boss.press(card, "❌ Reject")

    def reasons_shown(m: BotMessage) -> bool:
        return m.message_id == card.message_id and "Wrong label" in m.button_texts()

    reasons = await boss.expect(predicate=reasons_shown)
    assert reasons.button_texts() == ["Wrong label", "✏️ With a note", "Guidelines not followed",
                                      "✏️ With a note", "✏️ Other reason", "⬅️ Back"]
    wrong_label = reasons.buttons[0][0][1]
    done = await boss.press(reasons, "Wrong label")
    assert done is not None and done.text == "❌ Rejected: wrong label."
    await boss.expect("Nothing to review right now.")
    assert card.button_texts() == []  # the decided card lost its buttons
    again = await boss.press_data(card, wrong_label)
    assert again is not None and again.text == "This answer was decided already."

    notice = await ann.expect("An answer in Project demo was not accepted.")
    assert "Reason: wrong label" in notice.content and "Item: item text 0" in notice.content
    assert notice.button_texts() == ["Appeal"]
    await ann.press(notice, "Appeal")
    await ann.expect("✍️ Appeal for answer #")
    answer = await Answer.get(worker_id=ann_id)
    assert (answer.status, answer.reject_reason) == (AnswerStatus.REJECTED, "wrong_label")
    kinds = sorted((e.kind, e.amount) for e in await LedgerEntry.filter(worker_id=ann_id))
    assert kinds == [(EntryKind.EARNING, 30), (EntryKind.REJECTION, -30)]


async def test_a_reviewer_rejects_with_a_note_and_is_paid(harness: Harness) -> None:
    project = await make_project(items=1, overlap=3, accept="review", reward=30)
    await Project.filter(id=project.id).update(review_reward=5)
    ann, rita = harness.user(first_name="Ann"), harness.user(first_name="Rita")
    for user in (ann, rita):
        await harness.onboard(user)
    rita_id = (await User.get(tg_id=rita.id)).id
    await Skill.create(worker_id=rita_id, project_id=project.id, stage=SkillStage.REVIEWER,
                       updated_at=harness.clock.now())
    await ann.command("/tasks")
    board = await ann.expect(t("en", "tasks.board_title"))
    await ann.press(board, "Project demo")
    item = await ann.expect("item text", edited_ok=False)
    await ann.press(item, "Positive")

    await rita.command("/review")
    card = await rita.expect("🔎 Review of answer #")
    await rita.press(card, "❌ Reject")
    reasons = await rita.expect(predicate=lambda m: m.message_id == card.message_id
                                and "Wrong label" in m.button_texts())
    await rita.press(reasons, 1)  # Wrong label, with a note
    prompt = await rita.expect("✍️ Answer #")
    await rita.reply(prompt, "The review is sarcastic.")
    await rita.expect("❌ Rejected: wrong label.")
    await rita.expect("Nothing to review right now.")
    notice = await ann.expect("An answer in Project demo was not accepted.")
    assert "Reviewer's note: The review is sarcastic." in notice.content
    assert notice.button_texts() == ["Appeal"]
    pay = [(e.kind, e.amount) for e in await LedgerEntry.filter(worker_id=rita_id)]
    assert pay == [(EntryKind.REVIEW, 5)]
