"""The members' hand-written statement: the member behind every update, in one round trip.

Takes the connection first (the caller's transaction, or the current connection); the text has
``?`` placeholders (``statements.sql`` makes them ``$n`` on PostgreSQL).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from tortoise.backends.base.client import BaseDBAsyncClient

from gigbot.db.models import Onboarding
from gigbot.db.statements import as_datetime, maybe_datetime, rows

__all__ = ["UserRow", "member_row"]


@dataclass(frozen=True, slots=True)
class UserRow:
    """A user row as every update reads it."""

    id: int
    tg_id: int | None
    pseudonym: str
    first_name: str | None
    username: str | None
    language: str
    tz: str
    onboarding: Onboarding
    summaries: bool
    start_param: str | None
    blocked_at: dt.datetime | None
    last_seen_at: dt.datetime


_MEMBER = (
    'SELECT "user".id, "user".tg_id, pseudonym, first_name, username, language, tz, onboarding, '
    "summaries, start_param, blocked_at, last_seen_at, "
    "EXISTS (SELECT 1 FROM admin WHERE admin.tg_id = ?) AS in_admin_table "
    'FROM "user" WHERE "user".tg_id = ?'
)


async def member_row(db: BaseDBAsyncClient, tg_id: int) -> tuple[UserRow, bool] | None:
    """The user with this Telegram id and whether the admin table lists them, or None."""
    found = await rows(db, _MEMBER, [tg_id, tg_id])
    if not found:
        return None
    r = found[0]
    user = UserRow(
        id=int(r["id"]), tg_id=r["tg_id"], pseudonym=str(r["pseudonym"]),
        first_name=r["first_name"], username=r["username"], language=str(r["language"]),
        tz=str(r["tz"]), onboarding=Onboarding(r["onboarding"]), summaries=bool(r["summaries"]),
        start_param=r["start_param"], blocked_at=maybe_datetime(r["blocked_at"]),
        last_seen_at=as_datetime(r["last_seen_at"]),
    )
    return user, bool(r["in_admin_table"])
