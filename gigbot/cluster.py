"""Several ``gigbot run`` processes on one PostgreSQL behaving as one bot (webhook mode).

Three PostgreSQL mechanisms and nothing home-made beyond them:

- **one user's updates in order**: each update is processed while its process holds
  ``pg_advisory_lock(chat id)`` on a connection of a small pool of its own (``UserLocks``), and
  in a cluster the webhook answers Telegram only after the update is processed, so Telegram
  sends that chat's next update only then (``gigbot.web.webhook``). The lock keeps a redelivery
  (a POST that timed out, a balancer retrying) from running beside the first delivery;
- **one leader**: a session-level ``pg_try_advisory_lock(LEADER_KEY)`` on one dedicated
  connection (``Cluster``). The leader runs the scheduled jobs (and broadcasts); the others
  retry every ``RETRY`` s, so when a leader dies (its connection closes and PostgreSQL frees
  the lock) another takes over within ``RETRY`` s;
- **a shared send budget**: every process writes a heartbeat row into ``gigbot_process`` every
  ``RETRY`` s over the same connection; each sends at ``SEND_RATE`` divided by the live rows.

The table is created here (``CREATE UNLOGGED TABLE IF NOT EXISTS``), not by a migration: it holds
seconds-old process state, never data, and SQLite (one process) has no use for it.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager, suppress
from urllib.parse import urlsplit, urlunsplit

import asyncpg  # type: ignore[import-untyped]  # no type information ships with it
from prometheus_client import Gauge

__all__ = [
    "LEADER_KEY", "LOCK_CONNECTIONS", "MIGRATE_KEY", "RETRY", "STALE_AFTER", "Cluster",
    "UserLocks", "clustered", "one_migrator", "pg_dsn",
]

log = logging.getLogger(__name__)

# "gigbot" in ASCII, then 1: far above any chat id (< 2**53), so no user's lock is the leader's.
LEADER_KEY = 0x6769_6762_6F74_0001
MIGRATE_KEY = 0x6769_6762_6F74_0002  # held while one starting process migrates
RETRY = 5.0  # seconds between heartbeats, and between a follower's attempts to lead
STALE_AFTER = 3 * RETRY  # a process whose heartbeat is older counts as gone
QUERY_TIMEOUT = 4.0  # a leader whose heartbeat gets no answer in this time steps down
# Connections held by updates in progress, per process. They only wait for a user's lock, and
# an update holding one never needs a second, so a full pool slows POSTs down and never
# deadlocks; 10 leaves room under PostgreSQL's default 100 for several processes and their
# tortoise pools (maxsize 5 unless the URL says otherwise).
LOCK_CONNECTIONS = 10
# The server drops a silent client's session (and its locks) after idle + interval x count s.
_KEEPALIVE = {"tcp_keepalives_idle": "5", "tcp_keepalives_interval": "5",
              "tcp_keepalives_count": "3"}
_TABLE = """CREATE UNLOGGED TABLE IF NOT EXISTS gigbot_process (
    id TEXT PRIMARY KEY, host TEXT NOT NULL, pid INTEGER NOT NULL,
    leader BOOLEAN NOT NULL DEFAULT FALSE,
    started TIMESTAMPTZ NOT NULL DEFAULT now(), seen TIMESTAMPTZ NOT NULL DEFAULT now())"""
_BEAT = """INSERT INTO gigbot_process (id, host, pid, leader) VALUES ($1, $2, $3, $4)
    ON CONFLICT (id) DO UPDATE SET seen = now(), leader = EXCLUDED.leader"""
_PRUNE = "DELETE FROM gigbot_process WHERE seen < now() - make_interval(secs => $1)"

LEADER = Gauge("gigbot_leader", "1 while this process is the leader (runs scheduled jobs)")
PROCESSES = Gauge("gigbot_processes", "Live gigbot processes sharing the database and budget")


def clustered(db_url: str, webhook_url: str | None) -> bool:
    """Whether ``gigbot run`` coordinates with other processes: PostgreSQL in webhook mode."""
    return bool(webhook_url) and db_url.startswith(("postgres://", "asyncpg://", "psycopg://"))


def pg_dsn(db_url: str) -> str:
    """The asyncpg DSN of a tortoise PostgreSQL URL (tortoise's pool options removed)."""
    parts = urlsplit(db_url)
    return urlunsplit(("postgresql", parts.netloc, parts.path, "", ""))


@asynccontextmanager
async def one_migrator(db_url: str) -> AsyncIterator[None]:
    """On PostgreSQL, the block runs in one starting process at a time (migrations)."""
    if not db_url.startswith(("postgres://", "asyncpg://", "psycopg://")):
        yield
        return
    conn = await asyncpg.connect(pg_dsn(db_url))
    try:
        await conn.execute("SELECT pg_advisory_lock($1)", MIGRATE_KEY)
        yield
    finally:
        await _close(conn)  # the session's end frees the lock


class UserLocks:
    """``pg_advisory_lock(chat id)`` held while one update of that chat is processed."""

    __slots__ = ("_dsn", "_pool")

    def __init__(self, dsn: str) -> None:
        self._dsn = dsn
        self._pool: asyncpg.Pool | None = None

    async def start(self) -> None:
        """Open the pool (one connection at first, ``LOCK_CONNECTIONS`` at most)."""
        self._pool = await asyncpg.create_pool(
            self._dsn, min_size=1, max_size=LOCK_CONNECTIONS,
            server_settings={"application_name": f"gigbot-locks pid={os.getpid()}", **_KEEPALIVE},
        )

    async def close(self) -> None:
        """Close the pool; locks still held are freed with their sessions."""
        if self._pool is not None:
            pool, self._pool = self._pool, None
            await pool.close()

    @asynccontextmanager
    async def held(self, key: int) -> AsyncIterator[None]:
        """The block runs while this process holds ``key``'s lock."""
        if self._pool is None:
            raise RuntimeError("UserLocks.start() was not called")
        # asyncpg resets a connection on release with pg_advisory_unlock_all(), so the lock
        # is freed however the block ends, and an unlock round trip is saved.
        async with self._pool.acquire() as conn:
            await conn.execute("SELECT pg_advisory_lock($1)", key)
            yield


class Cluster:
    """This process's membership: heartbeat, the leader lock, the share of the send budget.

    ``on_leader(True/False)`` is called when leadership is won or lost, ``on_share(n)`` when the
    number of live processes changes; both are plain functions run in the event loop.
    """

    def __init__(self, dsn: str, *, on_leader: Callable[[bool], None],
                 on_share: Callable[[int], None]) -> None:
        self.id = uuid.uuid4().hex
        self.leader = False
        self.processes = 1
        self._dsn = dsn
        self._on_leader = on_leader
        self._on_share = on_share
        self._conn: asyncpg.Connection | None = None
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        """Join (the first attempt to lead included), then keep beating in the background."""
        await self._tick()
        self._task = asyncio.create_task(self._loop(), name="gigbot-cluster")

    async def stop(self) -> None:
        """Leave: stop beating, give up the leader lock and the heartbeat row, disconnect."""
        if self._task is not None:
            self._task.cancel()
            with suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        conn, self._conn = self._conn, None
        if conn is not None:
            with suppress(Exception):  # a gone database frees the lock by itself
                async with asyncio.timeout(QUERY_TIMEOUT):
                    if self.leader:
                        await conn.execute("SELECT pg_advisory_unlock($1)", LEADER_KEY)
                    await conn.execute("DELETE FROM gigbot_process WHERE id = $1", self.id)
            await _close(conn)
        self._set_leader(False)

    async def _loop(self) -> None:
        while True:
            await asyncio.sleep(RETRY)
            await self._tick()

    async def _tick(self) -> None:
        """One heartbeat: connect if needed, try to lead, beat, count the live processes."""
        try:
            async with asyncio.timeout(QUERY_TIMEOUT):
                conn = self._conn
                if conn is None or conn.is_closed():
                    conn = self._conn = await asyncpg.connect(self._dsn, server_settings={
                        "application_name": f"gigbot pid={os.getpid()}", **_KEEPALIVE})
                    await conn.execute(_TABLE)
                if not self.leader:
                    won = await conn.fetchval("SELECT pg_try_advisory_lock($1)", LEADER_KEY)
                    if won:
                        self._set_leader(True)
                await conn.execute(_BEAT, self.id, socket.gethostname(), os.getpid(),
                                   self.leader)
                await conn.execute(_PRUNE, STALE_AFTER)
                live = await conn.fetchval("SELECT count(*) FROM gigbot_process")
        except (OSError, TimeoutError, asyncpg.PostgresError,
                asyncpg.InterfaceError) as exc:
            # Without a connection this process cannot know it still holds the lock: stepping
            # down at once keeps two leaders from running the jobs side by side.
            log.warning("cluster heartbeat failed: %s", type(exc).__name__)
            conn, self._conn = self._conn, None
            if conn is not None:
                conn.terminate()
            self._set_leader(False)
            return
        if int(live) != self.processes:
            self.processes = max(int(live), 1)
            PROCESSES.set(self.processes)
            log.info("cluster: %s processes share the send budget", self.processes)
            self._on_share(self.processes)

    def _set_leader(self, leader: bool) -> None:
        if leader == self.leader:
            return
        self.leader = leader
        LEADER.set(1 if leader else 0)
        log.info("%s", "this process is the leader: scheduled jobs run here" if leader
                 else "this process is no longer the leader")
        self._on_leader(leader)


async def _close(conn: asyncpg.Connection) -> None:
    try:
        await asyncio.wait_for(conn.close(), QUERY_TIMEOUT)
    except (OSError, TimeoutError, asyncpg.PostgresError, asyncpg.InterfaceError):
        conn.terminate()
