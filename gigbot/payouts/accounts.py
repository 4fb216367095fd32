"""Payout account details: bank, holder and number, checked, encrypted at rest, shown masked.

Owner of ``payout_account``. The details are kept only to pay the worker out: encrypted with
Fernet (``payouts.secrets``), decrypted only for the admins' transfer list, and shown everywhere
else as the bank and the number's last four digits (``신한은행 ••••5678``).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
from dataclasses import dataclass

from gigbot.config import Settings
from gigbot.db.models import PayoutAccount
from gigbot.errors import ConfigError, UserError
from gigbot.payouts import secrets

__all__ = [
    "Account", "account_of", "masked_account", "parse_account", "read_account", "save_account"
]

log = logging.getLogger(__name__)
_NUMBER = re.compile(r"^[0-9][0-9-]*[0-9]$")
MAX_NAME = 64


@dataclass(frozen=True, slots=True)
class Account:
    """Account details in clear (only the payout flow and the transfer list see them)."""

    bank: str
    holder: str
    number: str

    @property
    def masked(self) -> str:
        """The bank and the number's last four digits."""
        digits = self.number.replace("-", "")
        return f"{self.bank} ••••{digits[-4:]}"


def parse_account(text: str) -> Account:
    """Three lines, bank / holder / number; the number holds digits and dashes only."""
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    if len(lines) != 3:
        raise UserError("payout.account.three_lines")
    bank, holder, number = lines
    if len(bank) > MAX_NAME or len(holder) > MAX_NAME:
        raise UserError("payout.account.too_long", limit=MAX_NAME)
    number = number.replace(" ", "")
    digits = number.replace("-", "")
    if not _NUMBER.match(number) or "--" in number or not 6 <= len(digits) <= 20:
        raise UserError("payout.account.bad_number")
    return Account(bank=bank, holder=holder, number=number)


async def save_account(worker_id: int, text: str, *, now: dt.datetime,
                       settings: Settings) -> Account:
    """Check and store (or replace) the worker's account details, encrypted."""
    account = parse_account(text)
    plain = json.dumps({"bank": account.bank, "holder": account.holder,
                        "number": account.number}, ensure_ascii=False)
    try:
        secret = secrets.encrypt(settings, plain)
    except ConfigError as exc:  # PostgreSQL without GIGBOT_SECRET_KEY: the operator must act
        log.error("payout account not stored: %s", exc)
        raise UserError("payout.account.unavailable") from None
    await PayoutAccount.update_or_create(
        worker_id=worker_id, defaults={"secret": secret, "masked": account.masked,
                                       "updated_at": now},
    )
    return account


async def masked_account(worker_id: int) -> str | None:
    """The worker's account as shown (no key needed), or None when none is stored."""
    row = await PayoutAccount.get_or_none(worker_id=worker_id)
    return row.masked if row is not None else None


def account_of(settings: Settings, secret: str) -> Account:
    """Account details from their stored ciphertext."""
    data = json.loads(secrets.decrypt(settings, secret))
    return Account(bank=str(data["bank"]), holder=str(data["holder"]),
                   number=str(data["number"]))


async def read_account(worker_id: int) -> tuple[str, str] | None:
    """The worker's stored (ciphertext, masked), or None."""
    row = await PayoutAccount.get_or_none(worker_id=worker_id)
    return (row.secret, row.masked) if row is not None else None
