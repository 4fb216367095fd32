"""Import speed and memory: generate a project of N items and run ``gigbot project import`` on it.

    .venv/bin/python benchmarks/import_items.py                 # 100 000 items, SQLite
    .venv/bin/python benchmarks/import_items.py --items 1000000
    .venv/bin/python benchmarks/import_items.py --db postgres://postgres@127.0.0.1:5432/bench

Each run is a fresh database in a temporary folder (or the given PostgreSQL database, emptied
first). The import runs in a child process (``python -m gigbot project import``); its wall
time, CPU time (user + system: steadier than wall time on a shared machine) and peak resident
memory (``ru_maxrss`` of that child, from ``os.wait4``) are printed as a Markdown table row. A
second import of the same file measures the re-import (every item updated).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

WORDS = ("good", "bad", "fast", "slow", "cheap", "broken", "lovely", "late", "great", "awful",
         "배송", "만족", "품질", "실망", "추천", "환불")


def write_project(folder: Path, items: int, *, gold_every: int = 10, seed: int = 1) -> Path:
    """A classification project of ``items`` short texts, every ``gold_every``-th with gold."""
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "project.toml").write_text(
        'slug = "bench-import"\nkind = "classification"\n'
        'title = { en = "Import benchmark", ko = "가져오기 벤치마크" }\n'
        'labels = [ { value = "pos", en = "Positive", ko = "긍정" },\n'
        '           { value = "neg", en = "Negative", ko = "부정" } ]\n'
        'reward = 10\noverlap = 3\nmax_overlap = 5\nitems = "items.jsonl"\n',
        encoding="utf-8",
    )
    with (folder / "items.jsonl").open("w", encoding="utf-8") as out:
        for n in range(items):
            item: dict[str, object] = {
                "key": f"item-{n:07d}",
                "text": " ".join(rng.choice(WORDS) for _ in range(12)),
            }
            if n % gold_every == 0:
                item["gold"] = rng.choice(("pos", "neg"))
            out.write(json.dumps(item, ensure_ascii=False) + "\n")
    return folder


def run_import(folder: Path, env: dict[str, str]) -> tuple[float, float, float, str]:
    """Wall and CPU seconds, peak RSS in MB of the child (``wait4``'s rusage), its first line."""
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        start = time.perf_counter()
        child = subprocess.Popen(
            [sys.executable, "-m", "gigbot", "project", "import", str(folder)],
            env=env, stdout=out, stderr=err, text=True,
        )
        _pid, status, usage = os.wait4(child.pid, 0)
        seconds = time.perf_counter() - start
        child.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        if child.returncode != 0:
            raise SystemExit(f"import failed ({child.returncode}): {err.read().strip()}")
        cpu = usage.ru_utime + usage.ru_stime
        return seconds, cpu, usage.ru_maxrss / 1024, out.read().strip().splitlines()[0]  # KiB


async def _empty_postgres(url: str) -> None:
    import asyncpg

    base, name = url.rsplit("/", 1)
    conn = await asyncpg.connect(f"{base}/postgres")
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()


def main() -> None:
    """Generate, import twice, print the measurements."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--db", help="a PostgreSQL URL (default: SQLite in a temp folder)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        start = time.perf_counter()
        folder = write_project(root / "project", args.items)
        size = (folder / "items.jsonl").stat().st_size / 1e6
        took = time.perf_counter() - start
        print(f"generated {args.items} items ({size:.1f} MB) in {took:.1f} s")
        if args.db:
            import asyncio

            asyncio.run(_empty_postgres(args.db))
        env = {**os.environ, "GIGBOT_DATA_DIR": str(root / "data"), "GIGBOT_LOG_LEVEL": "WARNING"}
        env["GIGBOT_DB_URL"] = args.db or f"sqlite://{root / 'data' / 'gigbot.sqlite3'}"
        backend = "PostgreSQL" if args.db else "SQLite"
        print("| backend | items | run | wall s | CPU s | items/s (wall) | peak RSS (MB) |")
        print("| --- | ---: | --- | ---: | ---: | ---: | ---: |")
        for run in ("first import", "re-import"):
            seconds, cpu, rss, line = run_import(folder, env)
            print(f"| {backend} | {args.items:,} | {run} | {seconds:.1f} | {cpu:.1f} | "
                  f"{args.items / seconds:,.0f} | {rss:.0f} |", flush=True)
            print(f"  ({line})", file=sys.stderr, flush=True)


if __name__ == "__main__":
    main()
