"""Logging an operator can use: one line per event, text or JSON, secrets taken out.

``GIGBOT_LOG_FORMAT=json`` writes one JSON object a line (``ts``, ``level``, ``logger``,
``msg``, and ``exc`` with the traceback when there is one); ``text`` (the default) writes the
same fields as one readable line. Either way a traceback stays on its event's line, so a log
collector never splits an event.

Whatever a message holds, a bot token (``123456:ABC…``) is replaced by ``<token>`` before it is
written: library messages quote request URLs, and the Bot API's URLs contain the token. gigbot's
own messages never hold a worker's text, a name or an account number (they name ids).
Libraries that report routine work at INFO (the scheduler adding and running its jobs, tortoise
connecting, aiohttp's access log) are set to WARNING unless the level asked for is DEBUG.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
import sys
from typing import Literal

__all__ = ["FORMATS", "JsonFormatter", "TextFormatter", "configure_logging", "redact"]

FORMATS = ("text", "json")
LogFormat = Literal["text", "json"]
TOKEN = re.compile(r"(?<!\d)\d{5,}:[A-Za-z0-9_-]{30,}")
NOISY = ("apscheduler", "tortoise", "aiohttp.access", "httpx", "httpcore", "asyncio")


def redact(text: str) -> str:
    """``text`` with every bot token replaced by ``<token>``."""
    return TOKEN.sub("<token>", text)


def _stamp(record: logging.LogRecord) -> str:
    return dt.datetime.fromtimestamp(record.created, tz=dt.UTC).isoformat(timespec="milliseconds")


class JsonFormatter(logging.Formatter):
    """One JSON object per event."""

    def format(self, record: logging.LogRecord) -> str:
        """The record as a JSON line, secrets redacted."""
        event: dict[str, str] = {
            "ts": _stamp(record),
            "level": record.levelname,
            "logger": record.name,
            "msg": redact(record.getMessage()),
        }
        if record.exc_info:
            event["exc"] = redact(self.formatException(record.exc_info))
        return json.dumps(event, ensure_ascii=False)


class TextFormatter(logging.Formatter):
    """``time LEVEL logger: message``, a traceback kept on the same line."""

    def format(self, record: logging.LogRecord) -> str:
        """The record as one line of text, secrets redacted."""
        line = f"{_stamp(record)} {record.levelname} {record.name}: {record.getMessage()}"
        if record.exc_info:
            line = f"{line} | {self.formatException(record.exc_info)}"
        return redact(line).replace("\n", " ⏎ ")


def configure_logging(level: str, log_format: str = "text") -> None:
    """Log to standard error at ``level`` in ``log_format`` (``text`` or ``json``)."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter() if log_format == "json" else TextFormatter())
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    quiet = logging.DEBUG if level == "DEBUG" else logging.WARNING
    for name in NOISY:
        logging.getLogger(name).setLevel(quiet)
