"""The playground's page API end to end, without a browser: the stream, a tap, the refusals."""

from __future__ import annotations

import aiohttp

from gigbot.cli.playground import ADMIN_ID, Running
from gigbot.i18n import t
from tests.e2e.playground.conftest import PageClient, has, onboard


def first_line(text: str) -> str:
    return text.split("\n", 1)[0]


async def test_hello_lists_the_demo_people_with_the_bots_menu(page: PageClient) -> None:
    people = page.hello["people"]
    assert [(p["name"], p["role"], p["language"]) for p in people] == [
        ("Ann", "worker", "en"), ("Bora", "worker", "ko"), ("Chris", "worker", "en"),
        ("Admin", "admin", "en")]
    assert people[3]["id"] == ADMIN_ID
    assert len({p["id"] for p in people}) == 4
    assert page.hello["chats"] == {str(p["id"]): [] for p in people}
    assert page.hello["bot"]["username"] == "gigbot_playground_bot"
    assert any(c["command"] == "tasks" for c in people[0]["commands"])
    bora = people[1]["commands"]
    assert bora[0]["description"] == t("ko", "commands.start")


async def test_onboarding_through_the_stream_and_taps(page: PageClient) -> None:
    ann = page.hello["people"][0]["id"]
    status, sent = await page.send(ann, "/start")
    assert status == 200 and sent["from"] == "user" and sent["text"] == "/start"
    picker = await page.expect(ann, has(first_line(t("en", "onboarding.choose_language"))))
    status, answer = await page.press(ann, picker, "English")
    assert status == 200 and set(answer) == {"text", "show_alert"}
    terms = await page.expect(ann, has(first_line(t("en", "onboarding.terms"))))
    assert terms["id"] == picker["id"] and terms["edited"]  # the same message, edited in place
    await page.press(ann, terms, t("en", "onboarding.button.agree"))
    zones = await page.expect(ann, has(first_line(t("en", "onboarding.choose_zone"))))
    await page.press(ann, zones, t("en", "onboarding.zone.seoul"))
    menu = await page.expect(ann, has(t("en", "menu.welcome")))
    assert menu["from"] == "bot" and not menu["edited"]


async def test_the_demo_projects_are_served_with_photos_and_voice(
        page: PageClient, playground: Running) -> None:
    chris = page.hello["people"][2]["id"]
    await onboard(playground.playground.people[chris].user)
    await page.send(chris, "/tasks")
    listing = await page.expect(chris, lambda item: any(
        "Shapes" in b["text"] for row in item["buttons"] for b in row))
    await page.press(chris, listing, "Shapes")
    photo = await page.expect(chris, lambda item: item["kind"] == "photo")
    async with aiohttp.ClientSession() as http, http.get(page.url + photo["file"]) as response:
        assert response.status == 200
        assert response.headers["Content-Type"] in ("image/png", "image/jpeg")
        assert len(await response.read()) > 100


async def test_hostile_input_is_refused_or_kept_as_text(page: PageClient) -> None:
    bora = page.hello["people"][1]["id"]
    status, sent = await page.send(bora, "<b>bold?</b><script>alert(1)</script>")
    assert status == 200
    assert sent["text"] == "<b>bold?</b><script>alert(1)</script>" and sent["entities"] == []
    status, body = await page.send(bora, "가" * 5000)
    assert (status, body) == (400, {"error": "message is too long: at most 4096 characters"})
    assert (await page.send(bora, "가" * 4096))[0] == 200
    assert (await page.send(bora, "   "))[0] == 400
    assert (await page.send(12345, "hi"))[0] == 400  # not a person of the page
    assert (await page.send(bora, "hi", reply_to=999))[0] == 400
    reply = await page.expect(bora, lambda item: True)
    status, body = await page.post("/api/press", {"user": bora, "message_id": reply["id"],
                                                  "data": "a:1:0"})
    assert (status, body) == (400, {"error": "no such button on this message"})
    status, body = await page.post("/api/send", {"user": bora, "text": "hi"},
                                   headers={"Origin": "http://evil.example"})
    assert status == 403
    async with page.http.post(page.url + "/api/send", data="user=1&text=hi") as response:
        assert response.status == 415


async def test_the_page_serves_only_its_own_routes(page: PageClient) -> None:
    async with page.http.get(page.url + "/") as response:
        html = await response.text()
        csp = response.headers["Content-Security-Policy"]
    assert "/static/app.js" in html and "default-src 'self'" in csp and "http" not in csp
    for path, status in (("/static/app.js", 200), ("/static/app.css", 200),
                         ("/healthz", 200), ("/metrics", 200), ("/static/../playground.py", 404),
                         ("/static/", 403), ("/bot1:x/getMe", 404), ("/file/bot1:x/a", 404)):
        async with page.http.get(page.url + path) as response:
            assert response.status == status, path
