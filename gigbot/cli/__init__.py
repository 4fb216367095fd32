"""The ``gigbot`` command: sub-commands of DESIGN.md §3, each calling one service.

Exit codes: 0 done, 1 failed at run time, 2 bad usage, bad configuration or bad input.
Every sub-command's work lives in its owner module; this file only parses and dispatches.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Callable, Coroutine, Sequence
from typing import Any

from gigbot import __version__
from gigbot.config import Settings, load_settings
from gigbot.errors import GigbotError
from gigbot.logs import configure_logging

__all__ = ["build_parser", "main"]

Command = Callable[[argparse.Namespace, Settings], Coroutine[Any, Any, int]]

# `labels aggregate --method`: gigbot.scoring.methods.DESCRIPTIONS, repeated here so that
# `--help` does not import numpy (a test keeps the two equal)
AGGREGATE_METHODS = {
    "auto": "the default: the best of mv/wmv/ocds/glad(/ds/mace) on held-out gold, else on "
    "held-out answers; with --text, wrover",
    "mv": "majority vote: the most frequent label (ties to the smallest)",
    "wmv": "weighted vote: log-odds weights from the gold, else from agreement with the "
    "majority (Wawa)",
    "ocds": "one-coin Dawid-Skene: EM with one accuracy per worker",
    "ds": "Dawid-Skene: EM with a confusion matrix per worker, shrunk to the crowd's",
    "glad": "GLAD: EM with an ability per worker and an easiness per task",
    "mace": "MACE: variational EM with a spamming probability and strategy per worker",
    "wrover": "text: ROVER with word votes weighted by each worker's reliability",
    "rover": "text: ROVER word-slot voting over transcriptions aligned to their medoid",
    "medoid": "text: the transcription closest to all the others",
}

# What `gigbot run` reads (DESIGN.md §3; gigbot.config.load_settings; a test keeps them equal).
RUN_ENVIRONMENT = """\
environment (also read from .env in the working directory):
  GIGBOT_TOKEN            bot token from @BotFather (required)
  GIGBOT_API_URL          Bot API root (default https://api.telegram.org)
  GIGBOT_DB_URL           sqlite://PATH or postgres://... (default sqlite in the data dir)
  GIGBOT_DATA_DIR         database, media, exports (default ./gigbot-data)
  GIGBOT_ADMINS           comma-separated Telegram user ids of admins
  GIGBOT_CURRENCY         ISO 4217 code; amounts in minor units (default KRW)
  GIGBOT_TZ               default time zone of new workers (default Asia/Seoul)
  GIGBOT_WEBHOOK_URL      webhook mode when set (else long polling)
  GIGBOT_WEBHOOK_SECRET   the webhook's secret token (required with the URL)
  GIGBOT_PORT             webhook, /healthz and /metrics port (default 8080)
  GIGBOT_LOG_LEVEL        DEBUG, INFO, WARNING, ERROR (default INFO)
  GIGBOT_LOG_FORMAT       text or json (default text)
  GIGBOT_PAYOUT_MINIMUM   smallest withdrawal in minor units (default 10000)
  GIGBOT_WITHHOLDING_BP   withholding in basis points (default 330 = 3.3 %)
  GIGBOT_SECRET_KEY       key encrypting payout details (SQLite: a key file by default)
"""


def _later(what: str) -> Command:
    async def command(_args: argparse.Namespace, _settings: Settings) -> int:
        print(f"gigbot: {what} is not available in this version yet", file=sys.stderr)
        return 2

    return command


def _lazy(module: str, name: str) -> Command:
    """A command whose module is imported only when it runs (keeps ``--help`` fast)."""

    async def command(args: argparse.Namespace, settings: Settings) -> int:
        import importlib

        target: Command = getattr(importlib.import_module(module), name)
        return await target(args, settings)

    return command


def build_parser() -> argparse.ArgumentParser:
    """The whole command line, with ``--help`` on every level."""
    parser = argparse.ArgumentParser(
        prog="gigbot",
        description="A Telegram bot for crowd data labelling: run it, import work, aggregate.",
    )
    parser.add_argument("--version", action="version", version=f"gigbot {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    run = sub.add_parser(
        "run", help="serve Telegram (polling, or webhook when configured)",
        description="Migrate the database, then serve Telegram until SIGTERM or Ctrl-C.",
        epilog=RUN_ENVIRONMENT, formatter_class=argparse.RawDescriptionHelpFormatter)
    run.add_argument("--polling", action="store_true",
                     help="long polling even when GIGBOT_WEBHOOK_URL is set (removes the webhook)")
    run.set_defaults(func=_lazy("gigbot.runner", "run_command"))

    db = sub.add_parser("db", help="database maintenance").add_subparsers(
        dest="db_command", metavar="ACTION", required=True
    )
    db.add_parser("migrate", help="apply schema migrations (idempotent)").set_defaults(
        func=_lazy("gigbot.cli.db", "migrate_command")
    )

    project = sub.add_parser("project", help="import, list, pause, resume, export projects")
    psub = project.add_subparsers(dest="project_command", metavar="ACTION", required=True)
    p_import = psub.add_parser("import", help="import a project: .toml, folder or .zip (atomic)")
    p_import.add_argument("path", metavar="PATH")
    p_import.set_defaults(func=_lazy("gigbot.cli.projects", "project_import"))
    psub.add_parser("list", help="list projects with their progress").set_defaults(
        func=_lazy("gigbot.cli.projects", "project_list")
    )
    for action, text in (("pause", "stop serving a project"), ("resume", "serve it again")):
        p = psub.add_parser(action, help=text)
        p.add_argument("slug", metavar="SLUG")
        p.set_defaults(func=_lazy("gigbot.cli.projects", f"project_{action}"))
    p_export = psub.add_parser("export", help="export labels (one row per item) or answers")
    p_export.add_argument("slug", metavar="SLUG")
    p_export.add_argument("--format", choices=("csv", "jsonl"), default="csv")
    p_export.add_argument("--answers", action="store_true", help="one row per answer")
    p_export.add_argument("--method", choices=("stored", *AGGREGATE_METHODS), default="stored",
                          help="aggregation for the item rows (default: the labels stored live)")
    p_export.add_argument("--with-ids", action="store_true",
                          help="real Telegram ids instead of pseudonyms (admins only)")
    p_export.add_argument("--out", metavar="FILE", help="write here instead of standard output")
    p_export.set_defaults(func=_lazy("gigbot.cli.projects", "project_export"))

    quiz = sub.add_parser("quiz", help="import qualification quizzes")
    qsub = quiz.add_subparsers(dest="quiz_command", metavar="ACTION", required=True)
    q_import = qsub.add_parser("import", help="import a quiz: .toml, folder or .zip (atomic)")
    q_import.add_argument("path", metavar="PATH")
    q_import.set_defaults(func=_lazy("gigbot.cli.projects", "quiz_import"))

    labels = sub.add_parser("labels", help="aggregate crowd answers from any CSV")
    lsub = labels.add_subparsers(dest="labels_command", metavar="ACTION", required=True)
    agg = lsub.add_parser(
        "aggregate", help="aggregate task,worker,label rows into task,label,confidence",
        description="Aggregate task,worker,label rows into task,label,confidence.",
        epilog="methods:\n" + "\n".join(
            f"  {name:<8}{text}" for name, text in AGGREGATE_METHODS.items()
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    agg.add_argument("answers", metavar="ANSWERS.csv")
    agg.add_argument("--method", choices=tuple(AGGREGATE_METHODS), default="auto",
                     help="aggregation method (default: auto; see the list below)")
    agg.add_argument("--gold", metavar="GOLD.csv", help="known answers (task,label)")
    agg.add_argument("--text", action="store_true",
                     help="free-text answers (transcriptions): auto, wrover, rover, medoid")
    agg.add_argument("--out", metavar="RESULT.csv", default="-",
                     help="output file (default: - , standard output)")
    agg.set_defaults(func=_lazy("gigbot.cli.labels", "aggregate_command"), needs_settings=False)

    admin = sub.add_parser("admin", help="admins besides GIGBOT_ADMINS")
    asub = admin.add_subparsers(dest="admin_command", metavar="ACTION", required=True)
    for action, text in (("add", "make a Telegram user id an admin"), ("remove", "revoke it")):
        a = asub.add_parser(action, help=text)
        a.add_argument("id", metavar="ID", type=int)
        a.set_defaults(func=_lazy("gigbot.cli.admins", f"{action}_command"))
    asub.add_parser("list", help="list admins").set_defaults(
        func=_lazy("gigbot.cli.admins", "list_command")
    )

    payouts = sub.add_parser("payouts", help="payout requests")
    posub = payouts.add_subparsers(dest="payouts_command", metavar="ACTION", required=True)
    p_exp = posub.add_parser("export", help="the transfer list of payout requests as CSV")
    p_exp.add_argument("--status", default="approved",
                       choices=("requested", "approved", "rejected", "paid"))
    p_exp.add_argument("--format", choices=("csv",), default="csv")
    p_exp.add_argument("--out", metavar="FILE", help="write here (owner-only) instead of stdout")
    p_exp.set_defaults(func=_lazy("gigbot.cli.payouts", "export_command"))
    p_paid = posub.add_parser("mark-paid", help="record transfers made (idempotent)")
    p_paid.add_argument("ids", metavar="ID", type=int, nargs="+")
    p_paid.set_defaults(func=_lazy("gigbot.cli.payouts", "mark_paid_command"))

    summaries = sub.add_parser("summaries", help="scheduled earnings summaries")
    ssub = summaries.add_subparsers(dest="summaries_command", metavar="ACTION", required=True)
    s_run = ssub.add_parser("run", help="send the due summaries now")
    s_run.add_argument("--user", metavar="ID", type=int)
    s_run.set_defaults(func=_later("summaries run (scheduled earnings summaries)"))

    playground = sub.add_parser(
        "playground", help="try gigbot in a browser: emulator + bot + chat page, no token",
        description="Start the Bot API emulator, the bot and a phone-sized chat page with demo "
        "workers, an admin and demo projects; no token, nothing reaches Telegram.")
    playground.add_argument("--port", type=int, default=8080, help="page port (default 8080)")
    playground.add_argument("--host", default="127.0.0.1",
                            help="page address (default 127.0.0.1: this machine only)")
    playground.add_argument("--data", metavar="DIR",
                            help="keep the database here (default: a temporary one)")
    playground.set_defaults(func=_lazy("gigbot.cli.playground", "playground_command"),
                            needs_settings=False)

    bench = sub.add_parser("bench", help="end-to-end throughput and latency against the emulator")
    bench.add_argument("--workers", type=int, default=50)
    bench.add_argument("--answers", type=int, default=20, help="answers per worker")
    bench.add_argument("--think", type=float, default=0.0, metavar="SECONDS",
                       help="mean pause before each tap (default 0: as fast as served)")
    bench.add_argument("--echo", action="store_true", help="also measure the echo-bot floor")
    bench.add_argument("--in-process", action="store_true",
                       help="run each bot inside the benchmark's process instead of its own")
    bench.add_argument("--webhook", action="store_true",
                       help="serve the bot by webhook (the emulator POSTs updates)")
    bench.add_argument("--bots", type=int, default=1, metavar="N",
                       help="bot processes behind one webhook URL (needs --postgres)")
    bench.add_argument("--postgres", metavar="URL",
                       help="run on a fresh database made on this PostgreSQL server")
    bench.add_argument("--out", metavar="FILE", help="append a Markdown table here")
    bench.set_defaults(func=_lazy("gigbot.cli.bench", "bench_command"))
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        settings = load_settings()
    except GigbotError as exc:
        if getattr(args, "needs_settings", True):
            print(f"gigbot: {exc}", file=sys.stderr)
            return 2
        settings = load_settings({}, dotenv=None)
    configure_logging(settings.log_level, settings.log_format)
    if getattr(args, "needs_settings", True):
        try:
            settings.data_dir.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            print(f"gigbot: GIGBOT_DATA_DIR: cannot create {str(settings.data_dir)!r}: "
                  f"{exc.strerror or exc}", file=sys.stderr)
            return 2
    func: Command = args.func
    try:
        return asyncio.run(func(args, settings))
    except GigbotError as exc:
        print(f"gigbot: {exc}", file=sys.stderr)
        return 2
    except (KeyboardInterrupt, asyncio.CancelledError):  # Ctrl-C, or SIGTERM to a long run
        return 130
    except BrokenPipeError:  # the reader went away (``| head``): stop quietly
        sys.stderr.close()
        return 1
