"""``gigbot project import|list|pause|resume|export`` and ``gigbot quiz import``: thin wrappers.

Each opens the database (migrating it), calls one service, prints in English from the locales
and closes the database. Bad input (a rejected file, an unknown slug) prints one line per error
on stderr and exits 2.
"""

from __future__ import annotations

import argparse
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


def _print_rejected(exc: ImportRejected) -> None:
    for error in exc.errors:
        print(f"gigbot: {error}", file=sys.stderr)
    print(t("en", "importer.rejected", errors=exc.total, shown=len(exc.errors)), file=sys.stderr)


async def _import(args: argparse.Namespace, settings: Settings, kind: str) -> int:
    run = import_project if kind == "project" else import_quiz

    async def work() -> ImportReport:
        return await run(Path(args.path), data_dir=settings.data_dir, clock=SYSTEM_CLOCK,
                         actor="cli")

    try:
        report = await _with_db(settings, work)
    except ImportRejected as exc:
        _print_rejected(exc)
        return 2
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
