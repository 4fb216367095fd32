"""gigbot/scoring/ is pure: it imports no I/O (no Telegram, database, network or pandas)."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

import gigbot.scoring

SCORING = Path(gigbot.scoring.__file__).parent
ALLOWED_THIRD_PARTY = {"numpy", "rapidfuzz"}
FORBIDDEN_STDLIB = {
    "asyncio", "http", "socket", "sqlite3", "ssl", "subprocess", "urllib", "shutil", "tempfile",
}  # fmt: skip


def _imports(path: Path) -> list[str]:
    names: list[str] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            names.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative import: inside gigbot.scoring
                names.append("gigbot.scoring")
            elif node.module:
                names.append(node.module)
    return names


def _modules() -> list[Path]:
    found = sorted(SCORING.rglob("*.py"))
    assert found, "gigbot/scoring has no modules"
    return found


def _allowed(name: str) -> bool:
    top = name.split(".")[0]
    if top == "gigbot":
        return name == "gigbot.scoring" or name.startswith("gigbot.scoring.")
    if top in FORBIDDEN_STDLIB:
        return False
    return top in sys.stdlib_module_names or top in ALLOWED_THIRD_PARTY


@pytest.mark.parametrize("path", _modules(), ids=lambda p: p.name)
def test_scoring_module_imports_nothing_with_io(path: Path) -> None:
    bad = [name for name in _imports(path) if not _allowed(name)]
    assert bad == [], f"{path.name} imports {bad}"


def test_the_checker_catches_forbidden_imports(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text(
        "import tortoise\nfrom gigbot.db.models import Item\nfrom telegram import Bot\n"
        "import aiohttp.web\nimport pandas\nimport sqlite3\nfrom gigbot.db import init_db\n"
        "from gigbot.scoring.text import cer\nfrom . import types\nimport math\nimport numpy\n",
        encoding="utf-8",
    )
    names = _imports(sample)
    assert [n for n in names if not _allowed(n)] == [
        "tortoise", "gigbot.db.models", "telegram", "aiohttp.web", "pandas", "sqlite3",
        "gigbot.db",
    ]  # fmt: skip
