"""/mydata: what gigbot stores about the worker, sent as a text document in their language."""

from __future__ import annotations

import datetime as dt
from typing import Any

from telegram import InputFile, Update
from telegram.ext import CommandHandler

from gigbot.context import GigApp, GigContext
from gigbot.handlers.common import require
from gigbot.i18n import Translator
from gigbot.payouts.mydata import MyData, my_data

__all__ = ["mydata_document", "register"]


def _value(t: Translator, value: Any) -> str:
    if isinstance(value, dt.datetime):
        return t.when(value, fmt="short")
    if isinstance(value, dict) and set(value) <= {"en", "ko"}:
        return t.pick(value)
    if isinstance(value, list):
        return ", ".join(map(str, value))
    return "—" if value is None else str(value)


def _rows(t: Translator, title: str, rows: list[dict[str, Any]], money: set[str]) -> list[str]:
    lines = ["", f"== {t(title)} ({len(rows)}) =="]
    for row in rows:
        lines.append(" | ".join(
            f"{t('mydata.field.' + k)}: {t.money(v) if k in money else _value(t, v)}"
            for k, v in row.items()))
    return lines


def mydata_document(t: Translator, data: MyData) -> str:
    """The whole document: profile, consent, accuracy, answers, ledger, payouts."""
    lines = [t("mydata.title"), "", f"== {t('mydata.profile')} =="]
    lines += [f"{t('mydata.field.' + k)}: {_value(t, v)}" for k, v in data.profile.items()]
    lines.append(f"{t('mydata.field.account')}: {data.account or '—'}")
    lines += _rows(t, "mydata.accuracy", data.accuracy, set())
    lines += _rows(t, "mydata.answers", data.answers, set())
    lines += _rows(t, "mydata.ledger", data.ledger, {"amount"})
    lines += _rows(t, "mydata.payouts", data.payouts, {"gross", "withholding", "net"})
    return "\n".join(lines) + "\n"


async def mydata_command(update: Update, context: GigContext) -> None:
    """/mydata: the document, and one line about it."""
    text = mydata_document(context.t, await my_data(context.member.id))
    await require(update.effective_chat).send_document(
        InputFile(text.encode("utf-8"), filename="gigbot-mydata.txt"),
        caption=context.t("mydata.caption"),
    )


def register(app: GigApp) -> None:
    """Add /mydata (group 0)."""
    app.add_handler(CommandHandler("mydata", mydata_command))
