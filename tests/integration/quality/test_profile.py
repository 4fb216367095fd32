"""Profile data and deep-link invitations on a real database."""

from __future__ import annotations

import datetime as dt

import pytest

from gigbot.db.models import Project, Qualification, QualStage, Quiz, Skill, SkillStage, User
from gigbot.qualification import quiz as svc
from gigbot.quality import suspensions
from gigbot.quality.profile import Standing, profile

T0 = dt.datetime(2025, 3, 1, 9, 0, tzinfo=dt.UTC)


async def setup() -> tuple[int, Quiz, Project, Project]:
    user = await User.create(tg_id=9, pseudonym="wabc", created_at=T0, last_seen_at=T0)
    quiz = await Quiz.create(
        slug="sentiment-exam", kind="classification", title={"en": "Exam", "ko": "시험"},
        labels=[], pass_score=0.8, questions=6, cooldown_hours=24, max_attempts=3,
        created_at=T0, updated_at=T0,
    )
    common = {"kind": "classification", "instructions": {}, "labels": [], "reward": 30,
              "overlap": 3, "max_overlap": 5, "confidence": 0.9, "gold_ratio": 0.1,
              "min_accuracy": 0.8, "created_at": T0, "updated_at": T0}
    gated = await Project.create(slug="reviews", title={"en": "Reviews", "ko": "리뷰"},
                                 qualification=quiz, **common)
    other = await Project.create(slug="photos", title={"en": "Photos", "ko": "사진"}, **common)
    return user.id, quiz, gated, other


async def test_profile_shows_stage_accuracy_quizzes_and_suspensions(any_db: str) -> None:
    worker, quiz, gated, other = await setup()
    await Skill.create(worker_id=worker, project=gated, stage=SkillStage.REVIEWER,
                       control_right=47.5, control_wrong=2.5, control_count=50, updated_at=T0)
    await Skill.create(worker_id=worker, project=other, stage=SkillStage.PROBATION,
                       control_right=3, control_wrong=2, control_count=5, updated_at=T0)
    await Qualification.create(worker_id=worker, quiz=quiz, stage=QualStage.QUALIFIED,
                               attempts_used=2, exam_score=0.83, updated_at=T0)
    await suspensions.suspend(worker, other.id, rule="accuracy", reason_key="x",
                              now=T0, ends_at=T0 + dt.timedelta(days=2))
    data = await profile(worker, T0)
    assert data.pseudonym == "wabc" and data.global_suspension is None
    reviews, photos = data.projects
    assert (reviews.standing, reviews.right, reviews.controls) == (Standing.REVIEWER, 47.5, 50)
    assert reviews.mean == pytest.approx(49.5 / 53)
    assert photos.standing is Standing.SUSPENDED
    assert photos.suspension is not None and photos.suspension.ends_at == T0 + dt.timedelta(days=2)
    [standing] = data.quizzes
    assert (standing.stage, standing.attempts_used, standing.max_attempts) == (
        QualStage.QUALIFIED, 2, 3
    )
    assert standing.best_score == 0.83
    # after the suspension ends the worker is back on probation there
    later = await profile(worker, T0 + dt.timedelta(days=3))
    assert later.projects[1].standing is Standing.PROBATION


async def test_global_suspension_marks_every_project(any_db: str) -> None:
    worker, _, gated, _ = await setup()
    await Skill.create(worker_id=worker, project=gated, updated_at=T0)
    found = await suspensions.suspend(worker, None, rule="admin", reason_key="x", now=T0)
    data = await profile(worker, T0)
    assert data.global_suspension is not None and data.global_suspension.id == found.id
    assert data.projects[0].standing is Standing.SUSPENDED


async def test_deep_link_invitation(any_db: str) -> None:
    worker, quiz, _, _ = await setup()
    assert await svc.invitation(worker, None, T0) is None
    assert await svc.invitation(worker, "p_photos", T0) is None  # not gated
    assert await svc.invitation(worker, "p_nope", T0) is None
    assert await svc.invitation(worker, "x_reviews", T0) is None
    first = await svc.invitation(worker, "p_reviews", T0, first_contact=True)
    assert first is not None and first.quiz_id == quiz.id
    # shown once after sign-up; /start with the link shows it until the exam is passed
    assert await svc.invitation(worker, "p_reviews", T0, first_contact=True) is None
    assert await svc.invitation(worker, "p_reviews", T0) is not None
    await Qualification.filter(worker_id=worker).update(stage=QualStage.QUALIFIED)
    assert await svc.invitation(worker, "p_reviews", T0) is None
