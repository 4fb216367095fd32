"""Webhook mode: the emulator POSTs updates with the secret header; wrong secrets get 403."""

from __future__ import annotations

import shutil
from pathlib import Path

import aiohttp

from gigbot.app import UPDATE_TYPES, build_application
from gigbot.clock import SYSTEM_CLOCK
from gigbot.config import load_settings
from gigbot.db import close_db, init_db
from gigbot.emulator import Emulator
from gigbot.i18n import catalog
from gigbot.runner import probes_for, serve_webhook
from gigbot.web.ports import free_port
from gigbot.web.webhook import SECRET_HEADER
from tests.helpers.harness import TOKEN, Harness


async def test_webhook_mode_checks_the_secret_and_serves_updates(tmp_path: Path) -> None:
    port = free_port()
    hook = f"http://127.0.0.1:{port}/telegram"
    async with Emulator() as emulator:
        settings = load_settings(
            {"GIGBOT_TOKEN": TOKEN, "GIGBOT_API_URL": emulator.url,
             "GIGBOT_DATA_DIR": str(tmp_path), "GIGBOT_WEBHOOK_URL": hook,
             "GIGBOT_WEBHOOK_SECRET": "s3cret-Token_1", "GIGBOT_PORT": str(port)},
            dotenv=None,
        )
        shutil.copyfile(await Harness.migrated_template(), tmp_path / "gigbot.sqlite3")
        await init_db(settings.db_url, apply_migrations=False)
        try:
            app = build_application(settings, clock=SYSTEM_CLOCK)
            probes = probes_for(app, settings)
            async with serve_webhook(app, settings, probes, host="127.0.0.1"), \
                    aiohttp.ClientSession() as http:
                ann = emulator.user(language_code="en")
                await ann.command("/start")
                picker = await ann.expect(catalog("en")["onboarding.choose_language"])
                assert "✓ English" in picker.button_texts()

                forged = {"update_id": 1, "message": {"message_id": 1, "date": 0,
                                                       "chat": {"id": 5, "type": "private"},
                                                       "text": "/start"}}
                for headers in ({}, {SECRET_HEADER: "wrong"}, {SECRET_HEADER: "s3cret-Token_"}):
                    async with http.post(hook, json=forged, headers=headers) as response:
                        assert response.status == 403
                async with http.post(hook, data=b"{not json",
                                     headers={SECRET_HEADER: "s3cret-Token_1"}) as response:
                    assert response.status == 400
                async with http.get(f"http://127.0.0.1:{port}/healthz") as response:
                    assert (response.status, await response.json()) == (
                        200, {"database": "ok", "bot": "running"})
                info = await app.bot.get_webhook_info()
                assert info.url == hook
                assert set(info.allowed_updates or ()) == set(UPDATE_TYPES)
        finally:
            await close_db()
