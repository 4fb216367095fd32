"""``gigbot project export``: a project's labels (one row per item) or answers, as CSV or JSONL.

Item rows: ``key, label, confidence, answers, method``. With ``--method stored`` (the default) the
label is the one the live quality service stored when the item completed (scoring's
skill-weighted ``WeightedVote``; an open item has an empty label); any other name of
``scoring.METHOD_NAMES`` (``auto``, ``mv``, ``wmv``, ``ocds``, ``ds``) re-aggregates every answer
of the project now with that scoring method (control items in force are the gold).
Transcription projects are combined with the named text method of ``scoring.TEXT_METHODS``, or
for any other name with the text ``auto`` (``wrover``). Control items in force carry their gold
(method ``gold``).

Answer rows: ``key, worker, answer, seconds, is_control, correct, status``. Workers appear by
pseudonym; ``--with-ids`` gives their Telegram ids instead (column ``worker_tg_id``, empty for a
worker who deleted their data) and warns on stderr that the file holds personal data.

Rows are read in batches of ``BATCH`` and written as they come. A multi-label value is a JSON
list (in CSV, its JSON text). The command (gigbot/cli/projects.py) prints one line and exits 2
for an unknown slug.
"""

from __future__ import annotations

import csv
import json
from collections.abc import AsyncIterator
from typing import Any, TextIO

from tortoise.functions import Count

from gigbot import scoring
from gigbot.db.models import Answer, Item, Project, User

__all__ = [
    "ANSWER_FIELDS",
    "ITEM_FIELDS",
    "Method",
    "answer_fields",
    "answer_rows",
    "export_project",
    "item_rows",
    "write_rows",
]

BATCH = 1000
ITEM_FIELDS = ("key", "label", "confidence", "answers", "method")
ANSWER_FIELDS = ("key", "worker", "answer", "seconds", "is_control", "correct", "status")
Method = str  # stored, or a name of scoring.METHOD_NAMES (text: scoring.TEXT_METHOD_NAMES)


async def export_project(
    slug: str, out: TextIO, *, answers: bool, with_ids: bool, method: Method, fmt: str
) -> int | None:
    """Write the project's item (or answer) rows to ``out``; the count, or None if no project."""
    project = await Project.get_or_none(slug=slug)
    if project is None:
        return None
    if answers:
        fields = answer_fields(with_ids=with_ids)
        rows = answer_rows(project, with_ids=with_ids)
    else:
        fields, rows = ITEM_FIELDS, item_rows(project, method)
    return await write_rows(out, rows, fields, fmt=fmt)


def answer_fields(*, with_ids: bool) -> tuple[str, ...]:
    """The columns of answer rows (``worker_tg_id`` instead of ``worker`` with ids)."""
    if not with_ids:
        return ANSWER_FIELDS
    return tuple("worker_tg_id" if f == "worker" else f for f in ANSWER_FIELDS)


async def write_rows(
    out: TextIO, rows: AsyncIterator[dict[str, Any]], fields: tuple[str, ...], *, fmt: str
) -> int:
    """Write ``rows`` as CSV (with a header) or JSON lines as they come; returns the count."""
    count = 0
    if fmt == "jsonl":
        async for row in rows:
            out.write(json.dumps({f: row[f] for f in fields}, ensure_ascii=False) + "\n")
            count += 1
        return count
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(fields)
    async for row in rows:
        writer.writerow([_cell(row[f]) for f in fields])
        count += 1
    return count


def _cell(value: Any) -> Any:
    """A CSV cell: lists as JSON text, None empty, booleans as true/false."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False)
    return value


async def _items(project: Project) -> AsyncIterator[list[Item]]:
    last = 0
    while True:
        batch = await Item.filter(project_id=project.id, id__gt=last).order_by("id").limit(BATCH)
        if not batch:
            return
        yield batch
        last = batch[-1].id


def _in_force(item: Item) -> bool:
    return item.is_control and item.gold is not None and item.quarantined_at is None


async def item_rows(project: Project, method: Method = "stored") -> AsyncIterator[dict[str, Any]]:
    """One row per item, in import order (see the module doc for the methods)."""
    decided = {} if method == "stored" else await _aggregate(project, method)
    shown_method = (
        _text_method(method) if project.kind == "transcription" and method != "stored" else method
    )
    async for batch in _items(project):
        counts = {
            r["item_id"]: r["n"]
            for r in await Answer.filter(item_id__in=[i.id for i in batch])
            .group_by("item_id")
            .annotate(n=Count("id"))
            .values("item_id", "n")
        }
        for item in batch:
            row: dict[str, Any] = {"key": item.key, "answers": counts.get(item.id, 0)}
            if _in_force(item):
                row.update(label=item.gold, confidence=1.0, method="gold")
            elif method == "stored":
                row.update(label=item.label, confidence=_round(item.label_confidence),
                           method="stored")
            else:
                label, confidence = decided.get(item.id, (None, None))
                row.update(label=label, confidence=_round(confidence), method=shown_method)
            yield row


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def _encode(value: Any) -> str:
    """A stored answer value as one category string (label sets as sorted JSON lists)."""
    if isinstance(value, str):
        return value
    return json.dumps(sorted(str(v) for v in value), ensure_ascii=False)


async def _aggregate(project: Project, method: Method) -> dict[int, tuple[Any, float]]:
    """Every item's label and confidence by ``method`` over all the project's answers."""
    answers: list[scoring.TaskAnswer] = []
    last = 0
    while True:
        rows = await Answer.filter(project_id=project.id, id__gt=last).order_by("id").limit(
            BATCH * 10
        ).values("id", "item_id", "worker_id", "value")
        if not rows:
            break
        answers.extend(
            scoring.TaskAnswer(task=str(r["item_id"]), worker=str(r["worker_id"]),
                               label=str(r["value"]) if project.kind == "transcription"
                               else _encode(r["value"]))
            for r in rows
        )
        last = rows[-1]["id"]
    if project.kind == "transcription":
        texts = scoring.text_aggregator(_text_method(method)).fit(answers).decisions()
        return {int(task): (d.text, d.confidence) for task, d in texts.items()}
    gold = await _gold(project)
    aggregator = scoring.label_aggregator(method, gold=bool(gold))  # ValueError if unknown
    decisions = aggregator.fit(answers, gold=gold).decisions()
    return {int(task): (_decode(project, d.label), d.confidence) for task, d in decisions.items()}


def _text_method(method: Method) -> str:
    """The text method a name stands for in a transcription project."""
    return method if method in scoring.TEXT_METHODS else scoring.TEXT_AUTO


def _decode(project: Project, label: scoring.Label) -> Any:
    if project.multi_label and isinstance(label, str) and label.startswith("["):
        return json.loads(label)
    return label


async def _gold(project: Project) -> dict[str, str]:
    """The gold of the project's control items in force, as aggregation input."""
    rows = await Item.filter(
        project_id=project.id, is_control=True, quarantined_at=None, gold__isnull=False
    ).values("id", "gold")
    return {str(r["id"]): _encode(r["gold"]) for r in rows if r["gold"] is not None}


async def answer_rows(project: Project, *, with_ids: bool) -> AsyncIterator[dict[str, Any]]:
    """One row per answer, oldest first; workers by pseudonym unless ``with_ids``."""
    column = "worker_tg_id" if with_ids else "worker"
    last = 0
    keys: dict[int, str] = {}
    workers: dict[int, Any] = {}
    while True:
        batch = await Answer.filter(project_id=project.id, id__gt=last).order_by("id").limit(
            BATCH
        ).values("id", "item_id", "worker_id", "value", "seconds", "is_control", "correct",
                 "status")
        if not batch:
            return
        missing_items = {r["item_id"] for r in batch} - keys.keys()
        if missing_items:
            keys.update((r["id"], r["key"]) for r in await Item.filter(
                id__in=sorted(missing_items)).values("id", "key"))
        missing_workers = {r["worker_id"] for r in batch} - workers.keys()
        if missing_workers:
            workers.update(
                (u["id"], u["tg_id"] if with_ids else u["pseudonym"])
                for u in await User.filter(id__in=sorted(missing_workers)).values(
                    "id", "tg_id", "pseudonym")
            )
        for r in batch:
            yield {
                "key": keys.get(r["item_id"]),
                column: workers.get(r["worker_id"]),
                "answer": r["value"],
                "seconds": round(float(r["seconds"]), 3),
                "is_control": bool(r["is_control"]),
                "correct": r["correct"],
                "status": r["status"],
            }
        last = batch[-1]["id"]
        if len(workers) > 50 * BATCH:  # keep memory flat on huge projects
            workers.clear()
        if len(keys) > 50 * BATCH:
            keys.clear()
