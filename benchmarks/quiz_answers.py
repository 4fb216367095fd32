"""Quiz answers per second and per-answer latency through the quiz service (no Telegram).

Run: ``.venv/bin/python benchmarks/quiz_answers.py [--workers 50] [--db sqlite|postgres-url]``.
Each simulated worker opens a quiz, trains (every 4th first answer wrong, so items come back)
and takes an exam; all workers run concurrently in one process, as the bot would. Prints
answers/s and p50/p99 latency of one answer (the compare-and-set, the QuizAnswer row and the
next question). Figures go to docs/qualification.md.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from gigbot.db import close_db, init_db  # noqa: E402
from gigbot.db.models import Quiz, QuizAttempt, QuizItem, User  # noqa: E402
from gigbot.qualification import quiz as svc  # noqa: E402

LABELS = [{"value": v, "en": v, "ko": v} for v in ("a", "b", "c", "d")]
NOW = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)


async def seed(training: int, exam: int, questions: int) -> int:
    quiz = await Quiz.create(slug="bench", kind="classification", title={"en": "Bench"},
                             labels=LABELS, pass_score=0.5, questions=questions,
                             cooldown_hours=1, max_attempts=3, created_at=NOW, updated_at=NOW)
    for part, count in (("training", training), ("exam", exam)):
        for i in range(count):
            await QuizItem.create(quiz=quiz, part=part, key=f"{part}{i}", seq=i,
                                  text=f"item {i}", gold=LABELS[i % 4]["value"])
    return quiz.id


async def worker(n: int, quiz_id: int, gold: dict[int, int], latencies: list[float]) -> int:
    user = await User.create(tg_id=10_000 + n, pseudonym=f"b{n}", created_at=NOW,
                             last_seen_at=NOW)
    answered = 0
    for start in (svc.start_training, svc.start_exam):
        step = await start(user.id, quiz_id, NOW)
        while step.question is not None:
            q = step.question
            attempt = await QuizAttempt.get(id=q.attempt_id)
            right = gold[attempt.queue[q.step]]
            choice = right if (q.repeat or q.step % 4) else (right + 1) % 4
            began = time.perf_counter()
            step = await svc.answer_choice(user.id, q.attempt_id, q.step, choice, NOW)
            latencies.append(time.perf_counter() - began)
            answered += 1
    return answered


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--workers", type=int, default=50)
    parser.add_argument("--training", type=int, default=20)
    parser.add_argument("--exam", type=int, default=40)
    parser.add_argument("--questions", type=int, default=20)
    parser.add_argument("--db", default=None,
                        help="a tortoise URL (default: SQLite in a temp dir)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        await init_db(args.db or f"sqlite://{Path(tmp) / 'bench.sqlite3'}")
        try:
            quiz_id = await seed(args.training, args.exam, args.questions)
            gold = {item.id: [lab["value"] for lab in LABELS].index(item.gold)
                    for item in await QuizItem.filter(quiz_id=quiz_id)}
            latencies: list[float] = []
            random.seed(1)
            began = time.perf_counter()
            counts = await asyncio.gather(*(worker(n, quiz_id, gold, latencies)
                                            for n in range(args.workers)))
            elapsed = time.perf_counter() - began
        finally:
            await close_db()
    total = sum(counts)
    cuts = statistics.quantiles(latencies, n=100)
    print("| workers | answers | answers/s | p50 ms | p99 ms |")
    print("| ---: | ---: | ---: | ---: | ---: |")
    print(f"| {args.workers} | {total} | {total / elapsed:.0f} | {cuts[49] * 1000:.1f} "
          f"| {cuts[98] * 1000:.1f} |")


if __name__ == "__main__":
    asyncio.run(main())
