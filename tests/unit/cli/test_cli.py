from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from gigbot.cli import build_parser, main

COMMANDS = [
    ["run"],
    ["db", "migrate"],
    ["project", "import"],
    ["project", "list"],
    ["project", "pause"],
    ["project", "resume"],
    ["project", "export"],
    ["quiz", "import"],
    ["labels", "aggregate"],
    ["admin", "add"],
    ["admin", "remove"],
    ["admin", "list"],
    ["payouts", "export"],
    ["summaries", "run"],
    ["playground"],
    ["bench"],
]


@pytest.mark.parametrize("words", COMMANDS, ids=" ".join)
def test_every_command_has_help(words: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stopped:
        build_parser().parse_args([*words, "--help"])
    assert stopped.value.code == 0
    assert "usage: gigbot" in capsys.readouterr().out


@pytest.mark.parametrize("words", [["summaries", "run"]], ids=" ".join)
def test_later_commands_say_so_and_exit_2(
    words: list[str],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(words) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "not available in this version yet" in err


def test_python_dash_m_gigbot_help() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "gigbot", "--help"], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0
    assert "labels" in done.stdout


def test_bad_variable_is_one_line_exit_2(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("GIGBOT_TZ", "Nowhere/Land")
    assert main(["db", "migrate"]) == 2
    err = capsys.readouterr().err
    assert err.strip().count("\n") == 0
    assert "GIGBOT_TZ" in err


def test_db_migrate_twice(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("GIGBOT_DATA_DIR", str(tmp_path / "data"))
    assert main(["db", "migrate"]) == 0
    assert main(["db", "migrate"]) == 0
    assert (tmp_path / "data" / "gigbot.sqlite3").is_file()
    assert "up to date" in capsys.readouterr().out
