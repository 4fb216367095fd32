"""``gigbot labels aggregate``: crowd answers from any CSV file into one label per task.

Input ``task,worker,label`` (a header is required; UTF-8 with or without a byte-order mark; other
columns are ignored; fields are whitespace-stripped), optional gold ``task,label``. Output
``task,label,confidence`` with tasks in the order they first appear in the answers, to a file or
(``--out -``, the default) to standard output. Problems with the files and misuse (free text
without ``--text``, a text method without it or a categorical one with it, gold on none of the
tasks, one answer or one worker, a fit over the memory budget) are reported as one line with
exit code 2.
"""

from __future__ import annotations

import argparse
import csv
import os
import sys
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path

from gigbot.config import Settings
from gigbot.errors import AggregateInputError
from gigbot.scoring.auto import AutoAggregator
from gigbot.scoring.base import MemoryBudgetError
from gigbot.scoring.methods import (
    AUTO,
    METHOD_NAMES,
    TEXT_AUTO,
    TEXT_METHOD_NAMES,
    label_aggregator,
    text_aggregator,
)
from gigbot.scoring.types import Decision, TaskAnswer

__all__ = ["aggregate_command", "read_answers", "read_gold", "write_result", "write_stdout"]

ANSWER_COLUMNS = ("task", "worker", "label")
GOLD_COLUMNS = ("task", "label")
# more distinct labels than this, each on fewer than two tasks on average: free text
FREE_TEXT_LABELS = 50


def _bad_utf8(path: Path) -> str:
    """Where the first byte that is not UTF-8 is (read again only after decoding failed)."""
    with path.open("rb") as handle:
        for number, raw in enumerate(handle, start=1):
            try:
                raw.decode("utf-8-sig" if number == 1 else "utf-8")
            except UnicodeDecodeError as exc:
                return f"{path}:{number}: not UTF-8 text (byte 0x{raw[exc.start]:02x})"
    return f"{path}: not UTF-8 text"


def _rows(path: Path, columns: Sequence[str]) -> Iterator[tuple[int, tuple[str, ...]]]:
    """(line number, the wanted fields, unstripped) for every non-blank row after the header."""
    try:
        handle = path.open(encoding="utf-8-sig", newline="")
    except FileNotFoundError:
        raise AggregateInputError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise AggregateInputError(f"{path}: is a directory, not a CSV file") from None
    except OSError as exc:
        raise AggregateInputError(f"{path}: cannot open: {exc.strerror}") from None
    with handle:
        reader = csv.reader(handle, strict=True)
        try:
            header = next(reader, None)
            while header is not None and not "".join(header).strip():
                header = next(reader, None)  # leading blank lines
            if header is None:
                raise AggregateInputError(
                    f"{path}: the file is empty; expected a header {','.join(columns)}"
                )
            names = [field.strip().lower() for field in header]
            missing = [column for column in columns if column not in names]
            if missing:
                raise AggregateInputError(
                    f"{path}:{reader.line_num}: missing column {missing[0]!r} in the header "
                    f"(expected {','.join(columns)}, found {','.join(names) or 'nothing'})"
                )
            positions = [names.index(column) for column in columns]
            needed = max(positions) + 1
            for row in reader:
                if len(row) < needed:
                    if not "".join(row).strip():
                        continue  # a blank line
                    raise AggregateInputError(
                        f"{path}:{reader.line_num}: {len(row)} field(s), expected at least "
                        f"{needed} ({','.join(names[:needed])})"
                    )
                yield reader.line_num, tuple([row[i] for i in positions])
        except UnicodeDecodeError:
            raise AggregateInputError(f"{_bad_utf8(path)}; save the file as UTF-8") from None
        except csv.Error as exc:
            raise AggregateInputError(f"{path}:{reader.line_num}: bad CSV: {exc}") from None


def read_answers(path: Path, *, text: bool = False) -> list[TaskAnswer]:
    """The answers of a ``task,worker,label`` CSV file (empty labels allowed only for text)."""
    answers: list[TaskAnswer] = []
    append = answers.append
    for line, (task, worker, label) in _rows(path, ANSWER_COLUMNS):
        task, worker, label = task.strip(), worker.strip(), label.strip()
        if not task or not worker or not (label or text):
            column = "task" if not task else "worker" if not worker else "label"
            raise AggregateInputError(f"{path}:{line}: empty {column}")
        append(TaskAnswer(task, worker, label))
    if not answers:
        raise AggregateInputError(f"{path}: no answers after the header")
    return answers


def read_gold(path: Path) -> dict[str, str]:
    """Known labels from a ``task,label`` CSV file; a task given twice must agree with itself."""
    gold: dict[str, str] = {}
    for line, fields in _rows(path, GOLD_COLUMNS):
        task, label = (field.strip() for field in fields)
        if not task or not label:
            column = "task" if not task else "label"
            raise AggregateInputError(f"{path}:{line}: empty {column}")
        if gold.setdefault(task, label) != label:
            raise AggregateInputError(
                f"{path}:{line}: task {task!r} has two gold labels ({gold[task]!r} and {label!r})"
            )
    return gold


def write_result(path: Path, decisions: dict[str, Decision]) -> None:
    """Write ``task,label,confidence`` atomically (a temporary file renamed into place)."""
    directory = path.parent if str(path.parent) else Path(".")
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=directory)
    except OSError as exc:
        raise AggregateInputError(f"{path}: cannot write: {exc.strerror}") from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(("task", "label", "confidence"))
            for task, decision in decisions.items():
                label = decision.label
                shown = label if isinstance(label, str) else ";".join(sorted(label))
                writer.writerow((task, shown, f"{decision.confidence:.4f}"))
        os.replace(tmp, path)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise AggregateInputError(f"{path}: cannot write: {exc.strerror}") from None
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_stdout(decisions: dict[str, Decision]) -> None:
    """Write ``task,label,confidence`` to standard output."""
    writer = csv.writer(sys.stdout, lineterminator="\n")
    writer.writerow(("task", "label", "confidence"))
    for task, decision in decisions.items():
        label = decision.label
        shown = label if isinstance(label, str) else ";".join(sorted(label))
        writer.writerow((task, shown, f"{decision.confidence:.4f}"))
    sys.stdout.flush()


def _check_crowd(path: Path, answers: list[TaskAnswer]) -> None:
    """One answer or one worker is not a crowd: nothing to aggregate or weigh."""
    if len(answers) == 1:
        raise AggregateInputError(
            f"{path}: only one answer; aggregation needs answers from at least two workers"
        )
    first = answers[0].worker
    if all(a.worker == first for a in answers):
        raise AggregateInputError(
            f"{path}: every answer is from one worker ({first!r}); aggregation needs at least "
            "two workers"
        )


def _check_categories(path: Path, answers: list[TaskAnswer]) -> None:
    """Refuse free text given to a categorical method: labels that are mostly one task's own.

    A category is a label shared by many tasks; transcriptions are nearly all different. When
    there are more than ``FREE_TEXT_LABELS`` distinct labels and on average a label occurs on
    fewer than two tasks, the file is free text (a categorical fit would be tasks x labels).
    """
    tasks_of: dict[str, set[str]] = {}
    for a in answers:
        tasks_of.setdefault(a.label, set()).add(a.task)
    labels = len(tasks_of)
    if labels <= FREE_TEXT_LABELS:
        return
    spread = sum(len(tasks) for tasks in tasks_of.values()) / labels
    if spread < 2.0:
        n_tasks = len({a.task for a in answers})
        raise AggregateInputError(
            f"{path}: {labels:,} distinct labels over {n_tasks:,} tasks (most on one task "
            "only) look like free text, not categories: add --text"
        )


def _check_gold(path: Path, gold: dict[str, str], answers: list[TaskAnswer]) -> None:
    tasks = {a.task for a in answers}
    known = sum(1 for task in gold if task in tasks)
    if gold and not known:
        sample = next(iter(gold))
        raise AggregateInputError(
            f"{path}: none of its {len(gold):,} tasks (e.g. {sample!r}) is in the answers; "
            "check that both files use the same task ids"
        )
    if known < len(gold):
        print(
            f"gigbot: {path}: {len(gold) - known:,} of {len(gold):,} gold tasks are not in the "
            "answers and are ignored",
            file=sys.stderr,
        )


def _aggregate(args: argparse.Namespace) -> tuple[dict[str, Decision], int, str]:
    method: str = args.method
    if args.text and method not in TEXT_METHOD_NAMES:
        raise AggregateInputError(
            f"--method {method} is for categories; with --text use "
            f"{', '.join(TEXT_METHOD_NAMES)}"
        )
    if not args.text and method not in METHOD_NAMES:
        raise AggregateInputError(f"--method {method} combines free text: add --text")
    path = Path(args.answers)
    answers = read_answers(path, text=args.text)
    _check_crowd(path, answers)
    gold = read_gold(Path(args.gold)) if args.gold else {}
    _check_gold(Path(args.gold or ""), gold, answers)
    if args.text:
        aggregator = text_aggregator(method)
        combined = aggregator.fit(answers, gold=gold).decisions()
        decisions = {
            t: Decision(label=d.text, confidence=d.confidence) for t, d in combined.items()
        }
        name = TEXT_AUTO if method == AUTO else method
        return decisions, len(answers), f"text, {name}"
    _check_categories(path, answers)
    fitted = label_aggregator(method).fit(answers, gold=gold)
    if isinstance(fitted, AutoAggregator):
        method = f"auto: {fitted.chosen_}"
    return fitted.decisions(), len(answers), method


async def aggregate_command(args: argparse.Namespace, settings: Settings) -> int:
    """Run ``labels aggregate``; 0 when the result is written, 2 on bad input."""
    del settings  # the command needs no configuration
    to_stdout = args.out in (None, "-")
    try:
        decisions, count, method = _aggregate(args)
        if to_stdout:
            write_stdout(decisions)
        else:
            write_result(Path(args.out), decisions)
    except (AggregateInputError, MemoryBudgetError) as exc:
        print(f"gigbot: {exc}", file=sys.stderr)
        return 2
    where = "standard output" if to_stdout else args.out
    print(
        f"{len(decisions)} tasks from {count} answers ({method}) written to {where}",
        file=sys.stderr if to_stdout else sys.stdout,
    )
    return 0
