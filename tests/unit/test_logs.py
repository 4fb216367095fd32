"""Log lines: one per event, JSON when asked, tokens never written, library noise quiet."""

from __future__ import annotations

import io
import json
import logging
import sys
from collections.abc import Iterator

import pytest

from gigbot.config import load_settings
from gigbot.errors import ConfigError
from gigbot.logs import JsonFormatter, TextFormatter, configure_logging, redact

TOKEN = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"


def record(message: str, *args: object, exc: bool = False) -> logging.LogRecord:
    info = None
    if exc:
        try:
            raise RuntimeError(f"call to https://api.telegram.org/bot{TOKEN}/getMe failed")
        except RuntimeError:
            info = sys.exc_info()
    return logging.LogRecord("gigbot.test", logging.ERROR, __file__, 1, message, args, info)


def test_a_token_is_replaced_wherever_it_appears() -> None:
    assert redact(f"POST /bot{TOKEN}/sendMessage") == "POST /bot<token>/sendMessage"
    assert redact("lease=12 worker=3456") == "lease=12 worker=3456"


def test_json_is_one_object_a_line_with_the_traceback_inside() -> None:
    line = JsonFormatter().format(record("update failed update=%s", 7, exc=True))

    event = json.loads(line)
    assert "\n" not in line
    assert event["level"] == "ERROR"
    assert event["logger"] == "gigbot.test"
    assert event["msg"] == "update failed update=7"
    assert "RuntimeError" in event["exc"]
    assert TOKEN not in line
    assert event["ts"].endswith("+00:00")


def test_text_keeps_an_event_on_one_line() -> None:
    line = TextFormatter().format(record("update failed update=%s", 7, exc=True))

    assert "\n" not in line
    assert "update failed update=7 | Traceback" in line
    assert TOKEN not in line and "<token>" in line


@pytest.fixture
def restore_logging() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    levels = {n: logging.getLogger(n).level for n in ("apscheduler", "tortoise")}
    yield
    for handler in list(root.handlers):
        root.removeHandler(handler)
    for handler in handlers:
        root.addHandler(handler)
    root.setLevel(level)
    for name, old in levels.items():
        logging.getLogger(name).setLevel(old)


def test_scheduler_info_is_below_the_default_level(restore_logging: None) -> None:
    configure_logging("INFO", "json")
    stream = io.StringIO()
    handler = logging.getLogger().handlers[0]
    assert isinstance(handler, logging.StreamHandler)
    handler.setStream(stream)

    logging.getLogger("apscheduler.scheduler").info("Adding job tentatively")
    logging.getLogger("gigbot.tasks").info("answer recorded lease=%s", 5)

    lines = stream.getvalue().splitlines()
    assert [json.loads(line)["msg"] for line in lines] == ["answer recorded lease=5"]


def test_the_format_is_checked_at_start() -> None:
    assert load_settings({"GIGBOT_LOG_FORMAT": "JSON"}, dotenv=None).log_format == "json"
    assert load_settings({}, dotenv=None).log_format == "text"
    with pytest.raises(ConfigError, match="GIGBOT_LOG_FORMAT"):
        load_settings({"GIGBOT_LOG_FORMAT": "xml"}, dotenv=None)
