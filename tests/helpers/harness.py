"""The end-to-end harness: the real application, long polling a Bot API emulator, on a temp DB.

Every simulated user action moves the service clock forward by ``think`` seconds (default 3), so
speed rules see human answer times while the test itself never sleeps. Use it through the
``harness`` fixture of tests/e2e/conftest.py::

    async def test_x(harness):
        ann = harness.user(language_code="ko")
        menu = await harness.onboard(ann, lang="ko")
"""

from __future__ import annotations

import atexit
import shutil
import tempfile
from contextlib import AsyncExitStack
from pathlib import Path
from typing import Any, ClassVar

from gigbot.app import build_application
from gigbot.clock import OffsetClock
from gigbot.config import Settings, load_settings
from gigbot.context import GigApp
from gigbot.db import close_db, init_db, migrate
from gigbot.emulator import BotMessage, Emulator, SimUser
from gigbot.i18n import t
from gigbot.runner import polling

__all__ = ["ADMIN_ID", "TOKEN", "Harness"]

TOKEN = "123456789:TEST-token-for-the-emulator-only"
ADMIN_ID = 4_000_000_001
POLL_TIMEOUT = 1  # seconds of an idle getUpdates; stopping cancels it at once anyway


class Harness:
    """An emulator, a migrated SQLite database and the bot polling it, in one event loop.

    Migrating takes tortoise about 2 s of CPU, so the schema is migrated once per process into
    a template file that each harness copies (the migrations have their own tests).
    """

    _template: ClassVar[Path | None] = None

    def __init__(self, tmp_path: Path, *, think: float = 3.0, **emulator_args: Any) -> None:
        self.tmp_path = tmp_path
        self.think = think
        self.clock = OffsetClock()
        self.admin_id = ADMIN_ID
        self.emulator = Emulator(on_user_action=self._on_user_action, **emulator_args)
        self._stack = AsyncExitStack()
        self._settings: Settings | None = None
        self._app: GigApp | None = None

    def _on_user_action(self, _user: SimUser, _action: str) -> None:
        if self.think:
            self.clock.advance(seconds=self.think)

    @property
    def settings(self) -> Settings:
        """The bot's settings (token, emulator URL, data dir in tmp_path, one admin)."""
        if self._settings is None:
            raise RuntimeError("the harness is not started")
        return self._settings

    @property
    def app(self) -> GigApp:
        """The running PTB application."""
        if self._app is None:
            raise RuntimeError("the harness is not started")
        return self._app

    def environ(self, **extra: str) -> dict[str, str]:
        """The GIGBOT_* variables of this harness (also for a bot in a subprocess)."""
        return {
            "GIGBOT_TOKEN": TOKEN,
            "GIGBOT_API_URL": self.emulator.url,
            "GIGBOT_DATA_DIR": str(self.tmp_path),
            "GIGBOT_ADMINS": str(self.admin_id),
            **extra,
        }

    async def start(self, **settings: str) -> None:
        """Start the emulator, migrate the database, build and start the bot."""
        await self.emulator.start(host="127.0.0.1", port=0)
        self._stack.push_async_callback(self.emulator.stop)
        self._settings = load_settings(self.environ(**settings), dotenv=None)
        url = self._settings.db_url
        if url.startswith("sqlite://"):
            shutil.copyfile(await self.migrated_template(), url.removeprefix("sqlite://"))
            await init_db(url, apply_migrations=False)
        else:
            await init_db(url)
        self._stack.push_async_callback(close_db)
        self._app = build_application(self._settings, clock=self.clock)
        await self._stack.enter_async_context(polling(self._app, poll_timeout=POLL_TIMEOUT))

    @classmethod
    async def migrated_template(cls) -> Path:
        """A migrated SQLite file to copy: migrated once per process, removed at exit."""
        if cls._template is None:
            folder = Path(tempfile.mkdtemp(prefix="gigbot-schema-"))
            atexit.register(shutil.rmtree, folder, ignore_errors=True)
            path = folder / "template.sqlite3"
            await migrate(f"sqlite://{path}")
            await close_db()  # checkpoints the WAL into the file
            cls._template = path
        return cls._template

    async def stop(self) -> None:
        """Stop the bot, close the database, stop the emulator (in that order)."""
        await self._stack.aclose()

    def user(
        self,
        language_code: str | None = "en",
        first_name: str = "Ann",
        username: str | None = None,
    ) -> SimUser:
        """A new simulated Telegram user who has not written to the bot yet."""
        return self.emulator.user(
            first_name=first_name, language_code=language_code, username=username
        )

    async def import_project(self, path: Path | str) -> Any:
        """Import a project file (or folder, or .zip) as ``gigbot project import`` does."""
        from gigbot.catalog.importer import import_project

        return await import_project(path, data_dir=self.settings.data_dir, clock=self.clock)

    async def import_quiz(self, path: Path | str) -> Any:
        """Import a quiz file (or folder, or .zip) as ``gigbot quiz import`` does."""
        from gigbot.catalog.importer import import_quiz

        return await import_quiz(path, data_dir=self.settings.data_dir, clock=self.clock)

    async def onboard(self, user: SimUser, lang: str = "en", zone: str = "seoul") -> BotMessage:
        """/start, language, I agree, time zone; returns the main menu message."""
        await user.command("/start")
        picker = await user.expect(_first_line(t(_lang(user), "onboarding.choose_language")))
        await user.press(picker, t(lang, f"onboarding.language_name.{lang}"))
        terms = await user.expect(_first_line(t(lang, "onboarding.terms")))
        await user.press(terms, t(lang, "onboarding.button.agree"))
        zones = await user.expect(_first_line(t(lang, "onboarding.choose_zone")))
        await user.press(zones, t(lang, f"onboarding.zone.{zone}"))
        return await user.expect(t(lang, "menu.welcome"), edited_ok=False)


def _lang(user: SimUser) -> str:
    code = getattr(user, "language_code", None)
    return "ko" if code and str(code).lower().startswith("ko") else "en"


def _first_line(text: str) -> str:
    return text.split("\n", 1)[0]
