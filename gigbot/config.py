"""Settings from the environment (and a ``.env`` file), validated once at start.

Every variable of DESIGN.md §3 is read here. A wrong value raises ``ConfigError`` whose message
names the variable and what is expected, so ``gigbot run`` can print one line and exit 2.
"""

from __future__ import annotations

import base64
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel.numbers import get_currency_precision, list_currencies

from gigbot.errors import ConfigError
from gigbot.logs import FORMATS

__all__ = ["Settings", "load_settings", "read_dotenv"]

_TOKEN = re.compile(r"^\d{3,20}:[A-Za-z0-9_-]{20,}$")
_LEVELS = ("CRITICAL", "ERROR", "WARNING", "INFO", "DEBUG")


@dataclass(frozen=True, slots=True)
class Settings:
    """The validated configuration of one gigbot process."""

    token: str | None
    api_url: str
    data_dir: Path
    db_url: str
    admins: frozenset[int]
    currency: str
    tz: str
    webhook_url: str | None
    webhook_secret: str | None
    port: int
    log_level: str
    log_format: str = "text"
    payout_minimum: int = 10_000  # minor units
    withholding_bp: int = 330  # basis points: 330 = 3.3 %
    secret_key: str | None = None  # a Fernet key for payout account details
    extra: Mapping[str, str] = field(default_factory=dict)

    @property
    def currency_digits(self) -> int:
        """Digits after the decimal point of the currency's minor unit (KRW 0, USD 2)."""
        return int(get_currency_precision(self.currency))

    def require_token(self) -> str:
        """The bot token, or a ConfigError that names GIGBOT_TOKEN."""
        if not self.token:
            raise ConfigError(
                "GIGBOT_TOKEN is not set: create a bot with @BotFather and put its token "
                "in GIGBOT_TOKEN (or in .env)"
            )
        return self.token


def _is_fernet_key(text: str) -> bool:
    """True for 32 bytes in url-safe base64 (what ``Fernet(key)`` accepts)."""
    try:
        return len(base64.urlsafe_b64decode(text.encode("ascii"))) == 32 and len(text) == 44
    except (ValueError, UnicodeEncodeError):
        return False


def read_dotenv(path: Path) -> dict[str, str]:
    """The ``NAME=value`` pairs of a ``.env`` file (missing file: empty)."""
    if not path.is_file():
        return {}
    from dotenv import dotenv_values

    return {k: v for k, v in dotenv_values(path).items() if v is not None}


def load_settings(
    environ: Mapping[str, str] | None = None, *, dotenv: Path | None = Path(".env")
) -> Settings:
    """Read and validate the settings; the process environment wins over ``.env``."""
    env: dict[str, str] = {}
    if dotenv is not None:
        env.update(read_dotenv(dotenv))
    env.update(os.environ if environ is None else environ)

    def get(name: str) -> str | None:
        value = env.get(name)
        return value.strip() if value is not None and value.strip() else None

    token = get("GIGBOT_TOKEN")
    if token is not None and not _TOKEN.match(token):
        raise ConfigError(
            "GIGBOT_TOKEN is not a bot token: expected digits, a colon and a secret, "
            "like 123456:ABC-DEF… from @BotFather"
        )

    api_url = (get("GIGBOT_API_URL") or "https://api.telegram.org").rstrip("/")
    if not re.match(r"^https?://[^/\s]+", api_url):
        raise ConfigError(f"GIGBOT_API_URL must be an http(s) URL, got {api_url!r}")

    data_dir = Path(get("GIGBOT_DATA_DIR") or "./gigbot-data")
    if data_dir.exists() and not data_dir.is_dir():
        raise ConfigError(f"GIGBOT_DATA_DIR must be a directory, got the file {str(data_dir)!r}")

    db_url = get("GIGBOT_DB_URL") or f"sqlite://{data_dir / 'gigbot.sqlite3'}"
    if not re.match(r"^(sqlite|postgres|asyncpg|psycopg)://", db_url):
        raise ConfigError(
            "GIGBOT_DB_URL must start with sqlite:// or postgres://, "
            f"got {db_url.split('://')[0]!r}"
        )

    admins: set[int] = set()
    for part in (get("GIGBOT_ADMINS") or "").split(","):
        if part.strip():
            if not part.strip().isdigit():
                raise ConfigError(
                    "GIGBOT_ADMINS must be comma-separated Telegram user ids, "
                    f"got {part.strip()!r}"
                )
            admins.add(int(part.strip()))

    currency = (get("GIGBOT_CURRENCY") or "KRW").upper()
    if currency not in list_currencies():
        raise ConfigError(f"GIGBOT_CURRENCY must be an ISO 4217 code like KRW, got {currency!r}")

    tz = get("GIGBOT_TZ") or "Asia/Seoul"
    try:
        ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(
            f"GIGBOT_TZ must be an IANA time zone like Asia/Seoul, got {tz!r}"
        ) from None

    webhook_url = get("GIGBOT_WEBHOOK_URL")
    webhook_secret = get("GIGBOT_WEBHOOK_SECRET")
    if webhook_url is not None:
        if not webhook_url.startswith("https://") and not webhook_url.startswith("http://"):
            raise ConfigError(f"GIGBOT_WEBHOOK_URL must be an https URL, got {webhook_url!r}")
        if not webhook_secret or not re.match(r"^[A-Za-z0-9_-]{1,256}$", webhook_secret):
            raise ConfigError(
                "GIGBOT_WEBHOOK_SECRET is required with GIGBOT_WEBHOOK_URL: 1-256 characters "
                "of A-Z, a-z, 0-9, _ and -"
            )

    port_text = get("GIGBOT_PORT") or "8080"
    if not port_text.isdigit() or not 0 < int(port_text) < 65536:
        raise ConfigError(f"GIGBOT_PORT must be a port number 1-65535, got {port_text!r}")

    log_level = (get("GIGBOT_LOG_LEVEL") or "INFO").upper()
    if log_level not in _LEVELS:
        raise ConfigError(
            f"GIGBOT_LOG_LEVEL must be one of {', '.join(_LEVELS)}, got {log_level!r}"
        )
    log_format = (get("GIGBOT_LOG_FORMAT") or "text").lower()
    if log_format not in FORMATS:
        raise ConfigError(f"GIGBOT_LOG_FORMAT must be text or json, got {log_format!r}")

    minimum_text = get("GIGBOT_PAYOUT_MINIMUM") or "10000"
    if not minimum_text.isdigit() or int(minimum_text) < 1:
        raise ConfigError(
            "GIGBOT_PAYOUT_MINIMUM must be a whole number of minor units of at least 1, "
            f"got {minimum_text!r}"
        )
    withholding_text = get("GIGBOT_WITHHOLDING_BP") or "330"
    if not withholding_text.isdigit() or int(withholding_text) > 10_000:
        raise ConfigError(
            "GIGBOT_WITHHOLDING_BP must be basis points from 0 to 10000 (330 = 3.3 %), "
            f"got {withholding_text!r}"
        )
    secret_key = get("GIGBOT_SECRET_KEY")
    if secret_key is not None and not _is_fernet_key(secret_key):
        raise ConfigError(
            "GIGBOT_SECRET_KEY must be a Fernet key (32 bytes in url-safe base64, 44 "
            "characters), as printed by: python -c \"from cryptography.fernet import Fernet; "
            "print(Fernet.generate_key().decode())\""
        )

    return Settings(
        token=token,
        api_url=api_url,
        data_dir=data_dir,
        db_url=db_url,
        admins=frozenset(admins),
        currency=currency,
        tz=tz,
        webhook_url=webhook_url,
        webhook_secret=webhook_secret,
        port=int(port_text),
        log_level=log_level,
        log_format=log_format,
        payout_minimum=int(minimum_text),
        withholding_bp=int(withholding_text),
        secret_key=secret_key,
        extra={k: v for k, v in env.items() if k.startswith("GIGBOT_")},
    )

