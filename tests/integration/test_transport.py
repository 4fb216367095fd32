"""AiohttpRequest against a real aiohttp server: JSON and multipart bodies, timeouts, failures."""

from __future__ import annotations

import asyncio
import json
import socket
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp import web
from telegram import InputFile
from telegram.error import NetworkError, TimedOut
from telegram.request import RequestData
from telegram.request._requestparameter import RequestParameter

from gigbot.transport import AiohttpRequest


@pytest.fixture
async def server() -> AsyncIterator[tuple[str, list[dict[str, Any]]]]:
    seen: list[dict[str, Any]] = []
    never = asyncio.Event()

    async def echo(request: web.Request) -> web.Response:
        entry: dict[str, Any] = {"type": request.content_type,
                                 "agent": request.headers.get("User-Agent", "")}
        if request.content_type == "application/json":
            entry["fields"] = await request.json()
        elif request.content_type == "multipart/form-data":
            form = await request.post()
            entry["fields"] = {
                key: (value.filename, value.content_type, value.file.read())
                if isinstance(value, web.FileField) else value
                for key, value in form.items()
            }
        seen.append(entry)
        return web.json_response({"ok": True, "result": True}, status=201)

    async def stall(_request: web.Request) -> web.Response:
        await never.wait()  # released when the server stops
        return web.Response()

    app = web.Application()
    app.router.add_post("/echo", echo)
    app.router.add_post("/stall", stall)
    runner = web.AppRunner(app, shutdown_timeout=0)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    yield f"http://127.0.0.1:{port}", seen
    never.set()
    await runner.cleanup()


@pytest.fixture
async def request_() -> AsyncIterator[AiohttpRequest]:
    request = AiohttpRequest(4, read_timeout=0.2, write_timeout=0.0)
    await request.initialize()
    yield request
    await request.shutdown()


async def test_parameters_go_as_json_and_the_answer_comes_back(
    server: tuple[str, list[dict[str, Any]]], request_: AiohttpRequest
) -> None:
    url, seen = server
    data = RequestData([RequestParameter.from_input("chat_id", 5),
                        RequestParameter.from_input("text", "안녕하세요")])
    status, body = await request_.do_request(f"{url}/echo", "POST", data)
    assert (status, json.loads(body)) == (201, {"ok": True, "result": True})
    assert seen == [{"type": "application/json", "agent": AiohttpRequest.USER_AGENT,
                     "fields": {"chat_id": "5", "text": "안녕하세요"}}]  # as PTB encodes them


async def test_a_file_goes_as_multipart_with_its_name_and_type(
    server: tuple[str, list[dict[str, Any]]], request_: AiohttpRequest
) -> None:
    url, seen = server
    photo = InputFile(b"\x89PNG...", filename="cat.png")
    data = RequestData([RequestParameter.from_input("chat_id", 5),
                        RequestParameter.from_input("photo", photo),
                        RequestParameter.from_input("protect_content", True)])
    status, _ = await request_.do_request(f"{url}/echo", "POST", data)
    assert status == 201
    fields = seen[0]["fields"]
    assert seen[0]["type"] == "multipart/form-data"
    assert fields["chat_id"] == "5" and fields["protect_content"] == "true"
    filename, mime, content = fields["photo"]
    assert (filename, mime, content) == ("cat.png", "image/png", b"\x89PNG...")


async def test_a_request_without_parameters_has_no_body(
    server: tuple[str, list[dict[str, Any]]], request_: AiohttpRequest
) -> None:
    url, seen = server
    status, _ = await request_.do_request(f"{url}/echo", "POST", RequestData())
    assert status == 201 and "fields" not in seen[0]


async def test_a_server_that_does_not_answer_is_a_timeout(
    server: tuple[str, list[dict[str, Any]]], request_: AiohttpRequest
) -> None:
    url, _ = server
    with pytest.raises(TimedOut):
        await request_.do_request(f"{url}/stall", "POST", RequestData())


async def test_a_refused_connection_is_a_network_error(request_: AiohttpRequest) -> None:
    with socket.socket() as probe:  # a port that nothing listens on once closed
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(NetworkError, match=r"aiohttp\.ClientConnectorError"):
        await request_.do_request(f"http://127.0.0.1:{port}/", "POST", RequestData())


async def test_it_refuses_to_work_before_initialize_and_after_shutdown() -> None:
    request = AiohttpRequest()
    with pytest.raises(RuntimeError, match="not initialized"):
        await request.do_request("http://127.0.0.1:1/", "POST")
    await request.initialize()
    await request.shutdown()
    await request.shutdown()  # twice is fine
    with pytest.raises(RuntimeError, match="not initialized"):
        await request.do_request("http://127.0.0.1:1/", "POST")
