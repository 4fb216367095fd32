"""Accuracy of gigbot's aggregation on public crowd datasets, and Dawid-Skene fitting time.

Run: ``.venv/bin/python benchmarks/aggregation.py [--datasets DIR] [--seeds N]``. DIR defaults to
``../shared/datasets`` beside the repository (its README defines the layout and the scoring);
without it only the timing on synthetic answers runs. Prints Markdown tables (docs/quality.md).

Scoring, as the datasets' README defines it: categorical accuracy over the gold tasks (a gold
task without a prediction is wrong); text: mean over gold tasks of the WER after NFKC, lower
case, punctuation deleted, whitespace collapsed (a missing prediction is an empty hypothesis).
"Gold 20 %": a random 20 % of the gold tasks is revealed to the method and the other 80 % are
scored; the figure is the mean over ``--seeds`` random draws.
"""

from __future__ import annotations

import argparse
import csv
import random
import statistics
import sys
import time
from collections.abc import Callable, Mapping
from functools import partial
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from gigbot.scoring import (  # noqa: E402
    AnswerMatrix,
    DawidSkene,
    Decision,
    MajorityVote,
    TaskAnswer,
    WeightedVote,
    text_aggregator,
    wer,
)

CATEGORICAL = [
    "snow_rte",
    "snow_temp",
    "zencrowd_all",
    "zencrowd_in",
    "zencrowd_us",
    "rodrigues_music_genre",
    "rodrigues_sentiment_polarity",
    "rodrigues_sentiment_polarity_amt",
    "venanzi_cf_weather",
    "venanzi_cf_weather_amt",
]
TEXT = ["crowdspeech_dev_clean", "crowdspeech_dev_other", "crowdwsa2019_t1"]

# crowd-kit 1.4.2 on the same files, from the datasets' README: MV, Dawid-Skene, best other
# (its name), gold-20 % weighted vote; and for text: ROVER (crowd-kit).
REFERENCE: dict[str, tuple[float, float, float, str, float]] = {
    "snow_rte": (0.9187, 0.9275, 0.9250, "GLAD", 0.9234),
    "snow_temp": (0.9394, 0.9416, 0.9437, "Wawa", 0.9432),
    "zencrowd_all": (0.8363, 0.8010, 0.8598, "one-coin DS", 0.8450),
    "zencrowd_in": (0.7441, 0.7608, 0.7892, "one-coin DS", 0.7384),
    "zencrowd_us": (0.8686, 0.8373, 0.9010, "one-coin DS", 0.8781),
    "rodrigues_music_genre": (0.7114, 0.7686, 0.8000, "ZeroBasedSkill", 0.8054),
    "rodrigues_sentiment_polarity": (0.8896, 0.9152, 0.9170, "GLAD", 0.8960),
    "rodrigues_sentiment_polarity_amt": (0.9440, 0.9440, 0.9460, "", 0.9450),
    "venanzi_cf_weather": (0.9000, 0.8300, 0.8933, "Wawa", 0.8833),
    "venanzi_cf_weather_amt": (0.8467, 0.8400, 0.8600, "one-coin DS", 0.8542),
}
REFERENCE_ROVER = {
    "crowdspeech_dev_clean": 0.0664,
    "crowdspeech_dev_other": 0.1309,
    "crowdwsa2019_t1": 0.5041,
}


def load(folder: Path) -> tuple[list[TaskAnswer], dict[str, str]]:
    """answers.csv and gold.csv of one dataset."""
    with (folder / "answers.csv").open(encoding="utf-8", newline="") as handle:
        answers = [TaskAnswer(r["task"], r["worker"], r["label"]) for r in csv.DictReader(handle)]
    with (folder / "gold.csv").open(encoding="utf-8", newline="") as handle:
        gold = {r["task"]: r["label"] for r in csv.DictReader(handle)}
    return answers, gold


def accuracy(pred: Mapping[str, Decision], truth: Mapping[str, str]) -> float:
    """Share of ``truth`` tasks predicted right (a missing prediction is wrong)."""
    right = sum(1 for task, label in truth.items() if task in pred and pred[task].label == label)
    return right / len(truth)


def reveal(gold: Mapping[str, str], seed: int) -> tuple[dict[str, str], dict[str, str]]:
    """A random 20 % of the gold tasks (revealed) and the other 80 % (scored)."""
    keys = sorted(gold)
    random.Random(seed).shuffle(keys)
    cut = round(len(keys) * 0.2)
    return {k: gold[k] for k in keys[:cut]}, {k: gold[k] for k in keys[cut:]}


def mv(matrix: AnswerMatrix) -> dict[str, Decision]:
    """Majority vote."""
    return MajorityVote().fit(matrix).decisions()


def wmv(matrix: AnswerMatrix, gold: Mapping[str, str]) -> dict[str, Decision]:
    """The gold-weighted vote with its defaults."""
    return WeightedVote().fit(matrix, gold=gold).decisions()


def ds(matrix: AnswerMatrix, gold: Mapping[str, str] | None = None) -> dict[str, Decision]:
    """gigbot's Dawid-Skene with its defaults."""
    return DawidSkene().fit(matrix, gold=gold).decisions()


def plain_ds(matrix: AnswerMatrix) -> dict[str, Decision]:
    """Dawid-Skene without the pooled prior, for comparison."""
    return DawidSkene(prior_strength=0).fit(matrix).decisions()


def gold_mean(
    method: Callable[[AnswerMatrix, Mapping[str, str]], Mapping[str, Decision]],
    matrix: AnswerMatrix,
    gold: Mapping[str, str],
    seeds: int,
) -> float:
    """Mean accuracy on the hidden 80 % over ``seeds`` random reveals."""
    scores = []
    for seed in range(seeds):
        revealed, hidden = reveal(gold, seed)
        scores.append(accuracy(method(matrix, revealed), hidden))
    return statistics.fmean(scores)


def categorical_table(root: Path, seeds: int) -> None:
    """Accuracy of every method on every categorical dataset, against crowd-kit's figures."""
    print("### Categorical accuracy\n")
    print(
        "| dataset | MV | DS (plain) | **DS (gigbot)** | crowd-kit DS | crowd-kit best other "
        f"| WMV gold 20 % ({seeds} draws) | crowd-kit gold 20 % | DS + gold 20 % |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    sums = np.zeros(8)
    for name in CATEGORICAL:
        answers, gold = load(root / name)
        matrix = AnswerMatrix.build(answers, gold.values())
        ref_mv, ref_ds, ref_best, best_name, ref_gold = REFERENCE[name]
        row = [
            accuracy(mv(matrix), gold),
            accuracy(plain_ds(matrix), gold),
            accuracy(ds(matrix), gold),
            ref_ds,
            ref_best,
            gold_mean(wmv, matrix, gold, seeds),
            ref_gold,
            gold_mean(ds, matrix, gold, seeds),
        ]
        sums += row
        best = f"{ref_best:.4f} ({best_name})" if best_name else f"{ref_best:.4f}"
        cells = [f"{v:.4f}" for v in row]
        cells[2] = f"**{cells[2]}**"
        cells[4] = best
        print(f"| {name} | " + " | ".join(cells) + " |")
        if abs(row[0] - ref_mv) > 1e-4:  # the README says MV reproduces its column exactly
            print(f"(warning: {name} MV {row[0]:.4f} differs from the reference {ref_mv})")
    means = [f"{v / len(CATEGORICAL):.4f}" for v in sums]
    print("| **mean** | " + " | ".join(means) + " |\n")


def text_table(root: Path) -> None:
    """Mean WER of the text methods on the text datasets, and their time."""
    print("### Text: mean WER (lower is better)\n")
    print(
        "| dataset | random single worker | medoid | **ROVER (gigbot)** | crowd-kit ROVER "
        "| best single transcript (oracle) | ROVER time |"
    )
    print("|---|---|---|---|---|---|---|")
    for name in TEXT:
        answers, gold = load(root / name)
        by_task: dict[str, list[str]] = {}
        for a in answers:
            by_task.setdefault(a.task, []).append(a.label)
        single = statistics.fmean(
            statistics.fmean(wer(g, h) for h in by_task.get(t, [""])) for t, g in gold.items()
        )
        oracle = statistics.fmean(
            min(wer(g, h) for h in by_task.get(t, [""])) for t, g in gold.items()
        )
        scores: dict[str, float] = {}
        seconds = 0.0
        for method in ("medoid", "rover"):
            started = time.perf_counter()
            combined = text_aggregator(method).fit(answers).decisions()
            seconds = time.perf_counter() - started
            scores[method] = statistics.fmean(
                wer(g, combined[t].text if t in combined else "") for t, g in gold.items()
            )
        print(
            f"| {name} | {single:.4f} | {scores['medoid']:.4f} | **{scores['rover']:.4f}** "
            f"| {REFERENCE_ROVER[name]:.4f} | {oracle:.4f} | {seconds:.1f} s |"
        )
    print()


def synthetic(n_answers: int, seed: int = 0) -> list[TaskAnswer]:
    """``n_answers`` answers: 10 per task, 5 classes, 500 workers of accuracy 0.4-0.95."""
    rng = np.random.default_rng(seed)
    n_tasks, k, n_workers = n_answers // 10, 5, 500
    truth = rng.integers(k, size=n_tasks)
    skill = rng.uniform(0.4, 0.95, n_workers)
    task = np.repeat(np.arange(n_tasks), 10)
    worker = rng.integers(n_workers, size=task.size)
    right = rng.random(task.size) < skill[worker]
    label = np.where(right, truth[task], (truth[task] + rng.integers(1, k, size=task.size)) % k)
    return [
        TaskAnswer(f"t{t}", f"w{w}", f"c{c}")
        for t, w, c in zip(task.tolist(), worker.tolist(), label.tolist(), strict=True)
    ]


def _best_of(runs: int, fn: Callable[[], object]) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return min(times)


def timing_table(root: Path | None) -> None:
    """Dawid-Skene time: encoding and fitting, converged and with all 100 iterations."""
    print("### Dawid-Skene time (best of 3)\n")
    print("| answers | encode | fit (converged) | iterations | fit (100 iterations, tol 0) |")
    print("|---|---|---|---|---|")
    sets: list[tuple[str, list[TaskAnswer]]] = [("100 000 synthetic", synthetic(100_000))]
    if root is not None:
        real = {name: load(root / name)[0] for name in CATEGORICAL}
        largest = max(real, key=lambda name: len(real[name]))
        sets.append((largest, real[largest]))
    for name, answers in sets:
        encode = _best_of(3, partial(AnswerMatrix.build, answers))
        matrix = AnswerMatrix.build(answers)
        fit = _best_of(3, partial(DawidSkene().fit, matrix))
        iterations = DawidSkene().fit(matrix).n_iter_
        full = _best_of(3, partial(DawidSkene(tol=0).fit, matrix))
        print(
            f"| {name} ({len(answers):,}) | {encode:.2f} s | {fit:.2f} s | {iterations} "
            f"| {full:.2f} s |"
        )
    print()


def main() -> None:
    """Print every table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", type=Path, default=ROOT.parent / "shared" / "datasets")
    parser.add_argument("--seeds", type=int, default=10, help="random gold reveals to average")
    args = parser.parse_args()
    root: Path | None = args.datasets if args.datasets.is_dir() else None
    if root is None:
        print(f"({args.datasets} not found: only the timing runs)\n")
    else:
        categorical_table(root, args.seeds)
        text_table(root)
    timing_table(root)


if __name__ == "__main__":
    main()
