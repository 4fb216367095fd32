"""Projects after import: look one up, list them with their progress, pause and resume.

Plain values out (``ProjectInfo``, ``ProjectSummary``); unknown slugs raise
``UserError("projects.unknown", slug=...)``. Pausing only stops serving: leases already open can
still be answered (the task engine decides), nothing is deleted.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from tortoise.functions import Count
from tortoise.transactions import in_transaction

from gigbot.clock import Clock
from gigbot.db.models import Answer, AuditLog, Item, ItemStatus, Project, ProjectStatus, Quiz
from gigbot.errors import UserError

__all__ = [
    "ProjectInfo",
    "ProjectSummary",
    "get_project",
    "pause_project",
    "project_summary",
    "resume_project",
    "set_project_status",
]


_ACTIONS = {ProjectStatus.PAUSED: "project.pause", ProjectStatus.ACTIVE: "project.resume"}


@dataclass(frozen=True, slots=True)
class ProjectInfo:
    """A project's settings as imported."""

    id: int
    slug: str
    kind: str
    status: ProjectStatus
    title: dict[str, str]
    instructions: dict[str, str]
    labels: list[dict[str, str]]
    multi_label: bool
    reward: int
    overlap: int
    max_overlap: int
    confidence: float
    gold_ratio: float
    qualification_id: int | None
    min_accuracy: float
    accept: str
    hold_days: int
    lease_minutes: float
    rules: dict[str, Any]


@dataclass(frozen=True, slots=True)
class ProjectSummary:
    """One row of ``gigbot project list``: a project and its progress."""

    id: int
    slug: str
    kind: str
    status: ProjectStatus
    title: dict[str, str]
    items: int
    complete: int
    control: int
    answers: int
    qualification: str | None  # the quiz slug


def _info(project: Project) -> ProjectInfo:
    return ProjectInfo(
        id=project.id, slug=project.slug, kind=project.kind, status=project.status,
        title=dict(project.title), instructions=dict(project.instructions),
        labels=list(project.labels), multi_label=project.multi_label, reward=project.reward,
        overlap=project.overlap, max_overlap=project.max_overlap,
        confidence=project.confidence, gold_ratio=project.gold_ratio,
        qualification_id=project.qualification_id,
        min_accuracy=project.min_accuracy, accept=project.accept, hold_days=project.hold_days,
        lease_minutes=project.lease_minutes, rules=dict(project.rules or {}),
    )


async def get_project(slug: str) -> ProjectInfo | None:
    """The project called ``slug``, or None."""
    project = await Project.get_or_none(slug=slug)
    return _info(project) if project is not None else None


def _counts(rows: Iterable[tuple[Any, Any]]) -> dict[int, int]:
    return {int(project_id): int(n) for project_id, n in rows}


async def project_summary() -> list[ProjectSummary]:
    """Every project by slug, with item, completion, control and answer counts."""
    projects = await Project.all().order_by("slug")
    if not projects:
        return []

    async def per_project(query: Any) -> dict[int, int]:
        rows = await query.annotate(n=Count("id")).group_by("project_id").values_list(
            "project_id", "n"
        )
        return _counts(rows)

    items = await per_project(Item.all())
    complete = await per_project(Item.filter(status=ItemStatus.COMPLETE))
    control = await per_project(Item.filter(is_control=True))
    answers = await per_project(Answer.all())
    quiz_ids = {p.qualification_id for p in projects} - {None}
    quizzes = dict(await Quiz.filter(id__in=quiz_ids).values_list("id", "slug"))
    return [
        ProjectSummary(
            id=p.id, slug=p.slug, kind=p.kind, status=p.status, title=dict(p.title),
            items=items.get(p.id, 0), complete=complete.get(p.id, 0),
            control=control.get(p.id, 0), answers=answers.get(p.id, 0),
            qualification=quizzes.get(p.qualification_id),
        )
        for p in projects
    ]


async def set_project_status(slug: str, status: ProjectStatus, *, clock: Clock,
                             actor: str = "cli") -> ProjectInfo:
    """Set a project's status (idempotent) and write the audit log."""
    now = clock.now()
    async with in_transaction():
        project = await Project.get_or_none(slug=slug)
        if project is None:
            raise UserError("projects.unknown", slug=slug)
        if project.status != status:
            await Project.filter(id=project.id).update(status=status, updated_at=now)
            await AuditLog.create(at=now, actor=actor, action=_ACTIONS[status],
                                  project_id=project.id, data={"slug": slug})
            project.status = status
    return _info(project)


async def pause_project(slug: str, *, clock: Clock, actor: str = "cli") -> ProjectInfo:
    """Stop serving a project's items."""
    return await set_project_status(slug, ProjectStatus.PAUSED, clock=clock, actor=actor)


async def resume_project(slug: str, *, clock: Clock, actor: str = "cli") -> ProjectInfo:
    """Serve a paused project again."""
    return await set_project_status(slug, ProjectStatus.ACTIVE, clock=clock, actor=actor)
