"""A small crowd on a real database for the quality tests: projects, workers, items, answers.

Rows are written directly (no importer, no Telegram), and an answer goes through
``quality.on_answer`` inside its own transaction, as tasks/answers.py calls it.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
from pathlib import Path
from typing import Any

from tortoise.transactions import in_transaction

from gigbot.db.models import Answer, Item, Lease, LeaseStatus, Project, Skill, User
from gigbot.quality.live import AnswerFacts, QualityOutcome, on_answer

T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
_seq = itertools.count(1)


SENTIMENT = [
    {"value": "pos", "en": "Positive", "ko": "긍정"},
    {"value": "neg", "en": "Negative", "ko": "부정"},
]


async def project(slug: str = "review-sentiment", **fields: Any) -> Project:
    """A classification project with the design's example settings (overridable)."""
    values: dict[str, Any] = {
        "slug": slug,
        "kind": "classification",
        "title": {"en": "Review sentiment", "ko": "리뷰 감정 분류"},
        "instructions": {"en": "Positive or negative?", "ko": "긍정인가요, 부정인가요?"},
        "labels": SENTIMENT,
        "reward": 30,
        "overlap": 3,
        "max_overlap": 5,
        "confidence": 0.9,
        "gold_ratio": 0.1,
        "min_accuracy": 0.8,
        "created_at": T0,
        "updated_at": T0,
    }
    values.update(fields)
    return await Project.create(**values)


async def worker(lang: str = "en", *, tg_id: int | None = None) -> User:
    """A registered worker with a Telegram id and a pseudonym."""
    n = next(_seq)
    return await User.create(
        tg_id=tg_id if tg_id is not None else 7_000_000 + n,
        pseudonym=f"w{n:05d}",
        first_name=f"Worker {n}",
        language=lang,
        tz="Asia/Seoul",
        created_at=T0,
        last_seen_at=T0,
    )


async def item(p: Project, key: str | None = None, *, gold: Any = None, **fields: Any) -> Item:
    """An item of ``p``; with ``gold`` it is a control item."""
    values: dict[str, Any] = {
        "project": p,
        "key": key or f"item-{next(_seq)}",
        "text": "A review text.",
        "gold": gold,
        "is_control": gold is not None,
        "needed": p.overlap,
    }
    values.update(fields)
    row = await Item.create(**values)
    return await Item.get(id=row.id)


async def answer(
    w: User,
    it: Item,
    value: Any,
    *,
    seconds: float = 6.0,
    now: dt.datetime = T0,
    admins: frozenset[int] = frozenset(),
) -> QualityOutcome:
    """Lease, answer and score one item as the task engine does, in one transaction."""
    async with in_transaction():
        fresh = await Item.get(id=it.id)
        as_control = fresh.is_control and fresh.quarantined_at is None
        lease = await Lease.create(
            item_id=it.id,
            worker_id=w.id,
            project_id=fresh.project_id,  # type: ignore[attr-defined]
            status=LeaseStatus.ANSWERED,
            is_control=as_control,
            created_at=now - dt.timedelta(seconds=seconds),
            expires_at=now + dt.timedelta(minutes=10),
            closed_at=now,
        )
        row = await Answer.create(
            lease=lease,
            item_id=it.id,
            worker_id=w.id,
            project_id=fresh.project_id,  # type: ignore[attr-defined]
            value=value,
            seconds=seconds,
            is_control=as_control,
            created_at=now,
        )
        await Item.filter(id=it.id).update(
            answers_count=fresh.answers_count + 1, taken=fresh.taken + 1
        )
        return await on_answer(
            AnswerFacts(
                answer_id=row.id,
                worker_id=w.id,
                project_id=fresh.project_id,  # type: ignore[attr-defined]
                item_id=it.id,
                value=value,
                seconds=seconds,
                is_control=as_control,
                now=now,
                admins=admins,
            )
        )


async def skill(w: User, p: Project, *, right: float, wrong: float = 0.0, **fields: Any) -> None:
    """Seed a worker's Skill counts in a project (no answers behind them)."""
    await Skill.update_or_create(
        worker_id=w.id,
        project_id=p.id,
        defaults={
            "control_right": right,
            "control_wrong": wrong,
            "control_count": round(right + wrong),
            "updated_at": T0,
            **fields,
        },
    )


def project_file(tmp: Path, slug: str, golds: list[str], regular: int = 6) -> Path:
    """A project whose first items are control items (served in order during probation)."""
    folder = tmp / slug
    folder.mkdir()
    (folder / "project.toml").write_text(f'''
slug = "{slug}"
kind = "classification"
title = {{ en = "Reviews {slug}", ko = "리뷰 {slug}" }}
instructions = {{ en = "Positive or negative?", ko = "긍정인가요, 부정인가요?" }}
labels = [ {{ value = "pos", en = "Positive", ko = "긍정" }},
           {{ value = "neg", en = "Negative", ko = "부정" }} ]
reward = 10
overlap = 3
max_overlap = 5
confidence = 0.9
gold_ratio = 0.5
min_accuracy = 0.8
items = "items.jsonl"
''', encoding="utf-8")
    rows = [{"key": key, "text": f"review {key}", "gold": gold}
            for key, gold in (g.split("=") for g in golds)]
    rows += [{"key": f"r{n}", "text": f"review r{n}"} for n in range(regular)]
    (folder / "items.jsonl").write_text(
        "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8"
    )
    return folder
