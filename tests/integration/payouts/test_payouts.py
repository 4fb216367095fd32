"""Payout requests on a real database: quotes, bad input, one waiting request, exactly-once
approval under concurrency, mark-paid, the transfer list, encrypted account details."""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import stat
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from gigbot.config import Settings, load_settings
from gigbot.db.models import EntryKind, LedgerEntry, PayoutAccount, PayoutRequest
from gigbot.errors import ConfigError, UserError
from gigbot.payouts import accounts, ledger, payouts
from gigbot.payouts.states import PayoutStatus
from tests.helpers.tasks import START, make_worker

ADMIN = 900
ACCOUNT = "Shinhan Bank\nKim Minji\n110-123-456789"


def settings_for(tmp_path: Path, db: str, **extra: str) -> Settings:
    env = {"GIGBOT_DATA_DIR": str(tmp_path), "GIGBOT_ADMINS": str(ADMIN),
           "GIGBOT_DB_URL": f"sqlite://{tmp_path / 'x.sqlite3'}" if db == "sqlite"
           else "postgres://u@h/db", **extra}
    if db != "sqlite":
        env.setdefault("GIGBOT_SECRET_KEY", Fernet.generate_key().decode())
    return load_settings(env, dotenv=None)


async def funded(amount: int, *, tg_id: int = 1) -> int:
    worker = await make_worker(tg_id)
    await ledger.post(worker.id, EntryKind.BONUS, amount, key=f"bonus:{tg_id}", now=START)
    return worker.id


async def requested(worker_id: int, settings: Settings, amount: int | None = None) -> int:
    await accounts.save_account(worker_id, ACCOUNT, now=START, settings=settings)
    q = await payouts.quote(worker_id, amount, now=START, settings=settings)
    done = await payouts.confirm(worker_id, q.request_id, now=START, settings=settings)
    assert done.changed
    return q.request_id


async def test_a_quote_shows_the_split_and_posts_nothing(any_db: str, tmp_path: Path) -> None:
    settings = settings_for(tmp_path, any_db)
    worker = await funded(12_345)
    q = await payouts.quote(worker, None, now=START, settings=settings)
    assert (q.split.gross, q.split.withholding, q.split.net) == (12_345, 407, 11_938)
    assert await LedgerEntry.filter(kind=EntryKind.PAYOUT).count() == 0
    assert (await ledger.balance(worker, START)).available == 12_345


@pytest.mark.parametrize(("text", "key"), [
    ("-5", "payout.bad_amount"), ("0", "payout.bad_amount"), ("abc", "payout.bad_amount"),
    ("1.5", "payout.bad_amount"), ("", "payout.bad_amount"),
])
def test_typed_amounts_are_whole_positive_numbers(text: str, key: str) -> None:
    with pytest.raises(UserError) as refused:
        payouts.parse_amount(text)
    assert refused.value.key == key
    assert payouts.parse_amount("15,000") == 15_000


async def test_bad_amounts_are_refused_and_nothing_is_written(any_db: str,
                                                              tmp_path: Path) -> None:
    settings = settings_for(tmp_path, any_db)
    worker = await funded(20_000)
    for amount, key in ((20_001, "payout.above_available"),
                        (9_999, "payout.amount_below_minimum")):
        with pytest.raises(UserError) as refused:
            await payouts.quote(worker, amount, now=START, settings=settings)
        assert refused.value.key == key
    poor = await funded(9_999, tg_id=2)
    with pytest.raises(UserError) as refused:
        await payouts.quote(poor, None, now=START, settings=settings)
    assert refused.value.key == "payout.below_minimum"
    assert await PayoutRequest.all().count() == 0
    assert await LedgerEntry.filter(kind__in=[EntryKind.PAYOUT]).count() == 0


async def test_account_details_with_letters_are_refused(any_db: str, tmp_path: Path) -> None:
    settings = settings_for(tmp_path, any_db)
    worker = await funded(100)
    for text, key in (("Bank\nKim\n110-12a-4567", "payout.account.bad_number"),
                      ("Bank\nKim", "payout.account.three_lines"),
                      ("Bank\nKim\n--12345678", "payout.account.bad_number")):
        with pytest.raises(UserError) as refused:
            await accounts.save_account(worker, text, now=START, settings=settings)
        assert refused.value.key == key
    assert await PayoutAccount.all().count() == 0


async def test_account_details_are_encrypted_and_masked(any_db: str, tmp_path: Path) -> None:
    settings = settings_for(tmp_path, any_db)
    worker = await funded(100)
    saved = await accounts.save_account(worker, ACCOUNT, now=START, settings=settings)
    row = await PayoutAccount.get(worker_id=worker)
    assert "456789" not in row.secret and "Kim" not in row.secret
    assert row.masked == saved.masked == "Shinhan Bank ••••6789"
    assert accounts.account_of(settings, row.secret).number == "110-123-456789"
    if any_db == "sqlite":  # no GIGBOT_SECRET_KEY: a key file, owner-only
        mode = stat.S_IMODE(os.stat(tmp_path / "secret.key").st_mode)
        assert mode == 0o600


async def test_postgres_needs_the_secret_key_to_store_accounts(any_db: str,
                                                               tmp_path: Path) -> None:
    settings = load_settings({"GIGBOT_DATA_DIR": str(tmp_path),
                              "GIGBOT_DB_URL": "postgres://u@h/db"}, dotenv=None)
    worker = await funded(100)
    with pytest.raises(UserError) as refused:
        await accounts.save_account(worker, ACCOUNT, now=START, settings=settings)
    assert refused.value.key == "payout.account.unavailable"
    assert not (tmp_path / "secret.key").exists()


def test_a_bad_secret_key_stops_start_up_in_one_line() -> None:
    with pytest.raises(ConfigError, match="GIGBOT_SECRET_KEY must be a Fernet key"):
        load_settings({"GIGBOT_SECRET_KEY": "short"}, dotenv=None)
    for name, value in (("GIGBOT_PAYOUT_MINIMUM", "0"), ("GIGBOT_WITHHOLDING_BP", "-3"),
                        ("GIGBOT_WITHHOLDING_BP", "10001")):
        with pytest.raises(ConfigError, match=name):
            load_settings({name: value}, dotenv=None)
    assert load_settings({"GIGBOT_WITHHOLDING_BP": "0"}, dotenv=None).withholding_bp == 0


async def test_a_confirm_after_the_balance_changed_is_refused(any_db: str,
                                                              tmp_path: Path) -> None:
    settings = settings_for(tmp_path, any_db)
    worker = await funded(20_000)
    await accounts.save_account(worker, ACCOUNT, now=START, settings=settings)
    q = await payouts.quote(worker, None, now=START, settings=settings)
    await ledger.post(worker, EntryKind.BONUS, 5, key="bonus:late", now=START)
    with pytest.raises(UserError) as refused:
        await payouts.confirm(worker, q.request_id, now=START, settings=settings)
    assert refused.value.key == "payout.balance_changed"
    assert await PayoutRequest.filter(status=PayoutStatus.REQUESTED).count() == 0


async def test_one_request_waits_at_a_time(any_db: str, tmp_path: Path) -> None:
    settings = settings_for(tmp_path, any_db)
    worker = await funded(40_000)
    first = await requested(worker, settings, 10_000)
    assert (await ledger.balance(worker, START)).available == 30_000
    with pytest.raises(UserError) as refused:
        await payouts.quote(worker, 10_000, now=START, settings=settings)
    assert refused.value.key == "payout.waiting"
    # a confirm pressed twice changes nothing the second time
    again = await payouts.confirm(worker, first, now=START, settings=settings)
    assert not again.changed


async def test_concurrent_approvals_pay_exactly_once(any_db: str, tmp_path: Path) -> None:
    settings = settings_for(tmp_path, any_db, GIGBOT_ADMINS=f"{ADMIN},901,902")
    worker = await funded(50_000)
    request_id = await requested(worker, settings, 50_000)
    later = START + dt.timedelta(minutes=1)
    results = await asyncio.gather(*(
        payouts.approve(request_id, admin, now=later, settings=settings)
        for admin in (ADMIN, 901, 902, ADMIN)
    ))
    assert sorted(r.changed for r in results) == [False, False, False, True]
    entries = await LedgerEntry.filter(kind__in=[EntryKind.PAYOUT, EntryKind.WITHHOLDING])
    assert sorted(e.amount for e in entries) == [-48_350, -1_650]
    balance = await ledger.balance(worker, later)
    assert (balance.available, balance.paid, balance.reserved) == (0, 50_000, 0)
    rejected = await payouts.reject(request_id, ADMIN, "late", now=later, settings=settings)
    assert not rejected.changed


async def test_non_admins_and_unknown_requests_are_refused(any_db: str,
                                                           tmp_path: Path) -> None:
    settings = settings_for(tmp_path, any_db)
    worker = await funded(20_000)
    request_id = await requested(worker, settings)
    with pytest.raises(UserError) as refused:
        await payouts.approve(request_id, 12345, now=START, settings=settings)
    assert refused.value.key == "payout.admin.not_admin"
    with pytest.raises(UserError) as refused:
        await payouts.approve(request_id + 99, ADMIN, now=START, settings=settings)
    assert refused.value.key == "payout.not_found"
    assert await LedgerEntry.filter(kind=EntryKind.PAYOUT).count() == 0


async def test_mark_paid_is_idempotent_and_the_export_lists_the_account(
    any_db: str, tmp_path: Path
) -> None:
    settings = settings_for(tmp_path, any_db)
    worker = await funded(20_000)
    request_id = await requested(worker, settings)
    with pytest.raises(UserError) as refused:
        await payouts.mark_paid(request_id, by="cli", now=START)
    assert refused.value.key == "payout.not_approved"
    await payouts.approve(request_id, ADMIN, now=START, settings=settings)
    rows = await payouts.export_rows(PayoutStatus.APPROVED, settings)
    assert [(r.id, r.gross, r.withholding, r.net, r.number) for r in rows] == [
        (request_id, 20_000, 660, 19_340, "110-123-456789")]
    first = await payouts.mark_paid(request_id, by="cli", now=START)
    second = await payouts.mark_paid(request_id, by="cli", now=START)
    assert (first.changed, second.changed) == (True, False)
    assert await payouts.export_rows(PayoutStatus.APPROVED, settings) == []
    assert await LedgerEntry.filter(kind=EntryKind.PAYOUT).count() == 1
