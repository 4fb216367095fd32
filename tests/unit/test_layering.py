"""The layers of DESIGN §2 hold: handlers and jobs never touch the ORM; services never Telegram.

Also: no import cycle among gigbot's modules or packages, no private name taken from another
module, and the handler routers registered in one explicit list.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import gigbot

PACKAGE = Path(gigbot.__file__).parent
ROOT = PACKAGE.parent
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


# ---- import cycles ------------------------------------------------------------------------------

Graph = dict[str, set[str]]


def module_names(package: Path) -> dict[str, Path]:
    """Every module of the package in folder ``package``, by dotted name (packages too)."""
    names: dict[str, Path] = {}
    for path in sorted(package.rglob("*.py")):
        parts = path.relative_to(package.parent).with_suffix("").parts
        names[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return names


def _known(name: str, modules: dict[str, Path]) -> str | None:
    """The longest prefix of ``name`` that is one of ``modules`` (None for other packages)."""
    while name and name not in modules:
        name = name.rpartition(".")[0]
    return name or None


def module_imports(name: str, path: Path, modules: dict[str, Path]) -> set[str]:
    """The ``modules`` that module ``name`` imports at any depth, relative imports resolved.

    Imports in functions and under ``if TYPE_CHECKING:`` count. ``from m import n`` depends on
    ``m.n`` when that is a module, else on ``m``.
    """
    found: set[str | None] = set()
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(_known(alias.name, modules) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                here = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
                here = here[: len(here) - node.level + 1]
                base = ".".join([*here, base] if base else here)
            for alias in node.names:
                full = f"{base}.{alias.name}"
                found.add(full if full in modules else _known(base, modules))
    return {target for target in found if target is not None and target != name}


def import_graph(package: Path) -> Graph:
    """Module → the modules of the same package it imports."""
    modules = module_names(package)
    return {name: module_imports(name, path, modules) for name, path in modules.items()}


def package_graph(graph: Graph) -> Graph:
    """The graph between units ``gigbot.<first component>``: a subpackage, or a top module."""

    def unit(name: str) -> str:
        return ".".join(name.split(".")[:2])

    units: Graph = {unit(name): set() for name in graph}
    for name, targets in graph.items():
        units[unit(name)].update(unit(t) for t in targets if unit(t) != unit(name))
    return units


def find_cycle(graph: Graph) -> list[str] | None:
    """One cycle of ``graph`` as ``[a, b, ..., a]``, or None when it has none."""
    done: set[str] = set()
    path: list[str] = []
    on_path: set[str] = set()

    def visit(node: str) -> list[str] | None:
        path.append(node)
        on_path.add(node)
        for target in sorted(graph.get(node, ())):
            if target in on_path:
                return [*path[path.index(target):], target]
            if target not in done:
                cycle = visit(target)
                if cycle is not None:
                    return cycle
        path.pop()
        on_path.discard(node)
        done.add(node)
        return None

    for start in sorted(graph):
        if start not in done:
            cycle = visit(start)
            if cycle is not None:
                return cycle
    return None


GRAPH = import_graph(PACKAGE)


def test_no_import_cycle_among_modules() -> None:
    cycle = find_cycle(GRAPH)
    assert cycle is None, "import cycle: " + " -> ".join(cycle or [])


def test_no_import_cycle_among_packages() -> None:
    cycle = find_cycle(package_graph(GRAPH))
    assert cycle is None, "package cycle: " + " -> ".join(cycle or [])


def test_the_graph_sees_every_kind_of_import() -> None:
    assert "gigbot.emulator.server" in GRAPH["gigbot.emulator"]  # relative, from __init__
    assert "gigbot.emulator.methods" in GRAPH["gigbot.emulator.server"]
    assert "gigbot.app" in GRAPH["gigbot.runner"]
    assert {"gigbot.app", "gigbot.web"} <= package_graph(GRAPH)["gigbot.runner"]


def test_the_cycle_finder_finds_a_cycle_through_a_function_level_import(tmp_path: Path) -> None:
    sample = tmp_path / "sample"
    sample.mkdir()
    (sample / "__init__.py").write_text("", encoding="utf-8")
    (sample / "a.py").write_text("from sample import b\n", encoding="utf-8")
    (sample / "b.py").write_text("def f():\n    from .a import g\n", encoding="utf-8")
    (sample / "c.py").write_text(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from sample.a import x\n",
        encoding="utf-8",
    )

    graph = import_graph(sample)

    assert graph == {
        "sample": set(), "sample.a": {"sample.b"}, "sample.b": {"sample.a"},
        "sample.c": {"sample.a"},
    }  # fmt: skip
    assert find_cycle(graph) == ["sample.a", "sample.b", "sample.a"]
    (sample / "b.py").write_text("def f():\n    return 1\n", encoding="utf-8")
    assert find_cycle(import_graph(sample)) is None


# ---- private names ------------------------------------------------------------------------------

CHECKED = sorted(
    path
    for folder in ("gigbot", "tests", "benchmarks")
    if (ROOT / folder).is_dir()
    for path in (ROOT / folder).rglob("*.py")
)
# Private by spelling only: the public API of named tuples and os._exit.
NOT_PRIVATE = frozenset({"_asdict", "_fields", "_make", "_replace", "_exit"})
# tortoise's model metadata (``Model._meta``): gigbot reads models through ``describe()``; only
# the schema test compares the models with the migrations through it.
META_READERS = frozenset({"tests/integration/db/test_models_migrations.py"})


def _private(name: str) -> bool:
    return name.startswith("_") and not name.endswith("__") and name not in NOT_PRIVATE


def private_names_taken(path: Path) -> list[str]:
    """``from m import _x``, and ``obj._x`` where ``_x`` is not an attribute of this module's.

    A module may use its own classes' private members on any instance of them (``other._x``);
    a private member that the module does not define belongs to another module.
    """
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    own: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            own.add(node.name)
        elif (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id in ("self", "cls")
        ):
            own.add(node.attr)
    own.update(
        t.id
        for c in ast.walk(tree) if isinstance(c, ast.ClassDef)
        for s in c.body if isinstance(s, (ast.Assign, ast.AnnAssign))
        for t in (s.targets if isinstance(s, ast.Assign) else [s.target])
        if isinstance(t, ast.Name)
    )  # fmt: skip
    taken: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            taken.extend(
                f"{node.lineno}: from {'.' * node.level}{node.module or ''} import {alias.name}"
                for alias in node.names
                if _private(alias.name)
            )
        elif (
            isinstance(node, ast.Attribute)
            and _private(node.attr)
            and node.attr not in own
            and not (isinstance(node.value, ast.Name) and node.value.id in ("self", "cls"))
        ):
            taken.append(f"{node.lineno}: {ast.unparse(node)}")
    return taken


def test_no_module_takes_a_private_name_from_another() -> None:
    offenders = {
        name: found
        for path in CHECKED
        if (name := path.relative_to(ROOT).as_posix())
        if (found := [taken for taken in private_names_taken(path)
                      if not (name in META_READERS and "._meta" in taken)])
    }
    assert offenders == {}


def test_the_private_name_check_finds_imports_and_foreign_members(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text(
        "from m import _x, y, __version__\nfrom . import _z\n"
        "class C:\n    def __init__(self):\n        self._a = 1\n"
        "    def same(self, other):\n        return other._a + self._b\n"
        "def f(emu, p):\n    emu._rate_check()\n    return self_._a, p._replace(a=1)\n",
        encoding="utf-8",
    )
    assert private_names_taken(sample) == [
        "1: from m import _x", "2: from . import _z", "9: emu._rate_check"
    ]


# ---- handlers -----------------------------------------------------------------------------------


def _routers() -> list[str]:
    init = PACKAGE / "handlers" / "__init__.py"
    for node in ast.parse(init.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.AnnAssign) and ast.unparse(node.target) == "ROUTERS":
            assert isinstance(node.value, ast.Tuple)
            return [ast.unparse(item) for item in node.value.elts]
    raise AssertionError("gigbot/handlers/__init__.py has no ROUTERS")


def test_every_handler_module_with_a_router_is_in_the_one_list_in_order() -> None:
    routers = _routers()
    defining = {
        path.stem
        for path in (PACKAGE / "handlers").glob("*.py")
        if any(
            isinstance(node, ast.FunctionDef) and node.name == "register"
            for node in ast.parse(path.read_text(encoding="utf-8")).body
        )
    }
    assert sorted(r.removesuffix(".register") for r in routers if r.endswith(".register")) == (
        sorted(defining)
    )
    assert routers[:4] == ["_drop_repeats", "_load_actor", "onboarding.register",
                           "settings.register"]
    assert routers[-2:] == ["fallback.register", "_error_handler"]
