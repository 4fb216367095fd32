"""The playground page in a real browser (Playwright on Debian's Chromium).

A worker goes the whole path on the page: /start, language, terms, time zone, training with
hints, the exam, five one-tap answers and a typed transcription of a voice message; a screenshot
of the page is saved (to docs/playground.png as well with GIGBOT_UPDATE_SCREENSHOT=1, the one
the README shows). Skipped, saying why, where Chromium or the Playwright package is missing:
``apt-get install chromium fonts-noto-cjk`` and ``pip install playwright`` (no browser download).
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Any

import pytest

from gigbot.cli.playground import Running
from gigbot.demo import DEMO_DIR
from gigbot.i18n import t

CHROMIUM = os.environ.get("GIGBOT_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
DOCS = Path(__file__).resolve().parents[3] / "docs"

try:
    from playwright.async_api import Locator, Page, async_playwright
except ImportError:  # pragma: no cover - depends on the machine
    pytestmark = pytest.mark.skip(reason="the Python package playwright is not installed "
                                         "(pip install -e '.[test]')")
else:
    if not Path(CHROMIUM).exists():
        pytestmark = pytest.mark.skip(reason="no Chromium at /usr/bin/chromium "
                                             "(apt-get install chromium fonts-noto-cjk)")

GOLD = {row["text"]: row["gold"]
        for name in ("training.jsonl", "exam.jsonl")
        for row in map(json.loads, (DEMO_DIR / "quiz" / name).read_text().splitlines())}
CAPTION = {"pos": "Positive", "neg": "Negative"}


def last_bot(page: Page) -> Locator:
    return page.locator(".row.bot").last


async def tap(page: Page, caption: str) -> None:
    """Tap the button ``caption`` under the bot's newest message."""
    await last_bot(page).get_by_role("button", name=caption).first.click()


async def write(page: Page, text: str) -> None:
    await page.locator("#text").fill(text)
    await page.locator("#text").press("Enter")


async def until_text(page: Page, text: str) -> str:
    """Wait until the bot's newest message holds ``text``; returns its whole text."""
    row = page.locator(".row.bot", has_text=text).last
    await row.wait_for(timeout=10_000)
    return str(await row.locator(".msg").inner_text())


async def answer_quiz(page: Page, key: str, total: int) -> None:
    for number in range(1, total + 1):
        shown = await until_text(page, t("en", key, number=number, total=total))
        gold = [g for text, g in GOLD.items() if text in shown]
        assert len(gold) == 1, shown
        await tap(page, CAPTION[gold[0]])


async def test_a_worker_goes_the_whole_path_in_the_browser(
        playground: Running, tmp_path: Path) -> None:
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        try:
            page = await browser.new_page(viewport={"width": 390, "height": 844},
                                          device_scale_factor=2)
            errors: list[Any] = []
            page.on("pageerror", lambda error: errors.append(error))
            await page.goto(playground.url)
            await page.locator("body[data-ready='1']").wait_for()
            assert await page.locator(".person").all_inner_texts() == [
                "Annen", "Borako", "Chrisen", "Adminadmin"]

            await page.locator("#menubtn").click()  # the bot's command menu
            await page.locator(".menu button", has_text="/start").click()
            await until_text(page, "English")
            await tap(page, "English")
            await until_text(page, "I agree")
            await tap(page, "I agree")
            await tap(page, t("en", "onboarding.zone.seoul"))
            await until_text(page, t("en", "menu.welcome"))

            await write(page, "/quiz")
            await until_text(page, t("en", "quiz.list_title"))
            await tap(page, "Review sentiment quiz")
            await tap(page, "Training")
            await answer_quiz(page, "quiz.question_training", 4)
            await until_text(page, "Training finished")
            await tap(page, "Exam")
            await answer_quiz(page, "quiz.question_exam", 4)
            await until_text(page, "You passed")

            await write(page, "/tasks")
            await until_text(page, "Review sentiment")
            await tap(page, "Review sentiment")
            for number in range(5):
                before = await last_bot(page).locator(".msg").inner_text()
                await page.wait_for_timeout(450)  # a person reads before tapping
                await tap(page, CAPTION["pos" if number % 2 else "neg"])
                await page.wait_for_function(
                    "old => { const rows = document.querySelectorAll('.row.bot');"
                    " return rows[rows.length - 1].innerText !== old; }", arg=before)
            await tap(page, "Stop")

            await write(page, "/tasks")
            await until_text(page, "Voice transcription")
            await tap(page, "Voice transcription")
            voice = page.locator(".msg[data-kind='voice'] audio").last
            await voice.wait_for()
            assert (await voice.get_attribute("src") or "").startswith("/api/files/")
            await page.locator("#replybar").wait_for()  # the bot asked for a reply
            mine = await page.locator(".row.user").count()
            await write(page, "The train leaves at seven in the morning.")
            await page.locator(".row.user").nth(mine).wait_for()
            sent = int(await page.locator(".row.user").last.get_attribute("data-id") or 0)
            await page.wait_for_function(  # the bot answers the transcription
                "id => [...document.querySelectorAll('.row.bot')]"
                ".some(row => Number(row.dataset.id) > id)", arg=sent)

            await page.get_by_role("button", name="Bora").click()  # another person's phone
            await write(page, "<b>not bold</b>")
            await page.locator(".row.user", has_text="<b>not bold</b>").wait_for()
            assert await page.locator(".row.user b").count() == 0
            await page.get_by_role("button", name="Ann").click()
            await page.locator(".msg[data-kind='voice']").last.scroll_into_view_if_needed()
            shot = await page.screenshot()
            (tmp_path / "playground.png").write_bytes(shot)
            if os.environ.get("GIGBOT_UPDATE_SCREENSHOT"):
                (DOCS / "playground.png").write_bytes(shot)
            assert errors == []
        finally:
            await browser.close()
