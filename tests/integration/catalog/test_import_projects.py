"""Project queries and status after import: get_project, project_summary, pause and resume."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from gigbot.catalog.importer import import_project, import_quiz
from gigbot.catalog.projects import get_project, pause_project, project_summary, resume_project
from gigbot.clock import FrozenClock
from gigbot.db.models import (
    Answer,
    AuditLog,
    Item,
    ItemStatus,
    Lease,
    LeaseStatus,
    ProjectStatus,
    User,
)
from gigbot.errors import UserError

EXAMPLES = Path(__file__).resolve().parents[3] / "examples"
NOW = dt.datetime(2026, 5, 1, 9, 0, tzinfo=dt.UTC)


async def test_summary_counts_and_status(any_db: str, tmp_path: Path) -> None:
    clock = FrozenClock(NOW)
    assert await project_summary() == []
    await import_quiz(EXAMPLES / "sentiment-exam", data_dir=tmp_path, clock=clock)
    await import_project(EXAMPLES / "review-sentiment", data_dir=tmp_path, clock=clock)
    await import_project(EXAMPLES / "voice-notes", data_dir=tmp_path, clock=clock)
    info = await get_project("review-sentiment")
    assert info is not None
    assert (info.kind, info.reward, info.status, info.labels[1]["ko"]) == (
        "classification",
        30,
        ProjectStatus.ACTIVE,
        "부정",
    )
    assert await get_project("nope") is None

    item = await Item.get(key="r001", project_id=info.id)
    user = await User.create(tg_id=5, pseudonym="w5", created_at=NOW, last_seen_at=NOW)
    lease = await Lease.create(
        item=item,
        worker=user,
        project_id=info.id,
        created_at=NOW,
        status=LeaseStatus.ANSWERED,
        expires_at=NOW,
    )
    await Answer.create(
        lease=lease, item=item, worker=user, project_id=info.id, value="pos", seconds=2.0,
        created_at=NOW,
    )
    await Item.filter(key__in=["r001", "r002"], project_id=info.id).update(
        status=ItemStatus.COMPLETE
    )

    rows = {r.slug: r for r in await project_summary()}
    review = rows["review-sentiment"]
    assert (
        review.items,
        review.complete,
        review.control,
        review.answers,
        review.qualification,
    ) == (40, 2, 8, 1, "sentiment-exam")
    voice = rows["voice-notes"]
    assert (voice.items, voice.complete, voice.control, voice.answers, voice.qualification) == (
        3,
        0,
        1,
        0,
        None,
    )

    paused = await pause_project("voice-notes", clock=clock, actor="admin:1")
    assert paused.status == ProjectStatus.PAUSED
    await pause_project("voice-notes", clock=clock)  # idempotent: no second audit entry
    assert (await project_summary())[1].status == ProjectStatus.PAUSED
    resumed = await resume_project("voice-notes", clock=clock)
    assert resumed.status == ProjectStatus.ACTIVE
    actions = (
        await AuditLog.filter(project_id=paused.id).order_by("id").values_list("action", "actor")
    )
    assert actions == [
        ("project.import", "cli"),
        ("project.pause", "admin:1"),
        ("project.resume", "cli"),
    ]
    with pytest.raises(UserError) as unknown:
        await pause_project("nope", clock=clock)
    assert (unknown.value.key, unknown.value.params) == ("projects.unknown", {"slug": "nope"})


async def test_reimport_keeps_a_paused_project_paused(any_db: str, tmp_path: Path) -> None:
    clock = FrozenClock(NOW)
    await import_project(EXAMPLES / "voice-notes", data_dir=tmp_path, clock=clock)
    await pause_project("voice-notes", clock=clock)
    await import_project(EXAMPLES / "voice-notes", data_dir=tmp_path, clock=clock)
    info = await get_project("voice-notes")
    assert info is not None and info.status == ProjectStatus.PAUSED
