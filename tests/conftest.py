"""Shared fixtures: a migrated database per test (SQLite in a temp dir; PostgreSQL when set)."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from gigbot.db import close_db, init_db

POSTGRES_URL = os.environ.get("GIGBOT_TEST_POSTGRES_URL")
SHARED = Path(__file__).resolve().parents[1].parent / "shared"


def _backends() -> list[str]:
    return ["sqlite", "postgres"] if POSTGRES_URL else ["sqlite"]


def _pg_url(name: str) -> str:
    return f"{str(POSTGRES_URL).rsplit('/', 1)[0]}/{name}"


async def fresh_postgres(template: str | None = None) -> tuple[str, str]:
    """A new database on the test server (empty, or a copy of ``template``); (url, name)."""
    import asyncpg

    name = f"gigbot_test_{uuid.uuid4().hex[:12]}"
    conn = await asyncpg.connect(POSTGRES_URL)
    try:
        clause = f' TEMPLATE "{template}"' if template else ""
        await conn.execute(f'CREATE DATABASE "{name}"{clause}')
    finally:
        await conn.close()
    return _pg_url(name), name


_TEMPLATE: list[str] = []


def migrated_template() -> str:
    """A migrated PostgreSQL database made once per test run; tests get copies of it.

    Copying a template is much faster than migrating every test's database. The migration runs
    in a child process (``gigbot db migrate``) so no event loop or ORM state is shared.
    """
    if not _TEMPLATE:
        import asyncio

        name = f"gigbot_tmpl_{uuid.uuid4().hex[:12]}"

        async def create() -> None:
            import asyncpg

            conn = await asyncpg.connect(POSTGRES_URL)
            try:
                await conn.execute(f'CREATE DATABASE "{name}"')
            finally:
                await conn.close()

        import threading

        thread = threading.Thread(target=lambda: asyncio.run(create()))
        thread.start()
        thread.join()
        env = {**os.environ, "GIGBOT_DB_URL": _pg_url(name)}
        subprocess.run(
            [sys.executable, "-m", "gigbot", "db", "migrate"],
            check=True, env=env, capture_output=True, timeout=120,
        )
        _TEMPLATE.append(name)
    return _TEMPLATE[0]


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Drop the template database made for this run."""
    if _TEMPLATE:
        import asyncio

        asyncio.run(drop_postgres(_TEMPLATE[0]))


async def drop_postgres(name: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(POSTGRES_URL)
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file made once per run (by ``gigbot db migrate`` in a child process)."""
    folder = tmp_path_factory.mktemp("sqlite-template")
    env = {**os.environ, "GIGBOT_DB_URL": f"sqlite://{folder / 'gigbot.sqlite3'}"}
    subprocess.run(
        [sys.executable, "-m", "gigbot", "db", "migrate"],
        check=True, env=env, capture_output=True, timeout=120, cwd=folder,
    )
    return folder / "gigbot.sqlite3"


def _sqlite_copy(template: Path, folder: Path) -> str:
    """A private copy of the migrated template; its URL."""
    import shutil

    target = folder / "gigbot.sqlite3"
    shutil.copyfile(template, target)
    return f"sqlite://{target}"


@pytest.fixture
async def db_url(tmp_path: Path, sqlite_template: Path) -> AsyncIterator[str]:
    """A migrated, connected SQLite database in a temp dir (the default backend)."""
    url = _sqlite_copy(sqlite_template, tmp_path)
    await init_db(url)
    try:
        yield url
    finally:
        await close_db()


@pytest.fixture(params=_backends())
async def any_db(
    request: pytest.FixtureRequest, tmp_path: Path, sqlite_template: Path
) -> AsyncIterator[str]:
    """A migrated, connected database: SQLite, and PostgreSQL when its test URL is set."""
    if request.param == "sqlite":
        url = _sqlite_copy(sqlite_template, tmp_path)
        await init_db(url)
        try:
            yield "sqlite"
        finally:
            await close_db()
        return
    url, name = await fresh_postgres(template=migrated_template())
    await init_db(url)
    try:
        yield "postgres"
    finally:
        await close_db()
        await drop_postgres(name)


@pytest.fixture
async def pg_url() -> AsyncIterator[str]:
    """A fresh, empty PostgreSQL database URL (not connected); skipped without the server."""
    if not POSTGRES_URL:
        pytest.skip("GIGBOT_TEST_POSTGRES_URL is not set")
    url, name = await fresh_postgres()
    try:
        yield url
    finally:
        await close_db()
        await drop_postgres(name)


@pytest.fixture
def shared_datasets() -> Path:
    """The crowd-answer datasets beside the repository; skipped when they are absent."""
    path = SHARED / "datasets"
    if not path.is_dir():
        pytest.skip("../shared/datasets is not present")
    return path
