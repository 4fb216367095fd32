"""/healthz and /metrics of a running bot: health says which part fails, metrics parse."""

from __future__ import annotations

import re
from pathlib import Path

import aiohttp
from prometheus_client.parser import text_string_to_metric_families

from gigbot.runner import health_server, probes_for
from gigbot.web.ports import free_port
from tests.helpers.chat import start_session, tap_label
from tests.helpers.harness import Harness
from tests.helpers.tasks import write_project_dir


async def test_health_and_metrics_of_a_bot_taking_taps(harness: Harness, tmp_path: Path) -> None:
    await harness.import_project(write_project_dir(tmp_path / "src", "health-demo", items=10))
    worker = harness.user()
    await harness.onboard(worker)
    port = free_port()
    probes = probes_for(harness.app, harness.settings)
    async with health_server(probes, port, host="127.0.0.1"), aiohttp.ClientSession() as http:
        item = await start_session(harness, worker, "Title health-demo")
        for _ in range(3):
            item = await tap_label(worker, item, "Yes")

        async with http.get(f"http://127.0.0.1:{port}/healthz") as response:
            healthy = (response.status, await response.json())
        async with http.get(f"http://127.0.0.1:{port}/metrics") as response:
            kind = response.headers["Content-Type"]
            families = {f.name: f for f in text_string_to_metric_families(await response.text())}

    assert healthy == (200, {"database": "ok", "bot": "running"})
    assert kind.startswith("text/plain")
    samples = {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in families.values() for s in family.samples
    }
    assert samples[("gigbot_answers_recorded_total", ())] >= 3
    assert samples[("gigbot_open_leases", ())] >= 1  # the item now on screen
    assert samples[("gigbot_updates_total", (("kind", "callback_query"),))] >= 4
    assert samples[("gigbot_bot_api_calls_total", (("method", "editMessageText"),))] >= 3
    assert samples[("gigbot_tap_latency_seconds_count", ())] >= 3
    assert "gigbot_send_queue_length" in families
    assert "gigbot_bot_api_errors" in families
    assert not any(re.search(r"\d{5,}:[\w-]{30,}", str(labels)) for _, labels in samples)


async def test_healthz_is_503_when_the_database_is_gone(harness: Harness) -> None:
    port = free_port()
    probes = probes_for(harness.app, harness.settings)
    database = harness.settings.data_dir / "gigbot.sqlite3"
    async with health_server(probes, port, host="127.0.0.1"), aiohttp.ClientSession() as http:
        database.rename(database.with_suffix(".moved"))
        async with http.get(f"http://127.0.0.1:{port}/healthz") as response:
            gone = (response.status, await response.json())
        database.with_suffix(".moved").rename(database)
        async with http.get(f"http://127.0.0.1:{port}/healthz") as response:
            back = response.status

    assert gone == (503, {"database": "unavailable: the SQLite file is gone", "bot": "running"})
    assert back == 200
