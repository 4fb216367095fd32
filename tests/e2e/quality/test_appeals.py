"""Suspensions with appeals and the reviewer offer, through the emulator.

An admin suspends with /suspend; the worker reads why and until when, presses Appeal and writes
why; every admin gets the case with Approve / Reject; the decision reaches the worker.
"""

from __future__ import annotations

from pathlib import Path

from gigbot.db.models import Project, Skill, SkillStage, User
from gigbot.emulator import SimUser
from gigbot.handlers.common import send_notices
from gigbot.i18n import t
from gigbot.members.admins import add_admin
from gigbot.notices import Notice
from gigbot.qualification.offers import reviewer_offer_buttons
from gigbot.qualification.stages import ProjectStage, StageChange, StageInput, project_stage_change
from gigbot.quality import suspensions
from tests.helpers.harness import Harness

EXAMPLES = Path(__file__).resolve().parents[3] / "examples"


async def people(harness: Harness) -> tuple[SimUser, SimUser]:
    """A worker (Korean) and an admin (added with ``gigbot admin add``), both signed up."""
    await harness.import_quiz(EXAMPLES / "sentiment-exam")
    await harness.import_project(EXAMPLES / "review-sentiment")
    worker = harness.user(language_code="ko", first_name="Kim")
    boss = harness.user(first_name="Boss")
    await harness.onboard(worker, lang="ko")
    await harness.onboard(boss)
    await add_admin(boss.id)
    return worker, boss


async def worker_id(user: SimUser) -> int:
    return (await User.get(tg_id=user.id)).id


async def test_upheld_appeal_lifts_the_suspension(harness: Harness) -> None:
    kim, boss = await people(harness)
    await boss.command(f"/suspend {kim.id} review-sentiment 3 answers too fast")
    done = await boss.expect(f"Worker {kim.id} suspended")
    assert "They were told" in done.content
    notice = await kim.expect("리뷰 감정 분류 작업이 정지되었어요.")
    assert "사유: 관리자 결정: answers too fast" in notice.content
    assert "정지 기간:" in notice.content and "까지" in notice.content
    await kim.press(notice, "이의 신청")
    prompt = await kim.expect("✍️ 이의 신청 #")
    assert prompt.force_reply
    await kim.reply(prompt, "꼼꼼하게 작업했어요. 다시 확인해 주세요.")
    await kim.expect("이의 신청을 관리자에게 보냈어요.")
    case = await boss.expect("⚖️ Appeal #")
    assert "Suspended from: Review sentiment" in case.content
    assert "Their words: 꼼꼼하게 작업했어요. 다시 확인해 주세요." in case.content
    assert case.button_texts() == ["✅ Approve", "❌ Reject"]
    # the worker cannot decide their own appeal, even with forged data
    approve = case.buttons[0][0][1]
    forged = await kim.press_data(prompt, approve)
    assert forged is not None and forged.text == "관리자만 할 수 있어요."
    await boss.press(case, "Approve")
    decided = await boss.expect("Approved by admin")
    assert decided.buttons == []
    await kim.expect("이의 신청이 받아들여졌어요. 리뷰 감정 분류 작업 정지가 해제되어")
    project = await Project.get(slug="review-sentiment")
    now = harness.clock.now()
    assert await suspensions.active_suspension(await worker_id(kim), project.id, now) is None
    # a second press (another admin's copy, or a replay) changes nothing
    again = await boss.press_data(case, approve)
    assert again is not None and again.text == "This appeal was decided already."


async def test_rejected_appeal_with_and_without_a_note(harness: Harness) -> None:
    kim, boss = await people(harness)
    await boss.command(f"/suspend {kim.id} all 0 copied answers")
    await boss.expect(f"Worker {kim.id} suspended")
    notice = await kim.expect("모든 프로젝트의 작업이 정지되었어요.")
    assert "관리자가 결정할 때까지" in notice.content
    await kim.press(notice, "이의 신청")
    await kim.reply(await kim.expect("✍️ 이의 신청 #"), "제가 직접 작성했어요.")
    case = await boss.expect("⚖️ Appeal #")
    # a second Appeal press while the case is open is refused
    again = await kim.press(notice, "이의 신청")
    assert again is not None and again.text == t("ko", "appeal.already_open")
    await boss.press(case, "Reject")
    note_prompt = await boss.expect("🗒️ Note for appeal #")
    assert note_prompt.force_reply
    assert case.button_texts() == ["✅ Approve", "Send: reject without a note"]
    await boss.reply(note_prompt, "The answers match another account word for word.")
    await boss.expect("Rejected by admin")
    told = await kim.expect("이의 신청이 받아들여지지 않았어요.")
    assert "관리자 메모: The answers match another account word for word." in told.content
    assert await suspensions.active_suspension(await worker_id(kim), None,
                                               harness.clock.now()) is not None
    # appeal again; this time the admin rejects without a note
    await kim.press(notice, "이의 신청")
    await kim.reply(await kim.expect("✍️ 이의 신청 #"), "다시 한번 봐 주세요.")
    case = await boss.expect("⚖️ Appeal #")
    await boss.press(case, "Reject")
    await boss.expect("🗒️ Note for appeal #")
    await boss.press(case, "Send")
    await boss.expect("Rejected by admin")
    told = await kim.expect("이의 신청이 받아들여지지 않았어요. 작업 정지는 유지돼요.")
    assert "메모" not in told.content


async def test_suspend_is_for_admins_and_checks_its_input(harness: Harness) -> None:
    kim, boss = await people(harness)
    await kim.command(f"/suspend {boss.id} all 0 revenge")
    await kim.expect("관리자만 할 수 있어요.")
    await boss.command("/suspend nobody")
    await boss.expect("Usage: /suspend")
    await boss.command("/suspend 12345 all 0 spam")
    await boss.expect("There is no worker with Telegram id 12345.")
    await boss.command(f"/suspend {kim.id} no-such-project 1 spam")
    await boss.expect("There is no project no-such-project.")
    await boss.command("/appeals")
    await boss.expect("No open appeals.")


async def test_reviewer_offer_accepted(harness: Harness) -> None:
    kim, _ = await people(harness)
    project = await Project.get(slug="review-sentiment")
    wid = await worker_id(kim)
    now = harness.clock.now()
    skill = await Skill.create(worker_id=wid, project=project, stage=SkillStage.WORKER,
                               control_count=50, control_right=48, control_wrong=2,
                               updated_at=now)
    # what the quality rules do after a control answer: the stage rule, then the notice
    change = project_stage_change(StageInput(ProjectStage.WORKER, 50, 48 / 50,
                                             project.min_accuracy, offered=False))
    assert change is StageChange.OFFER_REVIEWER
    await Skill.filter(id=skill.id).update(reviewer_offered_at=now)
    offer = Notice(kim.id, "ko", "Asia/Seoul", "stage.reviewer_offer",
                   {"project": project.title}, reviewer_offer_buttons(project.id))
    await send_notices(harness.app.bot, [offer], harness.settings)
    message = await kim.expect("검수자가 되어 다른 작업자의 답변을 검토해 보시겠어요?")
    assert message.button_texts() == ["수락", "거절"]
    await kim.press(message, "수락")
    await kim.expect("이제 리뷰 감정 분류의 검수자예요.")
    assert (await Skill.get(id=skill.id)).stage is SkillStage.REVIEWER
    await kim.command("/profile")
    profile = await kim.expect("내 프로필")
    assert "리뷰 감정 분류: 검수자. 검수 문항 50개 중 48개 정답, 정확도 94%." in profile.content
    replay = await kim.press_data(message, reviewer_offer_buttons(project.id)[0].data)
    assert replay is not None and replay.text == "이미 리뷰 감정 분류의 검수자예요."

