"""The worker's money history: movements with reasons, a day's earnings in a project as one line.

Entries are read newest first and grouped in the worker's time zone: every earning of one local
day in one project becomes one line with its count; every other entry (rejection, reversal,
bonus, payout, withholding, adjustment) is a line of its own. Pages hold ``PAGE`` lines.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from gigbot.db.models import Answer, EntryKind, LedgerEntry, Project
from gigbot.payouts import ledger
from gigbot.payouts.money import Balance

__all__ = ["PAGE", "HistoryLine", "HistoryPage", "Overview", "history_page", "overview",
           "week_start"]

PAGE = 10


@dataclass(frozen=True, slots=True)
class HistoryLine:
    """One line: a kind, the sum, the local day, the project (if any), how many entries."""

    kind: EntryKind
    amount: int
    day: dt.date
    project: dict[str, str] | None
    count: int
    reason: str | None = None  # a rejection's reason code


@dataclass(frozen=True, slots=True)
class HistoryPage:
    """A page of lines, newest first; ``page`` 0 is the newest."""

    lines: tuple[HistoryLine, ...]
    page: int
    older: bool
    newer: bool


@dataclass(frozen=True, slots=True)
class Overview:
    """What /balance shows: the balance and this week's earnings."""

    balance: Balance
    week: int


def week_start(now: dt.datetime, tz: str) -> dt.datetime:
    """Monday 00:00 of ``now``'s week in zone ``tz``, as UTC."""
    local = now.astimezone(ZoneInfo(tz))
    monday = (local - dt.timedelta(days=local.weekday())).date()
    return dt.datetime.combine(monday, dt.time(), ZoneInfo(tz)).astimezone(dt.UTC)


async def overview(worker_id: int, *, now: dt.datetime, tz: str) -> Overview:
    """The worker's balance and what they earned since Monday in their zone."""
    return Overview(await ledger.balance(worker_id, now),
                    await ledger.earned_since(worker_id, week_start(now, tz)))


async def _lines(worker_id: int, tz: str) -> list[HistoryLine]:
    zone = ZoneInfo(tz)
    entries = await LedgerEntry.filter(worker_id=worker_id).order_by("-created_at", "-id").values(
        "kind", "amount", "created_at", "answer_id"
    )
    answer_ids = {e["answer_id"] for e in entries if e["answer_id"] is not None}
    answers = {a["id"]: a for a in await Answer.filter(id__in=answer_ids).values(
        "id", "project_id", "reject_reason")} if answer_ids else {}
    project_ids = {a["project_id"] for a in answers.values()}
    titles = {p["id"]: dict(p["title"]) for p in await Project.filter(id__in=project_ids).values(
        "id", "title")} if project_ids else {}
    lines: list[HistoryLine] = []
    grouped: dict[tuple[dt.date, int], int] = {}  # (day, project) → index in lines
    for e in entries:
        kind = EntryKind(e["kind"])
        day = e["created_at"].astimezone(zone).date()
        answer = answers.get(e["answer_id"]) if e["answer_id"] is not None else None
        project_id = answer["project_id"] if answer else None
        title = titles.get(project_id) if project_id is not None else None
        if kind is EntryKind.EARNING and project_id is not None:
            at = grouped.get((day, project_id))
            if at is not None:
                old = lines[at]
                lines[at] = HistoryLine(kind, old.amount + int(e["amount"]), day, title,
                                        old.count + 1)
                continue
            grouped[(day, project_id)] = len(lines)
        reason = answer["reject_reason"] if answer and kind is EntryKind.REJECTION else None
        lines.append(HistoryLine(kind, int(e["amount"]), day, title, 1, reason))
    return lines


async def history_page(worker_id: int, *, tz: str, page: int) -> HistoryPage:
    """Page ``page`` (0 = newest) of the worker's history."""
    lines = await _lines(worker_id, tz)
    last = max((len(lines) - 1) // PAGE, 0)
    page = min(max(page, 0), last)
    return HistoryPage(tuple(lines[page * PAGE:(page + 1) * PAGE]), page, page < last, page > 0)
