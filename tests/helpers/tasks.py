"""Factories for task-engine tests: a project with items and workers, written to the DB."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from gigbot.db.models import Item, Onboarding, Project, User

__all__ = [
    "CONTROL_NEEDED",
    "LABELS",
    "make_project",
    "make_worker",
    "make_workers",
    "write_project_dir",
]

CONTROL_NEEDED = 2**31 - 1
LABELS = [
    {"value": "pos", "en": "Positive", "ko": "긍정"},
    {"value": "neg", "en": "Negative", "ko": "부정"},
]
START = dt.datetime(2026, 1, 5, 9, 0, tzinfo=dt.UTC)
YES_NO = (("lbl_yes", "Yes", "예"), ("lbl_no", "No", "아니요"))


async def make_project(
    slug: str = "demo",
    *,
    items: int = 10,
    controls: int = 0,
    kind: str = "classification",
    labels: Sequence[dict[str, str]] | None = None,
    multi_label: bool = False,
    overlap: int = 1,
    max_overlap: int | None = None,
    gold_ratio: float = 0.0,
    reward: int = 30,
    accept: str = "auto",
    lease_minutes: float = 10,
    gold: Any = "pos",
    now: dt.datetime = START,
    batch: int = 5000,
) -> Project:
    """A project with ``items`` normal and ``controls`` control items (controls come last)."""
    project = await Project.create(
        slug=slug, kind=kind, title={"en": f"Project {slug}", "ko": f"프로젝트 {slug}"},
        instructions={"en": "Is it positive?", "ko": "긍정인가요?"},
        labels=list(labels if labels is not None else (LABELS if kind == "classification"
                                                       else [])),
        multi_label=multi_label, reward=reward, overlap=overlap,
        max_overlap=max_overlap or overlap, confidence=0.5, gold_ratio=gold_ratio,
        min_accuracy=0.0, accept=accept, hold_days=0, lease_minutes=lease_minutes,
        rules={}, created_at=now, updated_at=now,
    )
    rows: list[Item] = []
    for i in range(items + controls):
        control = i >= items
        row = Item(project_id=project.id, key=f"k{i:07d}", text=f"item text {i}",
                   is_control=control, needed=CONTROL_NEEDED if control else overlap,
                   gold=gold if control else None)
        rows.append(row)
        if len(rows) >= batch:
            await Item.bulk_create(rows)
            rows = []
    if rows:
        await Item.bulk_create(rows)
    return project


async def make_worker(tg_id: int, *, language: str = "en", now: dt.datetime = START) -> User:
    """An onboarded worker."""
    return await User.create(
        tg_id=tg_id, pseudonym=f"w{tg_id:011x}"[-16:], first_name="W", language=language,
        onboarding=Onboarding.DONE, agreed_at=now, created_at=now, last_seen_at=now,
    )


async def make_workers(count: int, *, first: int = 1000) -> list[User]:
    """``count`` onboarded workers."""
    return [await make_worker(first + i) for i in range(count)]


def write_project_dir(
    root: Path,
    slug: str,
    *,
    items: int,
    controls: int = 0,
    labels: Sequence[tuple[str, str, str]] = YES_NO,
    gold_ratio: float = 0.0,
    overlap: int = 1,
    reward: int = 30,
    extra: str = "",
) -> Path:
    """A classification project folder: ``items`` normal items, then ``controls`` with gold
    (the first label) and an explanation ``EXPLANATION_SECRET_<n>``, texts ``Review number <n>``.
    """
    folder = root / slug
    folder.mkdir(parents=True, exist_ok=True)
    label_rows = ", ".join(f'{{ value = "{v}", en = "{en}", ko = "{ko}" }}'
                           for v, en, ko in labels)
    (folder / "project.toml").write_text(
        f'slug = "{slug}"\nkind = "classification"\n'
        f'title = {{ en = "Title {slug}", ko = "제목 {slug}" }}\n'
        'instructions = { en = "Pick one.", ko = "하나를 고르세요." }\n'
        f"labels = [ {label_rows} ]\nreward = {reward}\noverlap = {overlap}\n"
        f"max_overlap = {overlap}\nconfidence = 0.5\ngold_ratio = {gold_ratio}\n"
        f'min_accuracy = 0.0\naccept = "auto"\nitems = "items.jsonl"\n{extra}',
        encoding="utf-8",
    )
    lines = []
    for n in range(items + controls):
        row: dict[str, Any] = {"key": f"i{n:04d}", "text": f"Review number {n}"}
        if n >= items:
            row["gold"] = labels[0][0]
            row["explanation"] = f"EXPLANATION_SECRET_{n}"
        lines.append(json.dumps(row))
    (folder / "items.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder
