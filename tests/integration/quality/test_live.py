"""on_answer: control scoring, skill, stage changes and item completion with dynamic overlap."""

from __future__ import annotations

import pytest

from gigbot.db.models import Answer, Item, ItemStatus, Skill, SkillStage
from gigbot.scoring import PRIOR_SKILL
from tests.helpers import crowd

pytestmark = pytest.mark.usefixtures("any_db")


async def test_control_answer_is_scored_and_updates_skill() -> None:
    p = await crowd.project()
    w = await crowd.worker()
    right, wrong = await crowd.item(p, gold="pos"), await crowd.item(p, gold="neg")

    first = await crowd.answer(w, right, "pos")
    second = await crowd.answer(w, wrong, "pos")

    assert (first.correct, second.correct) == (True, False)
    assert first.suspended is None and first.notices == ()
    rows = await Answer.filter(worker_id=w.id).order_by("id").values("correct", "score", "counted")
    assert rows == [
        {"correct": True, "score": 1.0, "counted": True},
        {"correct": False, "score": 0.0, "counted": True},
    ]
    s = await Skill.get(worker_id=w.id, project_id=p.id)
    assert (s.control_right, s.control_wrong, s.control_count, s.answers_count) == (1, 1, 2, 2)


async def test_ordinary_answer_counts_but_is_not_scored() -> None:
    p = await crowd.project()
    w = await crowd.worker()
    outcome = await crowd.answer(w, await crowd.item(p), "neg")
    assert outcome.correct is None
    s = await Skill.get(worker_id=w.id, project_id=p.id)
    assert (s.control_count, s.answers_count, s.stage) == (0, 1, SkillStage.PROBATION)
    assert (await Answer.get(worker_id=w.id)).correct is None


async def test_multi_label_control_earns_partial_credit() -> None:
    labels = [{"value": v, "en": v.title(), "ko": v} for v in ("cat", "dog", "car")]
    p = await crowd.project("photo-tags", labels=labels, multi_label=True)
    w = await crowd.worker()
    outcome = await crowd.answer(w, await crowd.item(p, gold=["cat", "dog"]), ["cat"])
    assert outcome.correct is False
    assert (await Answer.get(worker_id=w.id)).score == 0.5
    s = await Skill.get(worker_id=w.id)
    assert (s.control_right, s.control_wrong) == (0.5, 0.5)


async def test_transcription_control_is_scored_by_character_error_rate() -> None:
    p = await crowd.project("voice-notes", kind="transcription", labels=[])
    w = await crowd.worker()
    hello = await crowd.item(p, gold="안녕하세요 여러분")
    close = await crowd.answer(w, hello, "안녕하세요, 여러분!")
    far = await crowd.answer(w, await crowd.item(p, gold="good morning"), "good evening")
    assert (close.correct, far.correct) == (True, False)
    rows = await Answer.filter(worker_id=w.id).order_by("id").values("score")
    scores = [row["score"] for row in rows]
    assert scores[0] == 1.0 and 0.0 < scores[1] < 0.9


async def test_confident_crowd_completes_item_at_overlap() -> None:
    p = await crowd.project()
    it = await crowd.item(p)
    for _ in range(3):
        w = await crowd.worker()
        await crowd.skill(w, p, right=18)
        await crowd.answer(w, it, "neg")
    item = await Item.get(id=it.id)
    assert item.status == ItemStatus.COMPLETE
    assert item.label == "neg" and item.label_confidence is not None
    assert item.label_confidence >= p.confidence
    assert item.needed == 3 and item.completed_at == crowd.T0


async def test_unsure_crowd_asks_more_answers_up_to_max_overlap() -> None:
    p = await crowd.project()
    it = await crowd.item(p)
    needed = []
    for value in ("pos", "neg", "pos", "pos", "pos"):
        await crowd.answer(await crowd.worker(), it, value)
        item = await Item.get(id=it.id)
        needed.append((item.needed, item.status))
    assert needed == [
        (3, ItemStatus.OPEN),  # waiting for the overlap
        (3, ItemStatus.OPEN),
        (4, ItemStatus.OPEN),  # 2:1 among newcomers is unsure
        (5, ItemStatus.OPEN),
        (5, ItemStatus.COMPLETE),  # max_overlap: complete anyway with the best label
    ]
    assert item.label == "pos"
    assert item.label_confidence is not None and item.label_confidence < p.confidence


async def test_three_newcomers_agreeing_are_not_enough_but_a_fourth_is() -> None:
    # newcomers have the prior skill 2/3: three agreeing on 2 labels give 8/9 < 0.9
    assert pytest.approx(2 / 3) == PRIOR_SKILL
    p = await crowd.project()
    it = await crowd.item(p)
    for _ in range(3):
        await crowd.answer(await crowd.worker(), it, "neg")
    assert (await Item.get(id=it.id)).needed == 4
    await crowd.answer(await crowd.worker(), it, "neg")
    item = await Item.get(id=it.id)
    assert item.status == ItemStatus.COMPLETE and item.label == "neg"
    assert item.label_confidence == pytest.approx(16 / 17)


async def test_multi_label_item_completes_with_the_label_set() -> None:
    labels = [{"value": v, "en": v.title(), "ko": v} for v in ("cat", "dog", "car")]
    p = await crowd.project("photo-tags", labels=labels, multi_label=True)
    it = await crowd.item(p)
    for value in (["dog", "cat"], ["cat", "dog"], ["cat", "dog"]):
        await crowd.answer(await crowd.worker(), it, value)
    item = await Item.get(id=it.id)
    assert item.status == ItemStatus.COMPLETE
    assert item.label == ["cat", "dog"]


async def test_transcription_completes_at_overlap_with_the_combined_text() -> None:
    p = await crowd.project("voice-notes", kind="transcription", labels=[], overlap=3)
    it = await crowd.item(p)
    for text in ("the quick brown fox", "the quick brown fox", "the quick brow fox"):
        await crowd.answer(await crowd.worker(), it, text)
    item = await Item.get(id=it.id)
    assert item.status == ItemStatus.COMPLETE
    assert item.label == "the quick brown fox"
    assert item.label_confidence is not None and 0.5 < item.label_confidence < 1.0


async def test_control_items_never_complete_by_votes() -> None:
    p = await crowd.project()
    it = await crowd.item(p, gold="pos", needed=1000)
    for _ in range(6):
        await crowd.answer(await crowd.worker(), it, "pos")
    item = await Item.get(id=it.id)
    assert (item.status, item.label, item.needed) == (ItemStatus.OPEN, None, 1000)


async def test_probation_passed_after_twenty_control_answers() -> None:
    p = await crowd.project()
    w = await crowd.worker("ko")
    await crowd.skill(w, p, right=19)
    outcome = await crowd.answer(w, await crowd.item(p, gold="pos"), "pos")
    assert [(n.key, n.chat_id, n.lang, dict(n.params)) for n in outcome.notices] == [
        ("stage.probation_passed", w.tg_id, "ko", {"project": p.title})
    ]
    assert (await Skill.get(worker_id=w.id)).stage == SkillStage.WORKER


async def test_reviewer_offered_once_with_buttons_then_demoted() -> None:
    p = await crowd.project()
    w = await crowd.worker()
    await crowd.skill(w, p, right=49, stage=SkillStage.WORKER)
    offer = await crowd.answer(w, await crowd.item(p, gold="pos"), "pos")
    assert [n.key for n in offer.notices] == ["stage.reviewer_offer"]
    assert [b.key for b in offer.notices[0].buttons] == [
        "stage.button.accept", "stage.button.decline"
    ]
    s = await Skill.get(worker_id=w.id)
    assert s.reviewer_offered_at == crowd.T0
    again = await crowd.answer(w, await crowd.item(p, gold="pos"), "pos")
    assert again.notices == ()

    await Skill.filter(id=s.id).update(stage=SkillStage.REVIEWER, control_right=40,
                                       control_wrong=10)
    demoted = await crowd.answer(w, await crowd.item(p, gold="pos"), "neg")
    assert [n.key for n in demoted.notices] == ["stage.reviewer_demoted"]
    assert (await Skill.get(worker_id=w.id)).stage == SkillStage.WORKER
