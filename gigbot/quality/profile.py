"""The worker's profile (``/profile``): stage and accuracy per project, quizzes, suspensions.

Read-only over ``skill`` (counts kept by the task engine, stages by the quality rules), the
suspensions in force and the quiz standings (gigbot/onboarding/quiz.py). Accuracy is shown as
control answers right out of all control answers, and as the Beta posterior mean with the
prior of gigbot/scoring/skill.py (2 right, 1 wrong).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from gigbot.db.models import Project, Skill, User
from gigbot.errors import UserError
from gigbot.qualification import quiz
from gigbot.quality import suspensions
from gigbot.quality.suspensions import ActiveSuspension
from gigbot.scoring.skill import Skill as Beta

__all__ = ["Profile", "ProjectStanding", "Standing", "profile"]


class Standing(StrEnum):
    """Where the worker stands in one project, as the profile shows it."""

    PROBATION = "probation"
    WORKER = "worker"
    REVIEWER = "reviewer"
    SUSPENDED = "suspended"


@dataclass(frozen=True, slots=True)
class ProjectStanding:
    """One project the worker has worked in."""

    project_id: int
    slug: str
    title: dict[str, str]
    standing: Standing
    right: float  # control answers right (partial credit counts its share)
    controls: int  # control answers counted
    mean: float  # Beta posterior mean of the accuracy
    suspension: ActiveSuspension | None


@dataclass(frozen=True, slots=True)
class Profile:
    """Everything ``/profile`` shows."""

    pseudonym: str
    projects: tuple[ProjectStanding, ...]
    quizzes: tuple[quiz.QuizStatus, ...]
    global_suspension: ActiveSuspension | None


async def profile(worker_id: int, now: dt.datetime) -> Profile:
    """The worker's standing everywhere, now."""
    user = await User.get_or_none(id=worker_id)
    if user is None:
        raise UserError("profile.unknown")
    active = await suspensions.list_active(worker_id, now)
    everywhere = next((s for s in active if s.project_id is None), None)
    by_project = {s.project_id: s for s in active if s.project_id is not None}
    skills = await Skill.filter(worker_id=worker_id).order_by("project_id")
    ids = [s.project_id for s in skills]
    projects = {p.id: p for p in await Project.filter(id__in=ids)}
    standings = []
    for skill in skills:
        project = projects[skill.project_id]
        suspension = by_project.get(project.id) or everywhere
        beta = Beta(right=skill.control_right, wrong=skill.control_wrong)
        standings.append(ProjectStanding(
            project_id=project.id,
            slug=project.slug,
            title=dict(project.title),
            standing=Standing.SUSPENDED if suspension else Standing(skill.stage),
            right=skill.control_right,
            controls=skill.control_count,
            mean=beta.mean,
            suspension=suspension,
        ))
    quizzes = tuple(await quiz.list_quizzes(worker_id, now))
    return Profile(user.pseudonym, tuple(standings), quizzes, everywhere)
