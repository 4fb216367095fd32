"""gigbot bench: the machinery counts what it measures (no speed is asserted here)."""

from __future__ import annotations

from pathlib import Path

import pytest

from gigbot.cli import main
from gigbot.cli.bench import BenchRun, Load, check_line, markdown_table, run_echo, run_gigbot


async def test_every_tap_is_recorded_once_and_timed_once(tmp_path: Path) -> None:
    run = await run_gigbot(tmp_path, Load(workers=3, answers=3))  # the bot in its own process
    assert (run.bot, run.taps, run.recorded, len(run.latencies)) == ("gigbot", 9, 9, 9)
    assert run.in_time == 9
    assert run.correct
    assert all(latency > 0 for latency in run.latencies)
    assert run.peak_rss_mb > 0 and run.opening > 0
    assert "sessions opened in" in check_line(run) and check_line(run).endswith(": OK")


async def test_in_process_the_same_counts_hold(tmp_path: Path) -> None:
    run = await run_gigbot(tmp_path, Load(workers=2, answers=2, process=False))
    assert (run.taps, run.recorded, len(run.latencies), run.in_time) == (4, 4, 4, 4)


async def test_the_echo_floor_counts_its_edits() -> None:
    run = await run_echo(Load(workers=3, answers=3, process=False))
    assert (run.bot, run.taps, run.recorded, len(run.latencies)) == ("echo", 9, 9, 9)
    assert run.correct


def test_the_command_prints_and_appends_the_table(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "bench.md"
    out.write_text("# earlier\n", encoding="utf-8")
    code = main(["bench", "--workers", "2", "--answers", "2", "--echo", "--out", str(out)])
    printed = capsys.readouterr().out
    assert code == 0
    assert "| 2 | 0 | echo |" in printed
    assert "| 2 | 0 | gigbot |" in printed
    assert "gigbot, 2 workers: 4 taps, 4 answers recorded, 4 latencies" in printed
    written = out.read_text(encoding="utf-8")
    assert written.startswith("# earlier\n| workers | think s | bot |")
    assert written.count("\n") == 5  # the old line, header, rule, two runs


def test_markdown_table_gives_the_ratio_to_the_echo_floor() -> None:
    load = Load(workers=5, answers=1)
    echo = BenchRun("echo", load, 100, 1.0, (0.01,) * 100, 100, 100, 80.0)
    gigbot = BenchRun("gigbot", load, 100, 2.0, (0.02,) * 99 + (0.5,), 100, 100, 110.0)
    table = markdown_table([echo, gigbot])
    assert "| 5 | 0 | echo | 100 | 10 | 10 | 10 | 1.00 | 80 |" in table
    assert "| 5 | 0 | gigbot | 50 | 20 | 20 | 500 | 0.50 | 110 |" in table
