"""Accuracy, calibration, time and memory of every aggregation method on the public crowd sets.

Run: ``.venv/bin/python benchmarks/aggregation.py [--datasets DIR] [--seeds N]``. DIR defaults to
``../shared/datasets`` beside the repository (its README defines the layout and the scoring);
without it only the time and memory on synthetic answers run. Prints the Markdown tables of
docs/quality.md §8.

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
import tracemalloc
from collections.abc import Callable, Mapping
from functools import partial
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from gigbot.scoring import (  # noqa: E402
    METHODS,
    AnswerMatrix,
    AutoAggregator,
    Decision,
    LabelAggregator,
    TaskAnswer,
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


LABEL_METHODS = [*METHODS, "auto"]
TEXT_NAMES = ["medoid", "rover", "wrover"]


def make(name: str) -> LabelAggregator:
    """A categorical aggregator by name, with its defaults."""
    return AutoAggregator() if name == "auto" else METHODS[name]()


def ece(pred: Mapping[str, Decision], truth: Mapping[str, str], bins: int = 10) -> float:
    """Expected calibration error of the confidences: Σ_b n_b/n · |accuracy_b − confidence_b|
    over ``bins`` equal-width confidence bins (Guo et al. 2017), on the gold tasks."""
    conf = np.array([pred[t].confidence if t in pred else 0.0 for t in truth])
    right = np.array([t in pred and pred[t].label == g for t, g in truth.items()], dtype=float)
    which = np.minimum((conf * bins).astype(int), bins - 1)
    total = 0.0
    for b in range(bins):
        inside = which == b
        if inside.any():
            total += inside.sum() / conf.size * abs(right[inside].mean() - conf[inside].mean())
    return total


def gold_mean(name: str, matrix: AnswerMatrix, gold: Mapping[str, str], seeds: int) -> float:
    """Mean accuracy on the hidden 80 % over ``seeds`` random reveals."""
    scores = []
    for seed in range(seeds):
        revealed, hidden = reveal(gold, seed)
        scores.append(accuracy(make(name).fit(matrix, gold=revealed).decisions(), hidden))
    return statistics.fmean(scores)


def categorical_table(root: Path, seeds: int) -> None:
    """Accuracy and calibration of every method on every categorical set, beside crowd-kit's."""
    print("### Categorical accuracy, no gold\n")
    head = " | ".join(LABEL_METHODS)
    print(f"| dataset | {head} | auto chose | crowd-kit MV | crowd-kit DS | crowd-kit best |")
    print("|---" * (len(LABEL_METHODS) + 5) + "|")
    sums = np.zeros(len(LABEL_METHODS) + 3)
    calibration: dict[str, list[float]] = {}
    gold_rows: list[str] = []
    gold_sums = np.zeros(4)
    for name in CATEGORICAL:
        answers, gold = load(root / name)
        matrix = AnswerMatrix.build(answers, gold.values())
        ref_mv, ref_ds, ref_best, best_name, ref_gold = REFERENCE[name]
        row, eces, chose = [], [], ""
        for method in LABEL_METHODS:
            fitted = make(method).fit(matrix)
            decided = fitted.decisions()
            row.append(accuracy(decided, gold))
            eces.append(ece(decided, gold))
            if isinstance(fitted, AutoAggregator):
                chose = fitted.chosen_
        calibration[name] = eces
        sums += [*row, ref_mv, ref_ds, ref_best]
        best = f"{ref_best:.4f} ({best_name})" if best_name else f"{ref_best:.4f}"
        cells = " | ".join(f"{v:.4f}" for v in row)
        print(f"| {name} | {cells} | {chose} | {ref_mv:.4f} | {ref_ds:.4f} | {best} |")
        with_gold = [gold_mean(m, matrix, gold, seeds) for m in ("wmv", "ds", "auto")]
        gold_sums += [*with_gold, ref_gold]
        gold_rows.append(
            f"| {name} | " + " | ".join(f"{v:.4f}" for v in with_gold) + f" | {ref_gold:.4f} |"
        )
    means = [f"{v / len(CATEGORICAL):.4f}" for v in sums]
    means.insert(len(LABEL_METHODS), "")  # the "auto chose" column
    print("| **mean** | " + " | ".join(means) + " |\n")
    print(f"### Gold 20 % revealed, accuracy on the other 80 % (mean of {seeds} draws)\n")
    print("| dataset | wmv | ds | auto | crowd-kit gold-weighted vote (one draw) |")
    print("|---|---|---|---|---|")
    print("\n".join(gold_rows))
    print("| **mean** | " + " | ".join(f"{v / len(CATEGORICAL):.4f}" for v in gold_sums) + " |\n")
    print("### Expected calibration error of the confidences (10 bins, no gold)\n")
    print(f"| dataset | {head} |")
    print("|---" * (len(LABEL_METHODS) + 1) + "|")
    for name, eces in calibration.items():
        print(f"| {name} | " + " | ".join(f"{v:.4f}" for v in eces) + " |")
    mean_ece = np.mean(list(calibration.values()), axis=0)
    print("| **mean** | " + " | ".join(f"{v:.4f}" for v in mean_ece) + " |\n")


def text_table(root: Path) -> None:
    """Mean WER of the text methods on the text datasets, and their time."""
    print("### Text: mean WER (lower is better)\n")
    print(
        "| dataset | random single worker | medoid | rover | **wrover** | wrover + gold 20 % "
        "| crowd-kit ROVER | oracle | rover time | wrover time |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|")
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

        def score(decided: Mapping[str, object], truth: Mapping[str, str]) -> float:
            return statistics.fmean(
                wer(g, getattr(decided.get(t), "text", "")) for t, g in truth.items()
            )

        scores: dict[str, float] = {}
        seconds: dict[str, float] = {}
        for method in TEXT_NAMES:
            started = time.perf_counter()
            combined = text_aggregator(method).fit(answers).decisions()
            seconds[method] = time.perf_counter() - started
            scores[method] = score(combined, gold)
        revealed, hidden = reveal(gold, 0)
        fitted = text_aggregator("wrover").fit(answers, gold=revealed)
        with_gold = score(fitted.decisions(), hidden)
        print(
            f"| {name} | {single:.4f} | {scores['medoid']:.4f} | {scores['rover']:.4f} "
            f"| **{scores['wrover']:.4f}** | {with_gold:.4f} (80 %) | {REFERENCE_ROVER[name]:.4f} "
            f"| {oracle:.4f} | {seconds['rover']:.1f} s | {seconds['wrover']:.1f} s |"
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


def _fit(method: str, matrix: AnswerMatrix) -> LabelAggregator:
    return make(method).fit(matrix)


def _peak(fn: Callable[[], object]) -> float:
    """Peak traced memory of one call, in MB (numpy's buffers are traced too)."""
    tracemalloc.start()
    try:
        fn()
        return tracemalloc.get_traced_memory()[1] / 1e6
    finally:
        tracemalloc.stop()


def timing_table(root: Path | None) -> None:
    """Fit time (best of 3) and peak memory of every method on 100 000 synthetic answers and
    on the largest public categorical set; the matrix is encoded once beforehand."""
    print("### Time and peak memory of a fit (best of 3)\n")
    print("| answers | encode | " + " | ".join(LABEL_METHODS) + " |")
    print("|---" * (len(LABEL_METHODS) + 2) + "|")
    sets: list[tuple[str, list[TaskAnswer]]] = [("100 000 synthetic", synthetic(100_000))]
    if root is not None:
        real = {name: load(root / name)[0] for name in CATEGORICAL}
        largest = max(real, key=lambda name: len(real[name]))
        sets.append((largest, real[largest]))
    for name, answers in sets:
        encode = _best_of(3, partial(AnswerMatrix.build, answers))
        matrix = AnswerMatrix.build(answers)
        cells = []
        for method in LABEL_METHODS:
            run = partial(_fit, method, matrix)
            seconds, peak = _best_of(3, run), _peak(run)
            cells.append(f"{seconds:.2f} s, {peak:.0f} MB")
        print(f"| {name} ({len(answers):,}) | {encode:.2f} s | " + " | ".join(cells) + " |")
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
