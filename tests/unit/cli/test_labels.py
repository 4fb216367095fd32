"""``gigbot labels aggregate`` end to end on temporary CSV files: good input and each bad kind."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest

from gigbot.cli import main


def _write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def _run(*argv: str) -> int:
    return main(["labels", "aggregate", *argv])


def _result(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.reader(handle))


ANSWERS = """task,worker,label
t2,w1,b
t2,w2,a
t1,w1,x
t1,w2,x
t1,w3,y
"""


def test_majority_vote_writes_tasks_in_order(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    answers = _write(tmp_path / "answers.csv", ANSWERS)
    out = tmp_path / "result.csv"
    assert _run(str(answers), "--method", "mv", "--out", str(out)) == 0
    assert _result(out) == [
        ["task", "label", "confidence"],
        ["t2", "a", "0.5000"],
        ["t1", "x", "0.6667"],
    ]
    assert "2 tasks from 5 answers (mv)" in capsys.readouterr().out


def test_bom_extra_columns_whitespace_and_blank_lines(tmp_path: Path) -> None:
    text = (
        "\ufeffid, Label ,Task,worker,comment\r\n"
        "1, pos ,  t1 ,w1,x\r\n\r\n2,pos,t1,w2,\r\n3,neg,t2,w1,y,extra\r\n"
    )
    answers = _write(tmp_path / "answers.csv", text)
    out = tmp_path / "result.csv"
    assert _run(str(answers), "--method", "mv", "--out", str(out)) == 0
    assert [row[:2] for row in _result(out)] == [["task", "label"], ["t1", "pos"], ["t2", "neg"]]


def test_korean_labels_round_trip(tmp_path: Path) -> None:
    answers = _write(
        tmp_path / "a.csv", "task,worker,label\n항목1,w1,긍정\n항목1,w2,긍정\n항목1,w3,부정\n"
    )
    out = tmp_path / "r.csv"
    assert _run(str(answers), "--method", "ds", "--out", str(out)) == 0
    assert _result(out)[1][:2] == ["항목1", "긍정"]


def _synthetic(tmp_path: Path) -> tuple[Path, Path, dict[str, str]]:
    """Three good workers, two adversaries who flip every label, and a gold file."""
    rng = np.random.default_rng(3)
    truth = {f"t{i}": str(rng.integers(2)) for i in range(120)}
    lines = ["task,worker,label"]
    for task, label in truth.items():
        for worker, accuracy in (
            ("g1", 0.8),
            ("g2", 0.75),
            ("g3", 0.7),
            ("bad1", 0.0),
            ("bad2", 0.1),
        ):
            given = label if rng.random() < accuracy else str(1 - int(label))
            lines.append(f"{task},{worker},{given}")
    answers = _write(tmp_path / "answers.csv", "\n".join(lines) + "\n")
    gold_rows = ["task,label"] + [f"{t},{truth[t]}" for t in list(truth)[:24]]
    gold = _write(tmp_path / "gold.csv", "\n".join(gold_rows) + "\n")
    return answers, gold, truth


@pytest.mark.parametrize("method", ["mv", "wmv", "ds"])
def test_each_method_end_to_end(tmp_path: Path, method: str) -> None:
    answers, gold, truth = _synthetic(tmp_path)
    out = tmp_path / "result.csv"
    assert _run(str(answers), "--method", method, "--gold", str(gold), "--out", str(out)) == 0
    rows = _result(out)[1:]
    assert [r[0] for r in rows] == list(truth)
    accuracy = np.mean([label == truth[task] for task, label, _ in rows])
    assert all(0.0 <= float(c) <= 1.0 for *_, c in rows)
    if method == "mv":
        assert accuracy < 0.85  # the two adversaries drag the vote down
    else:
        assert accuracy > 0.9


@pytest.mark.parametrize("with_gold", [True, False])
def test_auto_names_its_choice_and_matches_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], with_gold: bool
) -> None:
    answers, gold, truth = _synthetic(tmp_path)
    gold_args = ("--gold", str(gold)) if with_gold else ()
    auto, named = tmp_path / "auto.csv", tmp_path / "named.csv"
    assert _run(str(answers), *gold_args, "--out", str(auto)) == 0  # auto is the default
    said = capsys.readouterr().out
    chosen = said.split("(auto: ")[1].split(")")[0]
    assert chosen in ("mv", "wmv", "ocds", "ds", "glad", "mace")
    assert _run(str(answers), "--method", chosen, *gold_args, "--out", str(named)) == 0
    assert _result(auto) == _result(named)
    accuracy = np.mean([label == truth[task] for task, label, _ in _result(auto)[1:]])
    assert accuracy > 0.9


def test_ds_clamps_gold_tasks(tmp_path: Path) -> None:
    answers = _write(tmp_path / "a.csv", "task,worker,label\nt1,w1,a\nt1,w2,a\nt2,w1,b\n")
    gold = _write(tmp_path / "g.csv", "task,label\nt1,c\n")
    out = tmp_path / "r.csv"
    assert _run(str(answers), "--method", "ds", "--gold", str(gold), "--out", str(out)) == 0
    assert _result(out)[1] == ["t1", "c", "1.0000"]


def test_text_answers_are_combined(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    answers = _write(
        tmp_path / "a.csv",
        'task,worker,label\nclip1,w1,"Hello, world"\nclip1,w2,hello world\nclip1,w3,hello word\n'
        "clip2,w1,\n",
    )
    out = tmp_path / "r.csv"
    assert _run(str(answers), "--text", "--out", str(out)) == 0
    rows = _result(out)
    assert rows[1][:2] == ["clip1", "hello world"]
    assert rows[2][:2] == ["clip2", ""]
    assert "(text, wrover)" in capsys.readouterr().out


def _fails(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    assert _run(*argv) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1, err
    assert err.startswith("gigbot: ")
    return err


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("", "answers.csv: the file is empty"),
        ("\n\n", "answers.csv: the file is empty"),
        ("task,label\nt1,a\n", "answers.csv:1: missing column 'worker'"),
        ("task,worker,label\n", "answers.csv: no answers after the header"),
        ("task,worker,label\nt1,w1,a\nt1,w2\n", "answers.csv:3: 2 field(s), expected at least 3"),
        ("task,worker,label\nt1,,a\n", "answers.csv:2: empty worker"),
        ("task,worker,label\nt1,w1,\n", "answers.csv:2: empty label"),
        ('task,worker,label\nt1,w1,"a\n', "answers.csv:2: bad CSV: unexpected end of data"),
    ],
)
def test_bad_answer_files(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str, expected: str
) -> None:
    answers = _write(tmp_path / "answers.csv", content)
    err = _fails(capsys, str(answers), "--method", "mv", "--out", str(tmp_path / "r.csv"))
    assert expected in err
    assert not (tmp_path / "r.csv").exists()


def test_wrong_encoding_names_the_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    answers = _write(tmp_path / "answers.csv", "task,worker,label\nt1,w1,café\n", "latin-1")
    err = _fails(capsys, str(answers), "--out", str(tmp_path / "r.csv"))
    assert "answers.csv:2: not UTF-8 text (byte 0xe9" in err


def test_missing_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    err = _fails(capsys, str(tmp_path / "nope.csv"), "--out", str(tmp_path / "r.csv"))
    assert "nope.csv: no such file" in err


def test_bad_gold_files(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    answers = _write(tmp_path / "answers.csv", ANSWERS)
    out = str(tmp_path / "r.csv")
    conflicting = _write(tmp_path / "gold.csv", "task,label\nt1,x\nt1,y\n")
    err = _fails(capsys, str(answers), "--gold", str(conflicting), "--out", out)
    assert "gold.csv:3: task 't1' has two gold labels" in err
    no_label = _write(tmp_path / "gold2.csv", "task,answer\nt1,x\n")
    assert "gold2.csv:1: missing column 'label'" in _fails(
        capsys, str(answers), "--gold", str(no_label), "--out", out
    )
    err = _fails(capsys, str(answers), "--gold", str(tmp_path / "none.csv"), "--out", out)
    assert "none.csv: no such file" in err


def test_wmv_runs_without_gold(tmp_path: Path) -> None:
    answers, _, truth = _synthetic(tmp_path)
    out = tmp_path / "r.csv"
    assert _run(str(answers), "--method", "wmv", "--out", str(out)) == 0
    accuracy = np.mean([label == truth[task] for task, label, _ in _result(out)[1:]])
    assert accuracy > 0.9  # agreement with the majority finds the adversaries


def test_unwritable_output(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    answers = _write(tmp_path / "answers.csv", ANSWERS)
    err = _fails(capsys, str(answers), "--out", str(tmp_path / "missing-dir" / "r.csv"))
    assert "cannot write" in err
    assert not any(p.name.endswith(".tmp") for p in tmp_path.rglob("*"))


def test_gold_weights_text_workers(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    answers = _write(tmp_path / "a.csv", "task,worker,label\nc,w1,hi there\nc,w2,hi here\n")
    gold = _write(tmp_path / "g.csv", "task,label\nc,hi there\n")
    out = tmp_path / "r.csv"
    assert _run(str(answers), "--text", "--gold", str(gold), "--out", str(out)) == 0
    assert _result(out)[1][:2] == ["c", "hi there"]  # w1 matched the gold: w1 weighs more
    assert capsys.readouterr().err == ""


def test_free_text_without_text_flag(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rows = [f"c{t},w{i},words of clip {t} by {i}" for t in range(30) for i in range(3)]
    answers = _write(tmp_path / "a.csv", "task,worker,label\n" + "\n".join(rows) + "\n")
    for method in ("auto", "mv", "wmv", "ocds", "ds", "glad", "mace"):
        err = _fails(capsys, str(answers), "--method", method)
        assert "look like free text, not categories: add --text" in err


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (("--text", "--method", "ds"), "--method ds is for categories; with --text use auto"),
        (("--text", "--method", "mv"), "--method mv is for categories"),
        (("--method", "rover"), "--method rover combines free text: add --text"),
    ],
)
def test_methods_of_the_other_kind(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], argv: tuple[str, ...], expected: str
) -> None:
    answers = _write(tmp_path / "a.csv", ANSWERS)
    assert expected in _fails(capsys, str(answers), *argv)


def test_gold_on_none_of_the_tasks(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    answers = _write(tmp_path / "a.csv", ANSWERS)
    gold = _write(tmp_path / "g.csv", "task,label\nother1,x\nother2,y\n")
    err = _fails(capsys, str(answers), "--gold", str(gold))
    assert "g.csv: none of its 2 tasks (e.g. 'other1') is in the answers" in err


def test_gold_partly_outside_is_noted(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    answers = _write(tmp_path / "a.csv", ANSWERS)
    gold = _write(tmp_path / "g.csv", "task,label\nt1,x\nother,y\n")
    assert _run(str(answers), "--gold", str(gold), "--out", str(tmp_path / "r.csv")) == 0
    assert "1 of 2 gold tasks are not in the answers and are ignored" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("task,worker,label\nt1,w1,a\n", "only one answer; aggregation needs"),
        ("task,worker,label\nt1,w1,a\nt2,w1,b\n", "every answer is from one worker ('w1')"),
    ],
)
@pytest.mark.parametrize("text", [False, True])
def test_one_answer_or_one_worker(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str, expected: str, text: bool
) -> None:
    answers = _write(tmp_path / "a.csv", content)
    assert expected in _fails(capsys, str(answers), *(("--text",) if text else ()))


def test_stdout_by_default_and_with_dash(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    answers = _write(tmp_path / "a.csv", ANSWERS)
    for out in ((), ("--out", "-")):
        assert _run(str(answers), "--method", "mv", *out) == 0
        captured = capsys.readouterr()
        assert captured.out == "task,label,confidence\nt2,a,0.5000\nt1,x,0.6667\n"
        assert "2 tasks from 5 answers (mv) written to standard output" in captured.err


def test_round_trip_bom_extra_columns_korean_workers(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rng = np.random.default_rng(11)
    names = ["김민준", "이서연", "박지후", "최하은", "정도윤"]
    lines = ["\ufeffnote,Worker,TASK,label,seconds"]
    truth = {f"항목{i}": ("긍정", "부정")[int(rng.integers(2))] for i in range(40)}
    for task, label in truth.items():
        for name in names:
            other = "부정" if label == "긍정" else "긍정"
            given = label if rng.random() < 0.8 else other
            lines.append(f"x,{name},{task},{given},1.5")
    answers = _write(tmp_path / "a.csv", "\r\n".join(lines) + "\r\n")
    out = tmp_path / "r.csv"
    assert _run(str(answers), "--out", str(out)) == 0
    rows = _result(out)
    assert rows[0] == ["task", "label", "confidence"]
    assert [r[0] for r in rows[1:]] == list(truth)
    assert np.mean([label == truth[task] for task, label, _ in rows[1:]]) > 0.9
    assert "40 tasks from 200 answers (auto: " in capsys.readouterr().out


def test_help_shows_the_default_and_every_method(capsys: pytest.CaptureFixture[str]) -> None:
    from gigbot.cli import AGGREGATE_METHODS
    from gigbot.scoring.methods import DESCRIPTIONS

    assert AGGREGATE_METHODS == DESCRIPTIONS
    with pytest.raises(SystemExit):
        main(["labels", "aggregate", "--help"])
    shown = " ".join(capsys.readouterr().out.split())
    assert "default: auto" in shown
    for name, text in DESCRIPTIONS.items():
        assert f"{name} {' '.join(text.split())}" in shown
