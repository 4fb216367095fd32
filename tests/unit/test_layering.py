"""The layers of DESIGN §2 hold: handlers and jobs never touch the ORM; services never Telegram."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import gigbot

PACKAGE = Path(gigbot.__file__).parent
# Modules that render and talk to Telegram: no ORM, no database set-up.
THIN = sorted(
    [*(PACKAGE / "handlers").rglob("*.py"), *[p for p in [PACKAGE / "jobs.py"] if p.exists()]]
)
NO_ORM = ("tortoise", "gigbot.db.models", "gigbot.db")
# Service packages: plain data in and out; Telegram stays in handlers, jobs and the web layer.
SERVICES = sorted(
    path
    for package in (
        "members", "qualification", "catalog", "quality", "tasks", "payouts", "scoring"
    )
    for path in (PACKAGE / package).rglob("*.py")
)
NO_TELEGRAM = ("telegram", "aiohttp")


def imports(path: Path) -> list[str]:
    """Every module a file imports, at any depth (function-level imports too)."""
    names: list[str] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            names.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.append(node.module)
            names.extend(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def forbidden(path: Path, prefixes: tuple[str, ...]) -> list[str]:
    """The imports of ``path`` that start with one of ``prefixes``."""
    return sorted(
        {n for n in imports(path) for p in prefixes if n == p or n.startswith(f"{p}.")}
    )


@pytest.mark.parametrize("path", THIN, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_handlers_and_jobs_do_not_import_the_orm(path: Path) -> None:
    assert forbidden(path, NO_ORM) == []


@pytest.mark.parametrize("path", SERVICES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_services_do_not_import_telegram(path: Path) -> None:
    assert forbidden(path, NO_TELEGRAM) == []


def test_the_handler_modules_are_checked() -> None:
    names = {p.name for p in THIN}
    assert {"common.py", "onboarding.py", "settings.py", "views.py"} <= names


def test_the_checker_finds_direct_and_nested_imports(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text(
        "from gigbot.db import models\nimport tortoise.transactions\n"
        "def f():\n    from gigbot.db import init_db\n    import telegram\n"
        "from gigbot.dbx import x\nfrom . import views\n",
        encoding="utf-8",
    )
    assert forbidden(sample, NO_ORM) == [
        "gigbot.db", "gigbot.db.init_db", "gigbot.db.models", "tortoise.transactions"
    ]
    assert forbidden(sample, NO_TELEGRAM) == ["telegram"]
