"""What a newcomer meets first: help that names the environment, honest import lines, a licence."""

from __future__ import annotations

import io
import re
import tomllib
from pathlib import Path

import pytest

from gigbot.catalog.specs import ImportRejected
from gigbot.cli import build_parser
from gigbot.cli.projects import ProgressBar, rejected_line
from gigbot.config import load_settings
from gigbot.errors import ImportFileError

ROOT = Path(__file__).resolve().parents[3]


def test_run_help_lists_every_variable_the_settings_read(
        capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        build_parser().parse_args(["run", "--help"])
    shown = set(re.findall(r"GIGBOT_[A-Z_]+", capsys.readouterr().out))
    read = set(re.findall(r'"(GIGBOT_[A-Z_]+)"', (ROOT / "gigbot/config.py").read_text()))
    assert read and read <= shown


@pytest.mark.parametrize(("total", "shown", "line"), [
    (1, 1, "nothing was imported: 1 error"),
    (2, 2, "nothing was imported: 2 errors"),
    (30, 20, "nothing was imported: 30 errors (the first 20 are listed)"),
])
def test_the_refusal_counts_its_errors_in_words(total: int, shown: int, line: str) -> None:
    errors = [ImportFileError("items.jsonl", n, "gold", "bad") for n in range(shown)]
    exc = ImportRejected(errors, total=total) if total != shown else ImportRejected(errors)
    assert rejected_line(exc) == line


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_bar_on_a_terminal_and_nothing_elsewhere() -> None:
    tty = Terminal()
    bar = ProgressBar("importing big", tty)
    bar(1000, 4000)
    bar(4000, 4000)
    bar.close()
    assert tty.getvalue().split("\r")[1:3] == [
        "importing big [#######.......................] 25% 1000/4000",
        "importing big [##############################] 100% 4000/4000"]
    assert tty.getvalue().endswith("\r")
    pipe = io.StringIO()
    quiet = ProgressBar("importing big", pipe)
    quiet(1, 2)
    quiet.close()
    assert pipe.getvalue() == ""


def test_the_emulator_docs_show_a_token_the_bot_takes() -> None:
    docs = (ROOT / "docs/emulator.md").read_text(encoding="utf-8")
    tokens = re.findall(r'token\("([^"]+)"\)|GIGBOT_TOKEN=(\S+)', docs)
    found = [a or b for a, b in tokens]
    assert found
    for token in found:
        assert load_settings({"GIGBOT_TOKEN": token}, dotenv=None).token == token


def test_the_licence_file_is_the_one_pyproject_names() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert project["license"] == {"text": "MIT"}
    assert (ROOT / "LICENSE").read_text().startswith("MIT License")
