"""``gigbot payouts export|mark-paid``: the transfer list and the record of transfers made."""

from __future__ import annotations

import argparse
import csv
import io
import sys
from pathlib import Path

from gigbot.clock import SYSTEM_CLOCK
from gigbot.config import Settings
from gigbot.db import database
from gigbot.errors import ConfigError, UserError
from gigbot.i18n import Translator
from gigbot.notices import render_params
from gigbot.payouts import payouts
from gigbot.payouts.states import PayoutStatus

__all__ = ["export_command", "mark_paid_command"]

COLUMNS = ("id", "worker", "gross", "withholding", "net", "currency", "bank", "holder",
           "account_number", "status", "requested_at", "approved_at")


async def export_command(args: argparse.Namespace, settings: Settings) -> int:
    """``gigbot payouts export --status approved --format csv [--out FILE]``."""
    try:
        status = PayoutStatus(args.status)
    except ValueError:
        raise ConfigError(f"--status must be one of requested, approved, rejected, paid; "
                          f"got {args.status!r}") from None
    async with database(settings.db_url):
        rows = await payouts.export_rows(status, settings)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for r in rows:
        writer.writerow([r.id, r.worker, r.gross, r.withholding, r.net, settings.currency,
                         r.bank, r.holder, r.number, r.status, r.requested_at.isoformat(),
                         r.decided_at.isoformat() if r.decided_at else ""])
    if args.out and args.out != "-":
        Path(args.out).write_text(out.getvalue(), encoding="utf-8")
        Path(args.out).chmod(0o600)  # account numbers in clear: owner-only
        print(f"{len(rows)} payout(s) written to {args.out}", file=sys.stderr)
    else:
        sys.stdout.write(out.getvalue())
    return 0


async def mark_paid_command(args: argparse.Namespace, settings: Settings) -> int:
    """``gigbot payouts mark-paid ID...``: each approved request becomes paid (idempotent)."""
    failed = 0
    reader = Translator("en", settings.tz, settings.currency)
    async with database(settings.db_url):
        for request_id in args.ids:
            try:
                done = await payouts.mark_paid(request_id, by="cli", now=SYSTEM_CLOCK.now())
            except UserError as exc:
                print(f"{request_id}: {reader(exc.key, **render_params(reader, exc.params))}",
                      file=sys.stderr)
                failed += 1
                continue
            print(f"{request_id}: {'marked paid' if done.changed else 'already paid'}")
    return 1 if failed else 0
