"""A worker's own data (/mydata), and what /deleteme does with their money.

``my_data`` gathers what gigbot stores about one worker: profile, consent, answers (project,
item key, value, status, time), ledger entries, payout requests with the account masked, and
control accuracy per project as an aggregate only. Nothing per answer says whether its item
was a control item or whether it matched the gold.

``leaving`` says what happens to money when a worker deletes their data: a request waiting for
an admin is still decided and paid to the account it names; an available balance stays in the
ledger, anonymous, as accounting law requires; ``delete_member`` removes the stored account
details with the personal columns (the ledger keeps its rows, linked to the anonymous user).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from gigbot.db.models import (
    Answer,
    LedgerEntry,
    PayoutAccount,
    PayoutRequest,
    PayoutStatus,
    Project,
    Skill,
    User,
)
from gigbot.members.service import Deleted, Member, delete_personal_data
from gigbot.payouts import ledger

__all__ = ["Leaving", "MyData", "delete_member", "leaving", "my_data"]


@dataclass(frozen=True, slots=True)
class MyData:
    """Everything stored about one worker, as plain rows for the document."""

    profile: dict[str, Any]
    answers: list[dict[str, Any]]
    ledger: list[dict[str, Any]]
    payouts: list[dict[str, Any]]
    accuracy: list[dict[str, Any]]  # per project: control answers and the share right
    account: str | None


async def my_data(worker_id: int) -> MyData:
    """The worker's stored data (answers without any control mark)."""
    user = await User.get(id=worker_id)
    titles = {p["id"]: p["title"] for p in await Project.all().values("id", "title")}
    answers = [
        {"project": titles.get(a["project_id"]), "item": a["item__key"], "value": a["value"],
         "status": a["status"], "at": a["created_at"]}
        for a in await Answer.filter(worker_id=worker_id).order_by("id").values(
            "project_id", "item__key", "value", "status", "created_at")
    ]
    entries = [
        {"kind": e["kind"], "amount": int(e["amount"]), "at": e["created_at"]}
        for e in await LedgerEntry.filter(worker_id=worker_id).order_by("id").values(
            "kind", "amount", "created_at")
    ]
    requests = [
        {"id": r["id"], "gross": int(r["amount"]), "withholding": int(r["withholding"]),
         "net": int(r["net"]), "status": r["status"], "account": r["account_masked"],
         "at": r["created_at"]}
        for r in await PayoutRequest.filter(worker_id=worker_id).exclude(
            status=PayoutStatus.DRAFT).order_by("id").values(
            "id", "amount", "withholding", "net", "status", "account_masked", "created_at")
    ]
    accuracy = []
    for s in await Skill.filter(worker_id=worker_id).order_by("project_id"):
        if s.control_count:
            share = s.control_right / max(s.control_right + s.control_wrong, 1e-9)
            accuracy.append({"project": titles.get(s.project_id), "controls": s.control_count,
                             "accuracy": round(share, 3)})
    account = await PayoutAccount.get_or_none(worker_id=worker_id)
    return MyData(
        profile={"pseudonym": user.pseudonym, "tg_id": user.tg_id,
                 "first_name": user.first_name, "username": user.username,
                 "language": user.language, "tz": user.tz, "summaries": user.summaries,
                 "agreed_at": user.agreed_at, "created_at": user.created_at},
        answers=answers, ledger=entries, payouts=requests, accuracy=accuracy,
        account=account.masked if account else None,
    )


@dataclass(frozen=True, slots=True)
class Leaving:
    """Money a worker leaving has: available and the gross of a request waiting."""

    available: int
    pending: int
    waiting: int

    @property
    def any(self) -> bool:
        """True when there is money to speak of."""
        return bool(self.available or self.pending or self.waiting)


async def leaving(worker_id: int, now: dt.datetime) -> Leaving:
    """What /deleteme must say about the worker's money before they confirm."""
    balance = await ledger.balance(worker_id, now)
    return Leaving(balance.available, balance.pending, balance.reserved)


async def delete_member(member: Member, *, now: dt.datetime) -> Deleted:
    """/deleteme confirmed: the account details go too; the ledger stays, anonymous."""
    await PayoutAccount.filter(worker_id=member.id).delete()
    return await delete_personal_data(member, now=now)
