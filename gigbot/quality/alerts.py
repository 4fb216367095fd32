"""Notices from the quality services: to a worker, and to every admin.

Admins are the ids of ``GIGBOT_ADMINS`` (passed in by the caller, who holds the settings) plus the
``admin`` table. Each notice is rendered in the reader's language and zone: an admin who is also a
gigbot user reads it in their language, others in English and the default zone.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from gigbot.db.models import Admin, ProjectFacts, User
from gigbot.notices import Notice

__all__ = ["admin_ids", "admin_notices", "label_caption", "worker_notice"]

DEFAULT_TZ = "Asia/Seoul"


async def admin_ids(extra: Iterable[int] = ()) -> list[int]:
    """Telegram ids of every admin: ``extra`` (GIGBOT_ADMINS) and the admin table, sorted."""
    ids = set(extra)
    ids.update(int(row["tg_id"]) for row in await Admin.all().values("tg_id"))
    return sorted(ids)


async def admin_notices(
    admins: Iterable[int], key: str, params: Mapping[str, Any]
) -> tuple[Notice, ...]:
    """One notice ``key`` for every admin, in the admin's language when they use gigbot."""
    ids = await admin_ids(admins)
    users = {
        u["tg_id"]: u
        for u in await User.filter(tg_id__in=ids).values("tg_id", "language", "tz")
    }
    out: list[Notice] = []
    for tg_id in ids:
        user = users.get(tg_id)
        lang = str(user["language"]) if user else "en"
        tz = str(user["tz"]) if user else DEFAULT_TZ
        out.append(Notice(chat_id=tg_id, lang=lang, tz=tz, key=key, params=dict(params)))
    return tuple(out)


def worker_notice(user: User, key: str, params: Mapping[str, Any]) -> tuple[Notice, ...]:
    """A notice for one worker; none when the worker deleted their data (no chat any more)."""
    if user.tg_id is None or user.deleted_at is not None:
        return ()
    return (Notice(chat_id=user.tg_id, lang=user.language, tz=user.tz, key=key,
                   params=dict(params)),)


def label_caption(project: ProjectFacts, value: Any) -> dict[str, str] | str:
    """A label value (or set of values) as the project's captions ``{"en", "ko"}`` for a notice.

    Unknown values and transcriptions stay text (a long text is cut to 200 characters).
    """
    names = {str(label["value"]): label for label in project.labels or []}
    if isinstance(value, str):
        if value in names:
            return {lang: str(names[value].get(lang) or value) for lang in ("en", "ko")}
        return value if len(value) <= 200 else value[:199] + "…"
    if isinstance(value, Iterable):
        parts = sorted(str(v) for v in value)
        return {
            lang: ", ".join(str(names[v].get(lang) or v) if v in names else v for v in parts)
            for lang in ("en", "ko")
        }
    return str(value)
