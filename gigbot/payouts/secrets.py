"""The key that encrypts payout account details at rest (Fernet: AES-128-CBC with HMAC-SHA256).

The key is ``GIGBOT_SECRET_KEY``. When it is unset and the database is SQLite (one process on
one host), a key file ``secret.key`` is created in the data folder with owner-only permissions
on first use and named in a log warning: back it up apart from the database. On PostgreSQL
(several processes, maybe several hosts) the variable is required once account details are
stored: a key file on one host would leave the others unable to read them.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken

from gigbot.config import Settings
from gigbot.errors import ConfigError

__all__ = ["KEY_FILE", "decrypt", "encrypt", "fernet"]

log = logging.getLogger(__name__)
KEY_FILE = "secret.key"


def _key_file(path: Path) -> bytes:
    """The key in ``path``, created (mode 0600, never overwritten) when it does not exist."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_bytes().strip()
    key = Fernet.generate_key()
    with os.fdopen(fd, "wb") as fh:
        fh.write(key + b"\n")
    log.warning("GIGBOT_SECRET_KEY is not set: created the key file %s for payout account "
                "details; keep a copy apart from the database", path)
    return key


def fernet(settings: Settings) -> Fernet:
    """The cipher for account details (a ConfigError when no key can be had)."""
    if settings.secret_key:
        return Fernet(settings.secret_key.encode("ascii"))
    if not settings.db_url.startswith("sqlite://"):
        raise ConfigError("GIGBOT_SECRET_KEY is required on PostgreSQL to store payout "
                          "account details (a Fernet key, the same in every process)")
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    return Fernet(_key_file(settings.data_dir / KEY_FILE))


def encrypt(settings: Settings, text: str) -> str:
    """``text`` encrypted for storage."""
    return fernet(settings).encrypt(text.encode("utf-8")).decode("ascii")


def decrypt(settings: Settings, token: str) -> str:
    """What ``encrypt`` stored; a ConfigError when the key is not the one it was stored with."""
    try:
        return fernet(settings).decrypt(token.encode("ascii")).decode("utf-8")
    except InvalidToken:
        raise ConfigError("GIGBOT_SECRET_KEY does not decrypt the stored payout account "
                          "details: it is not the key they were stored with") from None
