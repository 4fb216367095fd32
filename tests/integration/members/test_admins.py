"""``gigbot admin add|remove|list`` against a real database."""

from __future__ import annotations

import argparse
import shutil
from pathlib import Path

import pytest

from gigbot.cli.admins import add_command, list_command, remove_command
from gigbot.config import Settings, load_settings
from gigbot.db import database
from gigbot.errors import ConfigError
from gigbot.members.admins import is_admin
from tests.helpers.harness import Harness


@pytest.fixture
async def settings(tmp_path: Path) -> Settings:
    shutil.copyfile(await Harness.migrated_template(), tmp_path / "gigbot.sqlite3")
    return load_settings({"GIGBOT_DATA_DIR": str(tmp_path), "GIGBOT_ADMINS": "11"}, dotenv=None)


def ns(tg_id: int | None = None) -> argparse.Namespace:
    return argparse.Namespace(id=tg_id)


async def test_add_list_remove(settings: Settings, capsys: pytest.CaptureFixture[str]) -> None:
    assert await add_command(ns(42), settings) == 0
    assert await add_command(ns(42), settings) == 0
    assert await list_command(ns(), settings) == 0
    assert await remove_command(ns(42), settings) == 0
    assert await remove_command(ns(42), settings) == 0

    assert capsys.readouterr().out.splitlines() == [
        "42 is now an admin",
        "42 is already an admin",
        "11\tGIGBOT_ADMINS",
        "42\tadded",
        "42 is no longer an admin",
        "42 was not an admin",
    ]
    async with database(settings.db_url):
        assert await is_admin(11, settings)
        assert not await is_admin(42, settings)


async def test_an_env_admin_is_removed_in_the_env_only(
    settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    assert await remove_command(ns(11), settings) == 1
    assert "GIGBOT_ADMINS" in capsys.readouterr().out


async def test_ids_must_be_positive(settings: Settings) -> None:
    with pytest.raises(ConfigError, match="ID must be a positive"):
        await add_command(ns(-5), settings)
