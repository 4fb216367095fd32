"""The cost of choosing the next item: a project of 1 000 items against one of 1 000 000 (SQLite).

Run: ``.venv/bin/python benchmarks/selection.py [--sizes 1000 1000000] [--repeat 400]``.

Each project is in the state that hurts a naive query: the measured worker has already seen
(answered) the first ``--seen`` items, and the next ``--held`` items are fully taken by open
leases of three other workers each, so the selection has to step over them. Two timings:

- ``pick``: the selection query alone (the cursor seek plus the item-index walk);
- ``lease_next``: the whole step inside a transaction (worker lock, lazy expiry, open lease,
  control due, pick, ``taken + 1``, the lease row), rolled back so every round sees the same
  state;
- ``pick at the end``: the selection for a second worker who has seen every item of the
  project but ten; 100 items spread over the project had room come back (``Item.returned``),
  the ten among them. Nothing is left above that worker's cursor, so this is the search below
  it, the worst case of a worker finishing a project.

Medians, 90th percentiles and minimums in milliseconds; the last columns are 1 M / 1 k ratios.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tortoise.transactions import in_transaction

from gigbot.db import close_db, init_db
from gigbot.db.models import Lease, LeaseStatus, Onboarding, Project, User
from gigbot.tasks import selection

NOW = dt.datetime(2026, 1, 5, 9, 0, tzinfo=dt.UTC)
OVERLAP = 3


class _Rollback(Exception):
    pass


async def _project(size: int, seen: int, held: int) -> tuple[int, Project]:
    """The project, the measured worker's id; items, leases and counters as described above."""
    project = await Project.create(
        slug=f"bench-{size}", kind="classification", title={"en": "Bench"},
        instructions={"en": "Pick."}, labels=[{"value": "a", "en": "A"}], reward=1,
        overlap=OVERLAP, max_overlap=OVERLAP, confidence=0.9, gold_ratio=0.0,
        min_accuracy=0.0, created_at=NOW, updated_at=NOW,
    )
    async with in_transaction() as db:
        batch: list[list[object]] = []
        for i in range(1, size + 1):
            batch.append([project.id, f"k{i:07d}", f"text {i}", False, "open", OVERLAP, 0, 0, 0,
                          False])
            if len(batch) == 20_000 or i == size:
                await db.execute_many(
                    "INSERT INTO item (project_id, key, text, is_control, status, needed, taken,"
                    " answers_count, reports, returned) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    batch)
                batch = []
    users = [await User.create(tg_id=900 + n, pseudonym=f"bench{n}", onboarding=Onboarding.DONE,
                               created_at=NOW, last_seen_at=NOW) for n in range(4)]
    first = await db_first_item(project.id)
    worker = users[0]
    later = NOW + dt.timedelta(hours=1)
    leases = [Lease(item_id=first + i, worker_id=worker.id, project_id=project.id,
                    status=LeaseStatus.ANSWERED, chosen=[], created_at=NOW, expires_at=later,
                    session_id=1) for i in range(seen)]
    leases += [Lease(item_id=first + seen + i, worker_id=other.id, project_id=project.id,
                     status=LeaseStatus.OPEN, chosen=[], created_at=NOW, expires_at=later)
               for i in range(held) for other in users[1:]]
    await Lease.bulk_create(leases, batch_size=5000)
    async with in_transaction() as db:
        await db.execute_query(
            "UPDATE item SET taken = 1, answers_count = 1 WHERE project_id = ? AND id < ?",
            [project.id, first + seen])
        await db.execute_query(
            "UPDATE item SET taken = 3 WHERE project_id = ? AND id >= ? AND id < ?",
            [project.id, first + seen, first + seen + held])
    return worker.id, project


RETURNED = 100
UNSEEN = 10


async def _end_worker(project: Project, size: int) -> int:
    """A worker who saw every item but ``UNSEEN`` of the ``RETURNED`` items flagged returned."""
    worker = await User.create(tg_id=990, pseudonym="bench-end", onboarding=Onboarding.DONE,
                               created_at=NOW, last_seen_at=NOW)
    first = await db_first_item(project.id)
    step = size // RETURNED
    returned = [first + n * step for n in range(RETURNED)]
    unseen = returned[:: RETURNED // UNSEEN]
    stamp = NOW.isoformat(" ")
    async with in_transaction() as db:
        await db.execute_query(
            "INSERT INTO lease (item_id, worker_id, project_id, status, is_control, chosen,"
            " created_at, expires_at) SELECT id, ?, project_id, 'answered', 0, '[]', ?, ?"
            " FROM item WHERE project_id = ? AND id NOT IN ("
            + ", ".join("?" * len(unseen)) + ")",
            [worker.id, stamp, stamp, project.id, *unseen])
        await db.execute_query(
            "UPDATE item SET returned = 1, taken = 1 WHERE id IN ("
            + ", ".join("?" * len(returned)) + ")", returned)
    return worker.id


async def db_first_item(project_id: int) -> int:
    """The lowest item id of the project."""
    async with in_transaction() as db:
        rows = await db.execute_query_dict("SELECT MIN(id) AS low FROM item WHERE project_id = ?",
                                           [project_id])
    return int(rows[0]["low"])


async def _time_pick(worker_id: int, project: Project, repeat: int) -> list[float]:
    """The selection query alone, ``repeat`` times; it must find an item each time."""
    out = []
    async with in_transaction() as db:
        for _ in range(repeat):
            start = time.perf_counter()
            found = await selection.pick_item(db, worker_id, project.id, control=False)
            out.append(time.perf_counter() - start)
            assert found is not None
    return out


async def _time_lease(worker_id: int, project: Project, repeat: int) -> list[float]:
    out = []
    for _ in range(repeat):
        start = time.perf_counter()
        try:
            async with in_transaction() as db:
                served = await selection.lease_next(db, worker_id, project, now=NOW)
                assert served is not None
                raise _Rollback
        except _Rollback:
            pass
        out.append(time.perf_counter() - start)
    return out


def _ms(values: list[float]) -> tuple[float, float, float]:
    """Median, 90th percentile and minimum in ms. The minimum is the work itself, with the
    least noise from a busy machine: at a tenth of a millisecond the median jitters."""
    ordered = sorted(values)
    return (statistics.median(ordered) * 1000, ordered[int(0.9 * (len(ordered) - 1))] * 1000,
            ordered[0] * 1000)


async def measure(size: int, seen: int, held: int, repeat: int
                  ) -> dict[str, tuple[float, float, float]]:
    """Build one project in a fresh SQLite file and time both operations."""
    with tempfile.TemporaryDirectory() as tmp:
        await init_db(f"sqlite://{Path(tmp) / 'bench.sqlite3'}")
        try:
            built = time.perf_counter()
            worker_id, project = await _project(size, seen, held)
            print(f"  {size:>9,} items built in {time.perf_counter() - built:.1f} s",
                  file=sys.stderr)
            await _time_pick(worker_id, project, 50)  # warm the page cache
            figures = {
                "pick": _ms(await _time_pick(worker_id, project, repeat)),
                "lease_next": _ms(await _time_lease(worker_id, project, repeat)),
            }
            end = await _end_worker(project, size)
            await _time_pick(end, project, 50)
            figures["pick at the end"] = _ms(await _time_pick(end, project, repeat))
            return figures
        finally:
            await close_db()


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs=2, default=[1_000, 1_000_000])
    parser.add_argument("--seen", type=int, default=500, help="items the worker already saw")
    parser.add_argument("--held", type=int, default=200, help="items held by others' leases")
    parser.add_argument("--repeat", type=int, default=400)
    args = parser.parse_args()
    small = await measure(args.sizes[0], args.seen, args.held, args.repeat)
    large = await measure(args.sizes[1], args.seen, args.held, args.repeat)
    print(f"| operation | {args.sizes[0]:,} items: median / p90 / min ms | "
          f"{args.sizes[1]:,} items: median / p90 / min ms | ratio of medians | "
          "ratio of minimums |")
    print("| --- | --- | --- | --- | --- |")
    for name in ("pick", "lease_next", "pick at the end"):
        (a, a90, a0), (b, b90, b0) = small[name], large[name]
        print(f"| {name} | {a:.3f} / {a90:.3f} / {a0:.3f} | {b:.3f} / {b90:.3f} / {b0:.3f} | "
              f"{b / a:.2f} | {b0 / a0:.2f} |")


if __name__ == "__main__":
    asyncio.run(main())
