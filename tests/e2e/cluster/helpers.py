"""Several ``gigbot run`` processes on one PostgreSQL behind a round-robin webhook front."""

from __future__ import annotations

import asyncio
import sys
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp
import asyncpg  # type: ignore[import-untyped]

from gigbot.cluster import LEADER_KEY, pg_dsn
from gigbot.emulator import BotMessage, Emulator, SimUser
from gigbot.emulator.balancer import RoundRobin
from gigbot.i18n import t
from gigbot.web.ports import free_port
from tests.e2e.test_run_process import environ
from tests.helpers.harness import TOKEN

SECRET = "cluster-test-secret"
SLUG = "cluster-demo"
KEY = "-Pb_zmgzutohBuAgwvfurdF4ofojGm6JKTiEJVwjA_A="  # a Fernet key for tests only
TITLE = f"Title {SLUG}"

_LEADER = """SELECT a.application_name FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
    WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1
      AND l.classid::bigint = $1 AND l.objid::bigint = $2
      AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())"""


@dataclass
class Node:
    """One ``gigbot run`` process of the cluster."""

    port: int
    process: asyncio.subprocess.Process
    log: Path

    @property
    def pid(self) -> int:
        return self.process.pid


@dataclass
class Cluster:
    """The processes, their webhook front and the database they share."""

    db_url: str
    front: RoundRobin
    nodes: list[Node] = field(default_factory=list)

    async def leaders(self) -> list[int]:
        """OS pids of the processes holding the leader lock now (PostgreSQL's view)."""
        conn = await asyncpg.connect(pg_dsn(self.db_url))
        try:
            rows = await conn.fetch(_LEADER, LEADER_KEY >> 32, LEADER_KEY & 0xFFFFFFFF)
        finally:
            await conn.close()
        return [int(r["application_name"].split("pid=")[1]) for r in rows]

    async def leader(self, *, other_than: int | None = None, timeout: float = 30) -> int:
        """The one leader's pid, waiting up to ``timeout`` s for one (not ``other_than``)."""
        deadline = time.monotonic() + timeout
        while True:
            found = await self.leaders()
            assert len(found) <= 1, found
            if found and found[0] != other_than:
                return found[0]
            if time.monotonic() > deadline:
                raise TimeoutError(f"no leader other than {other_than} within {timeout} s")
            await asyncio.sleep(0.2)

    def node(self, pid: int) -> Node:
        return next(n for n in self.nodes if n.pid == pid)

    async def query(self, sql: str) -> list[asyncpg.Record]:
        conn = await asyncpg.connect(pg_dsn(self.db_url))
        try:
            return list(await conn.fetch(sql))
        finally:
            await conn.close()


async def _healthy(port: int, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    async with aiohttp.ClientSession() as session:
        while True:
            try:
                async with session.get(f"http://127.0.0.1:{port}/healthz") as reply:
                    if reply.status == 200:
                        return
            except aiohttp.ClientError:
                pass
            if time.monotonic() > deadline:
                raise TimeoutError(f"the process on port {port} did not come up")
            await asyncio.sleep(0.2)


@asynccontextmanager
async def cluster(tmp_path: Path, emulator: Emulator, db_url: str, size: int
                  ) -> AsyncIterator[Cluster]:
    """``size`` processes in webhook mode behind one round-robin URL; killed at the end."""
    ports = [free_port() for _ in range(size)]
    async with RoundRobin([f"http://127.0.0.1:{p}/telegram" for p in ports]) as front:
        group = Cluster(db_url, front)
        try:
            for n, port in enumerate(ports):
                log = tmp_path / f"bot{n}.log"
                env = environ(tmp_path, GIGBOT_TOKEN=TOKEN, GIGBOT_API_URL=emulator.url,
                              GIGBOT_DB_URL=db_url, GIGBOT_WEBHOOK_URL=front.url,
                              GIGBOT_WEBHOOK_SECRET=SECRET, GIGBOT_PORT=str(port),
                              GIGBOT_SECRET_KEY=KEY,
                              GIGBOT_LOG_LEVEL="INFO")
                with log.open("wb") as err:
                    process = await asyncio.create_subprocess_exec(
                        sys.executable, "-m", "gigbot", "run", cwd=tmp_path, env=env,
                        stdout=asyncio.subprocess.DEVNULL, stderr=err)
                group.nodes.append(Node(port, process, log))
            for node in group.nodes:
                await _healthy(node.port, 60)
            yield group
        finally:
            for node in group.nodes:
                if node.process.returncode is None:
                    node.process.kill()
                    await node.process.wait()


async def import_project(tmp_path: Path, db_url: str, folder: Path) -> None:
    """``gigbot project import`` as the operator would run it."""
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "gigbot", "project", "import", str(folder), cwd=tmp_path,
        env=environ(tmp_path, GIGBOT_DB_URL=db_url,
                    GIGBOT_SECRET_KEY=KEY),
        stdout=asyncio.subprocess.DEVNULL)
    assert await process.wait() == 0


async def first_item(worker: SimUser) -> BotMessage:
    """Sign up (language, terms, time zone), /tasks, open the project: the first item."""
    await worker.command("/start")
    picker = await worker.expect(t("en", "onboarding.choose_language").split("\n")[0], timeout=60)
    await worker.press(picker, "English", timeout=30)
    terms = await worker.expect(t("en", "onboarding.terms").split("\n")[0], timeout=30)
    await worker.press(terms, t("en", "onboarding.button.agree"), timeout=30)
    zones = await worker.expect(t("en", "onboarding.choose_zone").split("\n")[0], timeout=30)
    await worker.press(zones, t("en", "onboarding.zone.seoul"), timeout=30)
    await worker.expect(t("en", "menu.welcome"), edited_ok=False, timeout=30)
    await worker.command("/tasks")
    board = await worker.expect(t("en", "tasks.board_title"), timeout=30)
    await worker.press(board, TITLE, timeout=30)
    return await worker.expect("Review number", edited_ok=False, timeout=30)


async def tap(worker: SimUser, item: BotMessage, caption: str) -> BotMessage:
    """Tap a label; the same message once it shows the next item (or the end)."""
    before = item.content
    await worker.press(item, caption, wait=False)
    return await worker.expect(
        predicate=lambda m: m.message_id == item.message_id and m.content != before,
        timeout=30)
