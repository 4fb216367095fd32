"""The new member's path and personal data: register, language, terms, time zone, /deleteme.

Owner of the ``user`` table. Every update first goes through ``touch()`` (create or refresh the
member); the onboarding steps are compare-and-set updates, so a double tap or a redelivered update
changes nothing twice. Functions return ``Member`` values (plain data), never ORM rows, and refuse
with ``UserError`` keys of the ``onboarding`` namespace.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import secrets
from dataclasses import dataclass
from functools import lru_cache
from typing import Protocol
from zoneinfo import available_timezones

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from gigbot.config import Settings
from gigbot.db.models import Answer, AuditLog, LedgerEntry, Project, ProjectStatus, User
from gigbot.db.models import Onboarding as Step
from gigbot.db.statements import connection
from gigbot.errors import UserError
from gigbot.i18n import LANGUAGES, lang_of
from gigbot.members import store
from gigbot.members.admins import is_admin
from gigbot.members.store import UserRow

__all__ = [
    "ZONES",
    "Deleted",
    "Member",
    "ProjectRef",
    "Step",
    "TgUser",
    "accept_terms",
    "check_zone",
    "choose_language",
    "choose_zone",
    "delete_personal_data",
    "invited_project",
    "mark_blocked",
    "member_by_tg",
    "register_member",
    "remember_start_param",
    "set_summaries",
    "touch",
]

log = logging.getLogger(__name__)

# Time zones offered as buttons (by index: ``tz:<i>``); any IANA name may also be typed.
ZONES: tuple[str, ...] = (
    "Asia/Seoul",
    "Asia/Tokyo",
    "Asia/Shanghai",
    "Asia/Singapore",
    "UTC",
    "Europe/London",
    "Europe/Berlin",
    "America/New_York",
    "America/Los_Angeles",
)
_SEEN_EVERY = dt.timedelta(seconds=60)  # last_seen_at is refreshed at most this often
_START_PARAM = 64


class TgUser(Protocol):
    """What ``touch`` needs of a Telegram user (``telegram.User`` fits)."""

    @property
    def id(self) -> int: ...

    @property
    def first_name(self) -> str: ...

    @property
    def username(self) -> str | None: ...

    @property
    def language_code(self) -> str | None: ...


@dataclass(frozen=True, slots=True)
class Member:
    """A member as handlers see them: who, in which language and zone, how far signed up."""

    id: int
    tg_id: int
    language: str
    tz: str
    step: Step
    is_admin: bool
    summaries: bool = True
    start_param: str | None = None
    pseudonym: str = ""  # the name exports and image watermarks use

    @property
    def onboarded(self) -> bool:
        """True once language, terms and time zone are done."""
        return self.step is Step.DONE


@dataclass(frozen=True, slots=True)
class Deleted:
    """What /deleteme removed and what it kept (anonymous answers and ledger entries)."""

    answers_kept: int
    entries_kept: int


@dataclass(frozen=True, slots=True)
class ProjectRef:
    """A project named by a deep link: its slug and ``{"en", "ko"}`` title."""

    slug: str
    title: dict[str, str]


def _member(user: User | UserRow, admin: bool) -> Member:
    if user.tg_id is None:
        raise UserError("onboarding.deleted")
    return Member(
        id=user.id,
        tg_id=int(user.tg_id),
        language=user.language,
        tz=user.tz,
        step=Step(user.onboarding),
        is_admin=admin,
        summaries=bool(user.summaries),
        start_param=user.start_param,
        pseudonym=user.pseudonym,
    )


def _pseudonym() -> str:
    return "w" + secrets.token_hex(6)


def _new_user(tg_user: TgUser, default_tz: str, now: dt.datetime) -> User:
    return User(
        tg_id=tg_user.id,
        pseudonym=_pseudonym(),
        first_name=(tg_user.first_name or "")[:128] or None,
        username=tg_user.username,
        language=lang_of(tg_user.language_code),
        tz=default_tz,
        onboarding=Step.LANGUAGE,
        created_at=now,
        last_seen_at=now,
    )


async def _load_member(tg_id: int, settings: Settings) -> tuple[UserRow | None, bool]:
    """The user row of ``tg_id`` and whether they are an admin: one statement per update."""
    found = await store.member_row(connection(), tg_id)
    if found is None:
        return None, await is_admin(tg_id, settings)
    user, in_admin_table = found
    return user, tg_id in settings.admins or in_admin_table


async def touch(tg_user: TgUser, *, settings: Settings, now: dt.datetime) -> Member:
    """Create or refresh the member behind an update (a message means they did not block us)."""
    row, admin = await _load_member(tg_user.id, settings)
    if row is None:
        user = _new_user(tg_user, settings.tz, now)
        try:
            await user.save()
            log.info("member registered user=%s", user.id)
        except IntegrityError:  # the same user registered concurrently
            user = await User.get(tg_id=tg_user.id)
        return _member(user, admin)
    first_name = (tg_user.first_name or "")[:128] or None
    changes: dict[str, object] = {}
    if row.first_name != first_name:
        changes["first_name"] = first_name
    if row.username != tg_user.username:
        changes["username"] = tg_user.username
    if row.blocked_at is not None:
        changes["blocked_at"] = None
    if changes or now - row.last_seen_at >= _SEEN_EVERY:
        changes["last_seen_at"] = now
        await User.filter(id=row.id).update(**changes)
        row = dataclasses.replace(row, **changes)  # type: ignore[arg-type]
    return _member(row, admin)


async def member_by_tg(tg_id: int, settings: Settings) -> Member | None:
    """The member with this Telegram id, or None."""
    user, admin = await _load_member(tg_id, settings)
    return None if user is None else _member(user, admin)


async def register_member(
    tg_id: int,
    *,
    settings: Settings,
    now: dt.datetime,
    first_name: str | None = None,
    language: str = "en",
    tz: str | None = None,
) -> Member:
    """Create an onboarded member directly (benchmarks, the playground, tests); idempotent."""
    if language not in LANGUAGES:
        raise UserError("onboarding.bad_language")
    zone = check_zone(tz or settings.tz)
    user = await User.get_or_none(tg_id=tg_id)
    if user is None:
        user = await User.create(
            tg_id=tg_id,
            pseudonym=_pseudonym(),
            first_name=first_name,
            language=language,
            tz=zone,
            onboarding=Step.DONE,
            agreed_at=now,
            created_at=now,
            last_seen_at=now,
        )
    return _member(user, await is_admin(tg_id, settings))


async def _reload(member_id: int, settings: Settings) -> Member:
    user = await User.get(id=member_id)
    return _member(user, user.tg_id is not None and await is_admin(int(user.tg_id), settings))


async def remember_start_param(member: Member, param: str, *, settings: Settings) -> Member:
    """Keep the deep-link parameter (``p_<slug>``) so the project can be offered later."""
    value = param.strip()[:_START_PARAM] or None
    if value is None or value == member.start_param:
        return member
    await User.filter(id=member.id).update(start_param=value)
    return await _reload(member.id, settings)


async def choose_language(member: Member, lang: str, *, settings: Settings) -> Member:
    """Set the language; on the language step this also moves on to the terms."""
    if lang not in LANGUAGES:
        raise UserError("onboarding.bad_language")
    await User.filter(id=member.id).update(language=lang)
    await User.filter(id=member.id, onboarding=Step.LANGUAGE).update(onboarding=Step.TERMS)
    return await _reload(member.id, settings)


async def accept_terms(member: Member, *, settings: Settings, now: dt.datetime) -> Member:
    """Record consent to the data-use terms (once) and move on to the time zone."""
    await User.filter(id=member.id, onboarding=Step.TERMS).update(
        onboarding=Step.TIMEZONE, agreed_at=now
    )
    return await _reload(member.id, settings)


@lru_cache(maxsize=1)
def _zone_names() -> dict[str, str]:
    return {name.lower(): name for name in available_timezones()}


def check_zone(name: str) -> str:
    """The canonical IANA name for ``name`` (case and spaces forgiven), or UserError."""
    zone = _zone_names().get(name.strip().replace(" ", "_").lower())
    if zone is None:
        raise UserError("onboarding.bad_zone", zone=name.strip()[:64])
    return zone


async def choose_zone(member: Member, name: str, *, settings: Settings) -> Member:
    """Set the time zone; on the time-zone step this finishes onboarding."""
    zone = check_zone(name)
    await User.filter(id=member.id).update(tz=zone)
    await User.filter(id=member.id, onboarding=Step.TIMEZONE).update(onboarding=Step.DONE)
    return await _reload(member.id, settings)


async def set_summaries(member: Member, on: bool, *, settings: Settings) -> Member:
    """Turn the scheduled earnings summaries on or off."""
    await User.filter(id=member.id).update(summaries=on)
    return await _reload(member.id, settings)


async def mark_blocked(tg_id: int, *, now: dt.datetime) -> bool:
    """Remember that this user blocked the bot; True when this changed something."""
    return bool(await User.filter(tg_id=tg_id, blocked_at=None).update(blocked_at=now))


async def delete_personal_data(member: Member, *, now: dt.datetime) -> Deleted:
    """Remove names, username, Telegram id and start parameter; keep anonymous work and money."""
    async with in_transaction():
        cleared = await User.filter(id=member.id, deleted_at=None).update(
            tg_id=None, first_name=None, username=None, start_param=None, deleted_at=now
        )
        if cleared:
            await AuditLog.create(
                at=now, actor="user", action="user.deleted", worker_id=member.id, data={}
            )
        answers = await Answer.filter(worker_id=member.id).count()
        entries = await LedgerEntry.filter(worker_id=member.id).count()
    log.info("personal data deleted user=%s", member.id)
    return Deleted(answers_kept=answers, entries_kept=entries)


async def invited_project(member: Member) -> ProjectRef | None:
    """The active project a ``p_<slug>`` deep link named, if it exists."""
    param = member.start_param or ""
    if not param.startswith("p_"):
        return None
    project = await Project.get_or_none(slug=param[2:], status=ProjectStatus.ACTIVE)
    if project is None:
        return None
    title = project.title if isinstance(project.title, dict) else {"en": str(project.title)}
    return ProjectRef(slug=project.slug, title={str(k): str(v) for k, v in title.items()})
