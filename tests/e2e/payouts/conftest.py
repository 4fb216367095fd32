"""A harness with a small payout minimum, so that a few taps reach it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.helpers.harness import Harness

MINIMUM = 60  # two answers of 30


@pytest.fixture
async def money_harness(tmp_path: Path) -> AsyncIterator[Harness]:
    """A started Harness with GIGBOT_PAYOUT_MINIMUM=60 and the default 3.3 % withholding."""
    h = Harness(tmp_path)
    await h.start(GIGBOT_PAYOUT_MINIMUM=str(MINIMUM))
    try:
        yield h
    finally:
        await h.stop()
