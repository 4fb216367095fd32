"""Money through the emulator: earn, /balance, /payout refused under the minimum, earn more,
the payout dialogue, an admin approving twice, paid once with the withholding shown, mark-paid
twice; and each bad input with its message and nothing written."""

from __future__ import annotations

from gigbot.db.models import EntryKind, LedgerEntry, PayoutAccount, PayoutRequest, User
from gigbot.emulator import BotMessage, SimUser
from gigbot.i18n import t
from gigbot.members.admins import add_admin
from gigbot.payouts import payouts
from gigbot.payouts.states import PayoutStatus
from tests.helpers.harness import Harness
from tests.helpers.tasks import make_project

TITLE = "Project demo"


async def tap(user: SimUser, message: BotMessage, caption: str) -> BotMessage:
    """Tap a label; the same message then shows the next item."""
    before = message.content
    await user.press(message, caption)
    return await user.expect(predicate=lambda m: m.message_id == message.message_id
                             and m.content != before)


async def first_item(user: SimUser) -> BotMessage:
    await user.command("/tasks")
    board = await user.expect(t("en", "tasks.board_title"))
    await user.press(board, TITLE)
    return await user.expect("item text", edited_ok=False)


async def test_earn_withdraw_approve_twice_and_mark_paid(money_harness: Harness) -> None:
    h = money_harness
    await make_project(items=10, reward=30)
    ann = h.user(first_name="Ann")
    boss = h.user(first_name="Boss")
    await h.onboard(ann)
    await h.onboard(boss)
    await add_admin(boss.id)

    item = await first_item(ann)
    item = await tap(ann, item, "Positive")
    await ann.command("/balance")
    balance = await ann.expect("Your balance")
    assert "Available: ₩30" in balance.content and "This week: ₩30" in balance.content
    await ann.command("/payout")
    refused = await ann.expect("You can withdraw from ₩60; available now: ₩30.")
    assert refused.button_texts() == ["Add account details"]

    item = await tap(ann, item, "Negative")
    item = await tap(ann, item, "Positive")
    await ann.command("/payout")
    offer = await ann.expect("Available: ₩90")
    # bad input: letters in the account number, then a good account
    await ann.press(offer, "Add account details")
    prompt = await ann.expect("Reply with your account details")
    await ann.reply(prompt, "KB Bank\nAnn Lee\n12-34AB-5678")
    await ann.expect("The account number may hold only digits and dashes")
    await ann.reply(prompt, "KB Bank\nAnn Lee\n123-45-678901")
    await ann.expect("Account saved: KB Bank ••••8901")
    assert "678901" not in (await PayoutAccount.get()).secret
    # bad amounts: above the balance, zero, negative, not a number
    for typed, text in (("100", "more than your available balance (₩90)"),
                        ("0", "whole positive number"), ("-5", "whole positive number"),
                        ("ten", "whole positive number")):
        await ann.command(f"/payout {typed}")
        await ann.expect(text)
    assert await PayoutRequest.filter(status=PayoutStatus.REQUESTED).count() == 0

    await ann.command("/payout")
    offer = await ann.expect("Available: ₩90")
    await ann.press(offer, "Withdraw ₩90")
    quote = await ann.expect("Please check your payout")
    assert "Amount: ₩90" in quote.content
    assert "Withholding tax (3.3 %): ₩2" in quote.content  # 90 * 330 // 10000 = 2
    assert "You receive: ₩88" in quote.content and "KB Bank ••••8901" in quote.content
    await ann.press(quote, "Confirm")
    await ann.expect("Payout request #")
    case = await boss.expect("💸 Payout request #")
    assert "Net to transfer: ₩88" in case.content and "678901" not in case.content
    assert case.button_texts() == ["Approve", "Reject"]
    # a confirm pressed again, a payout while one waits
    await ann.command("/payout")
    await ann.expect("is waiting for an admin")
    # the worker cannot approve their own request, even with forged data
    approve_data = case.buttons[0][0][1]
    forged = await ann.press_data(quote, approve_data)
    assert forged is not None and forged.text == "Only admins can do this."

    await boss.press(case, "Approve")
    approved = await ann.expect("was approved")
    assert "Withholding tax: ₩2" in approved.content and "You receive: ₩88" in approved.content
    again = await boss.press_data(case, approve_data)
    assert again is not None and again.text == "Already decided."
    worker = await User.get(tg_id=ann.id)
    payouts_written = await LedgerEntry.filter(worker_id=worker.id,
                                               kind__in=[EntryKind.PAYOUT,
                                                         EntryKind.WITHHOLDING])
    assert sorted(e.amount for e in payouts_written) == [-88, -2]

    marked = await boss.expect("Approved by")
    await boss.press(marked, "Mark paid")
    await ann.expect("₩88 was transferred to KB Bank ••••8901")
    request = await PayoutRequest.get(worker_id=worker.id)
    twice = await payouts.mark_paid(request.id, by="cli", now=h.clock.now())
    assert not twice.changed and twice.request.status is PayoutStatus.PAID
    await ann.command("/balance")
    after = await ann.expect("Your balance")
    assert "Available: ₩0" in after.content and "Paid out: ₩90" in after.content
    await ann.command("/history")
    history = await ann.expect("Your money movements")
    assert "payout" in history.content and "tax withheld" in history.content
    assert "Project demo (3 answers)" in history.content


async def test_korean_worker_sees_won_after_the_number(money_harness: Harness) -> None:
    h = money_harness
    await make_project(items=5, reward=30)
    kim = h.user(language_code="ko", first_name="Kim")
    await h.onboard(kim, lang="ko")
    await kim.command("/tasks")
    board = await kim.expect("프로젝트")
    await kim.press(board, "프로젝트 demo")
    item = await kim.expect("item text", edited_ok=False)
    await tap(kim, item, "긍정")
    await kim.command("/balance")
    balance = await kim.expect("내 잔액")
    assert "출금 가능: 30원" in balance.content
    await kim.command("/payout 10")
    await kim.expect("60원부터 출금할 수 있어요")
