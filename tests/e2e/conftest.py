"""The ``harness`` fixture: the real bot, long polling the Bot API emulator, on a temp database."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.helpers.harness import Harness


@pytest.fixture
async def harness(tmp_path: Path) -> AsyncIterator[Harness]:
    """A started Harness (see tests/helpers/harness.py); stopped and cleaned up afterwards."""
    h = Harness(tmp_path)
    await h.start()
    try:
        yield h
    finally:
        await h.stop()
