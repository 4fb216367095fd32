"""Work sessions: the /tasks board, starting a session in a project, Stop with a tally.

A session is the run of items served one after the other from one project pick; every lease of
it carries the id of its first lease (``Lease.session_id``), which the Stop tally counts.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from tortoise.transactions import in_transaction

from gigbot.db.models import (
    Answer,
    AnswerStatus,
    Item,
    ItemStatus,
    Lease,
    LeaseStatus,
    Project,
    ProjectStatus,
    Quiz,
    User,
)
from gigbot.errors import BadCallback, UserError
from gigbot.notices import Notice
from gigbot.qualification.gate import qualified_quizzes
from gigbot.quality.alerts import worker_notice
from gigbot.quality.suspensions import ActiveSuspension, active_suspension, list_active
from gigbot.tasks import leases, policy, selection
from gigbot.tasks.answers import End, Outcome, Step, shown_again

__all__ = [
    "LockedProject",
    "ProjectCard",
    "Tally",
    "TaskBoard",
    "current_item",
    "start_session",
    "stop_session",
    "task_board",
]

_MEDIAN_OF = 101  # recent answers whose median is shown as the time per item


@dataclass(frozen=True, slots=True)
class ProjectCard:
    """A project open to the worker, as /tasks lists it."""

    id: int
    title: dict[str, str]
    kind: str
    reward: int
    items_left: int
    median_seconds: float | None  # None: no answers yet ("new")


@dataclass(frozen=True, slots=True)
class LockedProject:
    """A project that needs a qualification quiz the worker has not passed."""

    id: int
    title: dict[str, str]
    quiz_id: int
    quiz_title: dict[str, str]


@dataclass(frozen=True, slots=True)
class TaskBoard:
    """What /tasks shows: open projects, projects behind a quiz, suspensions in force."""

    projects: tuple[ProjectCard, ...]
    locked: tuple[LockedProject, ...]
    suspensions: tuple[ActiveSuspension, ...]
    everywhere: ActiveSuspension | None  # a global suspension: no project is open


@dataclass(frozen=True, slots=True)
class Tally:
    """The end of a session: answers given and what they earned (pending: awaiting a check)."""

    project_title: dict[str, str]
    answers: int
    earned: int
    pending: int


async def _items_left(worker_id: int, project_id: int) -> int:
    """Open non-control items of the project that the worker was never served."""
    open_items = await Item.filter(
        project_id=project_id, status=ItemStatus.OPEN, is_control=False
    ).count()
    seen = await Lease.filter(
        worker_id=worker_id, project_id=project_id, is_control=False,
        item__status=ItemStatus.OPEN,
    ).count()
    return max(open_items - seen, 0)


async def _median(project_id: int) -> float | None:
    rows = await (
        Answer.filter(project_id=project_id).order_by("-id").limit(_MEDIAN_OF).values("seconds")
    )
    return policy.median_seconds(float(r["seconds"]) for r in rows)


async def task_board(worker_id: int, now: dt.datetime) -> TaskBoard:
    """The projects open to the worker now, with reward, items left and time per item."""
    suspensions = tuple(await list_active(worker_id, now))
    everywhere = next((s for s in suspensions if s.project_id is None), None)
    barred = {s.project_id for s in suspensions}
    passed = await qualified_quizzes(worker_id)
    cards: list[ProjectCard] = []
    locked: list[LockedProject] = []
    if everywhere is None:
        for project in await Project.filter(status=ProjectStatus.ACTIVE).order_by("id"):
            quiz_id: int | None = project.qualification_id
            if project.id in barred:
                continue
            if quiz_id is not None and quiz_id not in passed:
                quiz = await Quiz.get(id=quiz_id)
                locked.append(LockedProject(project.id, dict(project.title), quiz_id,
                                            dict(quiz.title)))
                continue
            left = await _items_left(worker_id, project.id)
            if left:
                cards.append(ProjectCard(project.id, dict(project.title), project.kind,
                                         int(project.reward), left, await _median(project.id)))
    return TaskBoard(tuple(cards), tuple(locked), suspensions, everywhere)


async def _startable(worker_id: int, project_id: int, now: dt.datetime
                     ) -> tuple[Project, ActiveSuspension | None]:
    project = await Project.get_or_none(id=project_id)
    if project is None:
        raise UserError("tasks.unknown_project")
    if project.status != ProjectStatus.ACTIVE:
        raise UserError("tasks.project_paused", project=dict(project.title))
    quiz_id: int | None = project.qualification_id
    if quiz_id is not None and quiz_id not in await qualified_quizzes(worker_id):
        raise UserError("tasks.not_qualified", project=dict(project.title))
    return project, await active_suspension(worker_id, project.id, now)


async def start_session(worker_id: int, project_id: int, *, now: dt.datetime) -> Step:
    """Serve the first item of a session (or the item still open in that project)."""
    async with in_transaction() as db:
        project, suspension = await _startable(worker_id, project_id, now)
        title = dict(project.title)
        if suspension is not None:
            return Step(Outcome.SUSPENDED, end=End.SUSPENDED, project_id=project.id,
                        project_title=title, suspension=suspension)
        first = not await Lease.filter(worker_id=worker_id, project_id=project.id).exists()
        item = await selection.lease_next(db, worker_id, project, now=now)
        notices: tuple[Notice, ...] = ()
        if first and item is not None and project.gold_ratio > 0:  # a new stage: probation
            worker = await User.get(id=worker_id)
            notices = worker_notice(worker, "stage.probation_started", {"project": title})
        return Step(Outcome.STARTED, item=item,
                    end=None if item else End.NO_WORK, project_id=project.id,
                    project_title=title, notices=notices)


async def current_item(worker_id: int, lease_id: int, *, now: dt.datetime) -> Step:
    """The item of an open lease again (Back from the report reasons), or CLOSED."""
    lease = await Lease.get_or_none(id=lease_id, worker_id=worker_id)
    if lease is None:
        raise BadCallback()
    project = await Project.get(id=lease.project_id)
    if lease.status != LeaseStatus.OPEN or lease.expires_at <= now:
        return Step(Outcome.CLOSED, project_id=project.id)
    return await shown_again(lease, project)


async def stop_session(worker_id: int, lease_id: int, *, now: dt.datetime) -> Tally:
    """End the session: give the open item back (the worker may get it later) and tally."""
    async with in_transaction():
        lease = await Lease.get_or_none(id=lease_id, worker_id=worker_id)
        if lease is None:
            raise BadCallback()
        await leases.drop_lease(lease.id, worker_id)
        project = await Project.get(id=lease.project_id)
        session = lease.session_id or lease.id
        rows = await Answer.filter(worker_id=worker_id, lease__session_id=session).values(
            "status"
        )
    statuses = [str(row["status"]) for row in rows]
    accepted = statuses.count(AnswerStatus.ACCEPTED)
    pending = statuses.count(AnswerStatus.PENDING)
    return Tally(dict(project.title), len(statuses), accepted * int(project.reward), pending)
