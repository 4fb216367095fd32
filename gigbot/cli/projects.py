"""``gigbot project import|list|pause|resume|export`` and ``gigbot quiz import``: thin wrappers.

Each opens the database (migrating it), calls one service, prints in English from the locales
and closes the database. Bad input (a rejected file, an unknown slug) prints one line per error
on stderr and exits 2.
"""

from __future__ import annotations

import argparse
import io
import sys
from collections.abc import Awaitable, Callable
from contextlib import ExitStack
from pathlib import Path
from typing import Any, TextIO, TypeVar

from gigbot.catalog.export import export_project
from gigbot.catalog.importer import ImportRejected, ImportReport, import_project, import_quiz
from gigbot.catalog.projects import (
    ProjectInfo,
    ProjectSummary,
    pause_project,
    project_summary,
    resume_project,
)
from gigbot.clock import SYSTEM_CLOCK
from gigbot.config import Settings
from gigbot.db import close_db, init_db
from gigbot.db.models import ProjectStatus
from gigbot.errors import UserError
from gigbot.i18n import t

__all__ = [
    "ProgressBar",
    "format_report",
    "format_table",
    "project_export",
    "project_import",
    "project_list",
    "project_pause",
    "project_resume",
    "quiz_import",
]

T = TypeVar("T")


async def _with_db(settings: Settings, work: Callable[[], Awaitable[T]]) -> T:
    await init_db(settings.db_url)
    try:
        return await work()
    finally:
        await close_db()


def format_report(report: ImportReport, lang: str = "en") -> list[str]:
    """The lines that tell an operator or admin what an import did."""
    params: dict[str, Any] = {"slug": report.slug, "items": report.items, "new": report.new,
              "updated": report.updated, "control": report.control, "kept": report.kept,
              "training": report.training, "exam": report.exam, "media": report.media}
    lines = [t(lang, f"importer.{report.kind}_done", **params)]
    if report.kept:
        lines.append(t(lang, f"importer.{report.kind}_kept", **params))
    return lines


class ProgressBar:
    """A progress line redrawn in place on a terminal's stderr; silent when that is no terminal.

    ``bar(done, total)`` draws ``label [#####.....] 45% 900/2000``; with ``total`` 0 (unknown)
    just the count. ``close()`` wipes the line, so the result printed next stands alone.
    """

    WIDTH = 30

    def __init__(self, label: str, stream: TextIO | None = None) -> None:
        self.label = label
        self.stream = stream if stream is not None else sys.stderr
        self.active = self.stream.isatty()
        self._drawn = 0

    def __call__(self, done: int, total: int = 0) -> None:
        if not self.active:
            return
        if total > 0:
            filled = self.WIDTH * min(done, total) // total
            line = (f"{self.label} [{'#' * filled}{'.' * (self.WIDTH - filled)}] "
                    f"{100 * min(done, total) // total}% {done}/{total}")
        else:
            line = f"{self.label}: {done}"
        self.stream.write("\r" + line.ljust(self._drawn))
        self.stream.flush()
        self._drawn = len(line)

    def close(self) -> None:
        """Wipe the bar's line (nothing when none was drawn)."""
        if self.active and self._drawn:
            self.stream.write("\r" + " " * self._drawn + "\r")
            self.stream.flush()
            self._drawn = 0


class _CountingWriter(io.TextIOBase):
    """Passes text on to ``out`` and reports the lines written (export progress)."""

    def __init__(self, out: TextIO, bar: ProgressBar, every: int = 1000) -> None:
        self.out, self.bar, self.every, self.lines = out, bar, every, 0

    def write(self, text: str) -> int:
        before = self.lines
        self.lines += text.count("\n")
        if self.lines // self.every != before // self.every:
            self.bar(self.lines)
        return self.out.write(text)

    def flush(self) -> None:
        self.out.flush()


def rejected_line(exc: ImportRejected, lang: str = "en") -> str:
    """The last line of a refused import: how many errors, and how many of them were listed."""
    shown = len(exc.errors)
    if shown < exc.total:
        return t(lang, "importer.refused_first", count=exc.total, shown=shown)
    return t(lang, "importer.refused", count=exc.total)


def _print_rejected(exc: ImportRejected) -> None:
    for error in exc.errors:
        print(f"gigbot: {error}", file=sys.stderr)
    print(rejected_line(exc), file=sys.stderr)


async def _import(args: argparse.Namespace, settings: Settings, kind: str) -> int:
    run = import_project if kind == "project" else import_quiz
    bar = ProgressBar(f"importing {Path(args.path).name}")

    async def work() -> ImportReport:
        return await run(Path(args.path), data_dir=settings.data_dir, clock=SYSTEM_CLOCK,
                         actor="cli", progress=bar)

    try:
        report = await _with_db(settings, work)
    except ImportRejected as exc:
        bar.close()
        _print_rejected(exc)
        return 2
    finally:
        bar.close()
    for line in format_report(report):
        print(line)
    return 0


async def project_import(args: argparse.Namespace, settings: Settings) -> int:
    """``gigbot project import PATH``."""
    return await _import(args, settings, "project")


async def quiz_import(args: argparse.Namespace, settings: Settings) -> int:
    """``gigbot quiz import PATH``."""
    return await _import(args, settings, "quiz")


_COLUMNS = ("slug", "kind", "status", "items", "complete", "control", "answers", "qualification")


def format_table(rows: list[ProjectSummary]) -> str:
    """The project list as an aligned plain-text table."""
    cells = [list(_COLUMNS)] + [
        [r.slug, r.kind, r.status.value, str(r.items), str(r.complete), str(r.control),
         str(r.answers), r.qualification or "-"]
        for r in rows
    ]
    numeric = {3, 4, 5, 6}
    widths = [max(len(row[i]) for row in cells) for i in range(len(_COLUMNS))]
    lines = []
    for row in cells:
        parts = [c.rjust(w) if i in numeric else c.ljust(w)
                 for i, (c, w) in enumerate(zip(row, widths, strict=True))]
        lines.append("  ".join(parts).rstrip())
    return "\n".join(lines)


async def project_list(_args: argparse.Namespace, settings: Settings) -> int:
    """``gigbot project list``."""
    rows = await _with_db(settings, project_summary)
    print(format_table(rows) if rows else t("en", "projects.none"))
    return 0


async def _set_status(args: argparse.Namespace, settings: Settings, status: ProjectStatus) -> int:
    change = pause_project if status is ProjectStatus.PAUSED else resume_project

    async def work() -> ProjectInfo:
        return await change(args.slug, clock=SYSTEM_CLOCK, actor="cli")

    try:
        info = await _with_db(settings, work)
    except UserError as exc:
        print(f"gigbot: {t('en', exc.key, **exc.params)}", file=sys.stderr)
        return 2
    print(t("en", f"projects.{info.status.value}", slug=info.slug))
    return 0


async def project_pause(args: argparse.Namespace, settings: Settings) -> int:
    """``gigbot project pause SLUG``."""
    return await _set_status(args, settings, ProjectStatus.PAUSED)


async def project_resume(args: argparse.Namespace, settings: Settings) -> int:
    """``gigbot project resume SLUG``."""
    return await _set_status(args, settings, ProjectStatus.ACTIVE)


PERSONAL_DATA_WARNING = (
    "gigbot: warning: this export holds personal data (Telegram user ids); "
    "store and share it accordingly"
)


async def project_export(args: argparse.Namespace, settings: Settings) -> int:
    """``gigbot project export``: 0 done, 2 unknown project."""
    await init_db(settings.db_url)
    try:
        with ExitStack() as stack:
            out: TextIO = sys.stdout
            if args.out:
                out = stack.enter_context(open(args.out, "w", encoding="utf-8", newline=""))
            bar = ProgressBar(f"exporting {args.slug}")
            if bar.active and (args.out or not sys.stdout.isatty()):  # not into the bar's line
                out = _CountingWriter(out, bar)  # type: ignore[assignment]
            stack.callback(bar.close)
            count = await export_project(args.slug, out, answers=args.answers,
                                         with_ids=args.with_ids, method=args.method,
                                         fmt=args.format)
        if count is None:
            print(f"gigbot: there is no project {args.slug}", file=sys.stderr)
            return 2
        if args.with_ids and args.answers:
            print(PERSONAL_DATA_WARNING, file=sys.stderr)
        if args.out:
            what = "answers" if args.answers else "items"
            print(f"exported {count} {what} of {args.slug} to {args.out}", file=sys.stderr)
        return 0
    finally:
        await close_db()
