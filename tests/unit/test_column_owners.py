"""Each column of ``item`` that serving and deciding change has one owner module (STYLE §3.3).

A static scan of gigbot/, kept simple (it knows the project's spellings, not Python's):

- SQL text: ``UPDATE item SET a = ..., b = ...`` in any string constant (implicit and ``+``
  concatenations and f-strings included; an f-string's fields count as ``{}``);
- ORM: ``Item.<...>.update(a=...)``, a call chain that starts at the name ``Item``;
- ``item.save(update_fields=[...])`` on a variable named ``item``;
- bulk writes: ``<writer>.update(rows, NAMES)`` with ``NAMES`` a module-level tuple of strings.

Creating rows (INSERT, ``create``, the importer's bulk insert) gives initial values and is not
a change. Other modules call the owner's function instead of writing the column.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

import gigbot

PACKAGE = Path(gigbot.__file__).parent
ROOT = PACKAGE.parent

TASKS, QUALITY = "gigbot/tasks/store.py", "gigbot/quality/store.py"
OWNERS = {
    # the item's serving counters: the task engine
    "taken": TASKS,
    "answers_count": TASKS,
    "reports": TASKS,
    "returned": TASKS,
    # the decision: quality
    "needed": QUALITY,
    "status": QUALITY,
    "label": QUALITY,
    "label_confidence": QUALITY,
    "completed_at": QUALITY,
}
# Changes not moved to their owner yet, and why. The list only shrinks: an entry whose change is
# gone fails the test too, so that it is taken out.
PENDING: dict[tuple[str, str], str] = {}

_UPDATE = re.compile(r'\bUPDATE\s+"?item"?\s+SET\s+(.*?)(?:\bWHERE\b|\bRETURNING\b|$)',
                     re.IGNORECASE | re.DOTALL)


def _top_level_parts(clause: str) -> Iterator[str]:
    """The comma-separated parts of a SET clause, commas inside parentheses kept."""
    depth, start = 0, 0
    for n, char in enumerate(clause):
        depth += {"(": 1, ")": -1}.get(char, 0)
        if char == "," and depth == 0:
            yield clause[start:n]
            start = n + 1
    yield clause[start:]


def sql_columns(text: str) -> list[str]:
    """The ``item`` columns that the UPDATE statements in ``text`` assign."""
    found: list[str] = []
    for clause in _UPDATE.findall(text):
        for part in _top_level_parts(clause):
            name = re.match(r'\s*"?(\w+)"?\s*=', part)
            if name:
                found.append(name.group(1))
    return found


def _text(node: ast.expr) -> str | None:
    """The string an expression spells, if it is a literal, f-string or ``+`` of them."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(str(v.value) if isinstance(v, ast.Constant) else "{}" for v in node.values)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left, right = _text(node.left), _text(node.right)
        return None if left is None or right is None else left + right
    return None


def _root(node: ast.expr) -> ast.expr:
    while isinstance(node, (ast.Call, ast.Attribute)):
        node = node.func if isinstance(node, ast.Call) else node.value
    return node


def _names(node: ast.expr) -> list[str]:
    if isinstance(node, (ast.List, ast.Tuple)):
        return [e.value for e in node.elts if isinstance(e, ast.Constant) and
                isinstance(e.value, str)]
    return []


def changed_columns(source: str) -> list[tuple[int, str]]:
    """(line, column) of every change of an ``item`` column that the scan recognises."""
    tree = ast.parse(source)
    tuples = {
        target.id: _names(node.value)
        for node in tree.body if isinstance(node, ast.Assign)
        for target in node.targets if isinstance(target, ast.Name)
    }  # fmt: skip
    found: list[tuple[int, str]] = []
    inner: set[int] = set()  # string parts of a larger concatenation are read with it
    for node in ast.walk(tree):
        if isinstance(node, ast.expr) and id(node) not in inner and (text := _text(node)):
            inner.update(id(child) for child in ast.walk(node) if child is not node)
            found.extend((node.lineno, column) for column in sql_columns(text))
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
            continue
        method, receiver = node.func.attr, node.func.value
        root = _root(receiver)
        if method == "update" and isinstance(root, ast.Name) and root.id == "Item":
            found.extend((node.lineno, kw.arg) for kw in node.keywords if kw.arg)
        elif method == "update" and len(node.args) == 2 and isinstance(node.args[1], ast.Name):
            found.extend((node.lineno, name) for name in tuples.get(node.args[1].id, []))
        elif method == "save" and isinstance(receiver, ast.Name) and receiver.id == "item":
            for kw in node.keywords:
                if kw.arg == "update_fields":
                    found.extend((node.lineno, name) for name in _names(kw.value))
    return found


def _changes() -> dict[tuple[str, str], list[int]]:
    """(column, module) → lines, for the owned columns changed anywhere in gigbot/."""
    changes: dict[tuple[str, str], list[int]] = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        module = path.relative_to(ROOT).as_posix()
        for line, column in changed_columns(path.read_text(encoding="utf-8")):
            if column in OWNERS:
                changes.setdefault((column, module), []).append(line)
    return changes


CHANGES = _changes()


def test_each_owned_column_is_changed_only_by_its_owner() -> None:
    strays = {
        f"{module}:{lines} changes item.{column} (owner: {OWNERS[column]})"
        for (column, module), lines in CHANGES.items()
        if module != OWNERS[column] and (column, module) not in PENDING
    }
    assert strays == set()


def test_every_pending_change_is_still_there() -> None:
    assert {key for key in PENDING if key not in CHANGES} == set()


def test_the_owners_change_their_columns() -> None:
    assert {column for column, module in CHANGES if module == OWNERS[column]} >= {
        "taken", "answers_count", "reports", "returned", "needed", "status"
    }


@pytest.mark.parametrize(("source", "expected"), [
    ('q = "UPDATE item SET taken = taken - 1, returned = ? WHERE id = ?"',
     [(1, "taken"), (1, "returned")]),
    ('q = ("UPDATE item SET taken = taken + 1, returned = (returned OR taken + 1 < needed) "\n'
     '     "WHERE id = ? AND status = ? AND taken < needed")', [(1, "taken"), (1, "returned")]),
    ('q = "UPDATE item SET needed = ?" + f" WHERE id = {x}"', [(1, "needed")]),
    ('q = "UPDATE lease SET status = ? WHERE id = ?"', []),
    ("await Item.filter(id=1, status=OPEN).update(status=PAUSED)", [(1, "status")]),
    ("await Lease.filter(id=1).update(status=DONE)", []),
    ("row.update(label=x)", []),
    ('item.needed = 3\nawait item.save(update_fields=["needed"])', [(2, "needed")]),
    ('FIELDS = ("text", "needed")\nawait writer.update(changes, FIELDS)',
     [(2, "text"), (2, "needed")]),
])
def test_the_scan_finds_sql_orm_and_bulk_changes(source: str,
                                                 expected: list[tuple[int, str]]) -> None:
    assert changed_columns(source) == expected
