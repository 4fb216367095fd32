from __future__ import annotations

from pathlib import Path

import pytest

from gigbot.config import load_settings
from gigbot.errors import ConfigError

TOKEN = "123456:ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdef"


def test_defaults_without_anything() -> None:
    settings = load_settings({}, dotenv=None)
    assert settings.token is None
    assert settings.api_url == "https://api.telegram.org"
    assert settings.currency == "KRW"
    assert settings.currency_digits == 0
    assert settings.tz == "Asia/Seoul"
    assert settings.db_url.startswith("sqlite://")
    assert settings.db_url.endswith("gigbot.sqlite3")
    assert settings.webhook_url is None


def test_missing_token_names_the_variable() -> None:
    with pytest.raises(ConfigError, match="GIGBOT_TOKEN"):
        load_settings({}, dotenv=None).require_token()


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("GIGBOT_TOKEN", "not-a-token"),
        ("GIGBOT_API_URL", "ftp://x"),
        ("GIGBOT_DB_URL", "mysql://x"),
        ("GIGBOT_ADMINS", "12,abc"),
        ("GIGBOT_CURRENCY", "XYZW"),
        ("GIGBOT_TZ", "Mars/Olympus"),
        ("GIGBOT_PORT", "99999"),
        ("GIGBOT_LOG_LEVEL", "LOUD"),
        ("GIGBOT_WEBHOOK_URL", "https://example.org/hook"),
    ],
)
def test_bad_value_names_the_variable(name: str, value: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings({name: value}, dotenv=None)
    message = str(caught.value)
    assert name in message if name != "GIGBOT_WEBHOOK_URL" else "GIGBOT_WEBHOOK_SECRET" in message
    assert "\n" not in message


def test_values_are_parsed() -> None:
    settings = load_settings(
        {
            "GIGBOT_TOKEN": TOKEN,
            "GIGBOT_API_URL": "http://127.0.0.1:8081/",
            "GIGBOT_ADMINS": "1, 22 ,333",
            "GIGBOT_CURRENCY": "usd",
            "GIGBOT_WEBHOOK_URL": "https://example.org/hook",
            "GIGBOT_WEBHOOK_SECRET": "s3cret",
            "GIGBOT_PORT": "8443",
        },
        dotenv=None,
    )
    assert settings.require_token() == TOKEN
    assert settings.api_url == "http://127.0.0.1:8081"
    assert settings.admins == frozenset({1, 22, 333})
    assert settings.currency == "USD"
    assert settings.currency_digits == 2
    assert settings.port == 8443


def test_dotenv_is_read_and_environment_wins(tmp_path: Path) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text(f"GIGBOT_TOKEN={TOKEN}\nGIGBOT_TZ=Europe/Berlin\n", encoding="utf-8")
    settings = load_settings({"GIGBOT_TZ": "UTC"}, dotenv=env_file)
    assert settings.token == TOKEN
    assert settings.tz == "UTC"
