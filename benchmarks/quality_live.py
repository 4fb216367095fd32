"""What live quality costs: on_answer per answer, the gold audit, and project export.

Run: ``.venv/bin/python benchmarks/quality_live.py [--workers 50] [--answers 40]`` (SQLite in a
temp dir; ``--db postgres://...`` for PostgreSQL). Each answer is written as the task engine
does (lease, answer, item counters) and scored by ``quality.on_answer`` in the same
transaction; the table shows the time of on_answer alone and of the whole transaction.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import io
import random
import statistics
import tempfile
import time
from pathlib import Path

from tortoise.expressions import F
from tortoise.transactions import in_transaction

from gigbot.catalog import export
from gigbot.db import close_db, init_db, statements
from gigbot.db.models import Answer, Item, Lease, LeaseStatus, Project, User
from gigbot.quality.audit import audit_item
from gigbot.quality.live import AnswerFacts, on_answer

T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
LABELS = [{"value": v, "en": v, "ko": v} for v in ("pos", "neg", "neu")]


async def setup(items: int, controls: int, workers: int) -> tuple[Project, list[int], list[int]]:
    project = await Project.create(
        slug="bench", kind="classification", title={"en": "Bench", "ko": "벤치"},
        instructions={"en": "", "ko": ""}, labels=LABELS, reward=30, overlap=3, max_overlap=5,
        confidence=0.9, gold_ratio=0.1, min_accuracy=0.5, created_at=T0, updated_at=T0,
    )
    await Item.bulk_create([
        Item(project=project, key=f"i{n}", text="x", needed=3) for n in range(items)
    ])
    await Item.bulk_create([
        Item(project=project, key=f"c{n}", text="x", is_control=True, needed=2**31 - 1)
        for n in range(controls)
    ])
    await Item.filter(project_id=project.id, is_control=True).update(gold="pos")
    await User.bulk_create([
        User(tg_id=10_000 + n, pseudonym=f"b{n:05d}", created_at=T0, last_seen_at=T0)
        for n in range(workers)
    ])
    ids = [u["id"] for u in await User.all().order_by("id").values("id")]
    plain = [i["id"] for i in await Item.filter(is_control=False).order_by("id").values("id")]
    gold = [i["id"] for i in await Item.filter(is_control=True).order_by("id").values("id")]
    return project, ids, plain + gold


async def answer(project: Project, worker: int, item: int, value: str, now: dt.datetime,
                 control: bool) -> tuple[float, float]:
    start = time.perf_counter()
    async with in_transaction():
        lease = await Lease.create(
            item_id=item, worker_id=worker, project_id=project.id, status=LeaseStatus.ANSWERED,
            is_control=control, created_at=now - dt.timedelta(seconds=5),
            expires_at=now + dt.timedelta(minutes=10), closed_at=now,
        )
        row = await Answer.create(
            lease=lease, item_id=item, worker_id=worker, project_id=project.id, value=value,
            seconds=5.0, is_control=control, created_at=now,
        )
        await Item.filter(id=item).update(answers_count=F("answers_count") + 1,
                                          taken=F("taken") + 1)
        scored = time.perf_counter()
        await on_answer(AnswerFacts(
            answer_id=row.id, worker_id=worker, project_id=project.id, item_id=item,
            value=value, seconds=5.0, is_control=control, now=now,
        ))
        done = time.perf_counter()
    return done - scored, time.perf_counter() - start


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


async def run(url: str, workers: int, per_worker: int) -> list[str]:
    await init_db(url)
    try:
        rng = random.Random(7)
        controls = max(20, workers)
        project, ids, _ = await setup(workers * per_worker, controls, workers)
        plain = [i["id"] for i in await Item.filter(is_control=False).order_by("id").values("id")]
        gold = [i["id"] for i in await Item.filter(is_control=True).order_by("id").values("id")]
        hook: list[float] = []
        whole: list[float] = []
        now = T0
        cursor = 0
        cpu = time.process_time()
        for _ in range(per_worker):
            for w in ids:
                now += dt.timedelta(seconds=1)
                if rng.random() < 0.2:  # a control item (each worker answers each at most once)
                    item = gold[(w + len(hook)) % len(gold)]
                    if await Lease.filter(item_id=item, worker_id=w).exists():
                        continue
                    value, control = ("pos" if rng.random() < 0.85 else "neg"), True
                else:
                    item = plain[cursor // 3]
                    cursor += 1
                    value, control = rng.choice(["pos", "pos", "neg"]), False
                    if await Lease.filter(item_id=item, worker_id=w).exists():
                        continue
                h, t = await answer(project, w, item, value, now, control)
                hook.append(h)
                whole.append(t)
        cpu = time.process_time() - cpu
        lines = [
            f"| CPU time per answer, whole benchmark loop (all threads) | "
            f"{cpu / len(hook) * 1000:.1f} ms |",
            f"| on_answer per answer ({len(hook)} answers, {workers} workers) | "
            f"p50 {pct(hook, 0.5):.1f} ms, p99 {pct(hook, 0.99):.1f} ms, "
            f"mean {statistics.mean(hook) * 1000:.1f} ms |",
            f"| answer transaction incl. on_answer | p50 {pct(whole, 0.5):.1f} ms, "
            f"p99 {pct(whole, 0.99):.1f} ms |",
        ]
        # the gold audit of a control item answered by every worker
        start = time.perf_counter()
        await audit_item(gold[0], now=now)
        audited = await Answer.filter(item_id=gold[0]).count()
        lines.append(f"| audit_item on a control item with {audited} answers | "
                     f"{(time.perf_counter() - start) * 1000:.1f} ms |")
        answers = await Answer.filter(project_id=project.id).count()
        for method in ("stored", "mv", "wmv", "ds"):
            out = io.StringIO()
            start = time.perf_counter()
            rows = await export.write_rows(out, export.item_rows(project, method),
                                           export.ITEM_FIELDS, fmt="csv")
            lines.append(f"| export {rows} items, --method {method} ({answers} answers) | "
                         f"{(time.perf_counter() - start) * 1000:.0f} ms |")
        out = io.StringIO()
        start = time.perf_counter()
        rows = await export.write_rows(out, export.answer_rows(project, with_ids=False),
                                       export.ANSWER_FIELDS, fmt="jsonl")
        lines.append(f"| export {rows} answers as JSONL | "
                     f"{(time.perf_counter() - start) * 1000:.0f} ms |")
        return lines
    finally:
        await close_db()


async def bulk_export(url: str, answers: int) -> list[str]:
    """Export timings on a project of ``answers`` answers written in bulk (3 per item)."""
    await init_db(url)
    try:
        items = answers // 3
        project, ids, _ = await setup(items, 0, 200)
        plain = [i["id"] for i in await Item.filter(project_id=project.id).order_by("id")
                 .values("id")]
        await Lease.bulk_create([
            Lease(item_id=plain[n // 3], worker_id=ids[(n * 7 + n // 3) % len(ids)],
                  project_id=project.id, status=LeaseStatus.ANSWERED, created_at=T0,
                  expires_at=T0, closed_at=T0)
            for n in range(items * 3)
        ], batch_size=5000)
        leases = await Lease.filter(project_id=project.id).order_by("id").values(
            "id", "item_id", "worker_id")
        await Answer.bulk_create([
            Answer(lease_id=r["id"], item_id=r["item_id"], worker_id=r["worker_id"],
                   project_id=project.id, value=[], seconds=5.0, created_at=T0)
            for r in leases
        ], batch_size=5000)
        # two answers in three say pos (JSON text, as tortoise stores a string)
        await statements.connection().execute_query(
            "UPDATE answer SET value = CASE WHEN id % 3 = 1 THEN '\"neg\"' ELSE '\"pos\"' END"
        )
        lines = []
        for method in ("stored", "mv", "ds"):
            start = time.perf_counter()
            rows = await export.write_rows(io.StringIO(), export.item_rows(project, method),
                                           export.ITEM_FIELDS, fmt="csv")
            lines.append(f"| export {rows} items, --method {method} ({len(leases)} answers) | "
                         f"{time.perf_counter() - start:.2f} s |")
        start = time.perf_counter()
        rows = await export.write_rows(io.StringIO(), export.answer_rows(project, with_ids=False),
                                       export.ANSWER_FIELDS, fmt="csv")
        lines.append(f"| export {rows} answers as CSV | {time.perf_counter() - start:.2f} s |")
        return lines
    finally:
        await close_db()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--workers", type=int, default=50)
    parser.add_argument("--answers", type=int, default=40, help="answers per worker")
    parser.add_argument("--db", help="database URL (default: SQLite in a temp dir)")
    parser.add_argument("--bulk", type=int, default=0, metavar="N",
                        help="only time exports, on N answers written in bulk")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = args.db or f"sqlite://{Path(tmp) / 'bench.sqlite3'}"
        if args.bulk:
            lines = asyncio.run(bulk_export(url, args.bulk))
        else:
            lines = asyncio.run(run(url, args.workers, args.answers))
    print("| measure | result |")
    print("| --- | --- |")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
