"""Task flows end to end: photos and multi-label, transcription by reply, skip, report, expiry,
forged, replayed and redelivered buttons, and two workers racing for the last item."""

from __future__ import annotations

import asyncio
import io
from pathlib import Path

from PIL import Image

from gigbot.db.models import (
    Admin,
    Answer,
    Item,
    ItemStatus,
    Lease,
    LeaseStatus,
    MediaFile,
    User,
)
from gigbot.emulator import BotMessage, SimUser
from gigbot.i18n import t
from gigbot.payouts import ledger
from tests.helpers.chat import item_number, start_session, tap_label
from tests.helpers.harness import Harness
from tests.helpers.tasks import write_project_dir

EXAMPLES = Path(__file__).resolve().parents[3] / "examples"


async def _project_message(user: SimUser, title: str, kind: str) -> BotMessage:
    await user.command("/tasks")
    board = await user.expect(t("en", "tasks.board_title"))
    await user.press(board, title)
    return await user.expect(predicate=lambda m: m.kind == kind, edited_ok=False)


async def test_multi_label_photos_toggle_then_done(harness: Harness) -> None:
    await harness.import_project(EXAMPLES / "photo-tags")
    ann = harness.user()
    await harness.onboard(ann)
    photo = await _project_message(ann, "Shapes and colours", "photo")
    assert photo.protect_content
    assert {"Circle", "Red", "Done", "Skip", "Report", "Stop"} <= set(photo.button_texts())
    data = photo.file_bytes
    assert data is not None
    with Image.open(io.BytesIO(data)) as image:
        assert not image.getexif()  # no EXIF, no GPS
    await ann.press(photo, "Circle")
    await ann.expect(predicate=lambda m: "✓ Circle" in m.button_texts())
    await ann.press(photo, "Red")
    await ann.expect(predicate=lambda m: "✓ Red" in m.button_texts())
    await ann.press(photo, "✓ Red")  # off again
    await ann.expect(predicate=lambda m: "Red" in m.button_texts()
                     and "✓ Red" not in m.button_texts())
    await ann.press(photo, "Done")
    following = await ann.expect(predicate=lambda m: m.kind == "photo", edited_ok=False)
    assert photo.deleted  # a photo cannot become another photo by an edit: replaced
    assert following.message_id != photo.message_id
    answer = await Answer.get(worker__tg_id=ann.id)
    assert answer.value == ["circle"]
    assert answer.status == "pending"  # consensus acceptance: earned, but held until decided
    held = await ledger.balance(answer.worker_id, harness.clock.now())
    assert (held.available, held.pending > 0) == (0, True)
    # Bob skips through every picture: each one is uploaded once, then sent by file_id
    bob = harness.user(first_name="Bob")
    await harness.onboard(bob)
    shown = await _project_message(bob, "Shapes and colours", "photo")
    while True:
        await bob.press(shown, "Skip")
        shown = await bob.expect(predicate=lambda m: m.kind == "photo"
                                 or "No more items" in m.content, edited_ok=False)
        if shown.kind != "photo":
            break
    photos = [c.params.get("photo") for c in harness.emulator.calls
              if c.method == "sendPhoto" and c.status == 200]
    uploads = [p for p in photos if not isinstance(p, str)]
    assert len(uploads) == await MediaFile.all().count()
    assert len(photos) > len(uploads)
    # ids from another bot or server (a new token, a moved data dir) are refused: upload again
    await MediaFile.all().update(file_id="AgACAgQAAxkBAAIBforeign")
    cy = harness.user(first_name="Cy")
    await harness.onboard(cy)
    shown = await _project_message(cy, "Shapes and colours", "photo")
    assert shown.file_bytes is not None
    await cy.press(shown, "Skip")
    await cy.expect(predicate=lambda m: m.kind == "photo" and m.message_id != shown.message_id,
                    edited_ok=False)
    assert await MediaFile.filter(file_id="AgACAgQAAxkBAAIBforeign").count() \
        == await MediaFile.all().count() - 2  # the two sent are uploaded and remembered anew


async def test_transcription_by_reply_with_refusals(harness: Harness) -> None:
    await harness.import_project(EXAMPLES / "voice-notes")
    ann = harness.user()
    await harness.onboard(ann)
    audio = await _project_message(ann, "Voice notes", "audio")
    assert audio.protect_content
    assert "Listen to the clip" in audio.content
    assert set(audio.button_texts()) == {"Skip", "Report", "Stop"}
    ask = await ann.expect(predicate=lambda m: m.force_reply, edited_ok=False)
    assert ask.protect_content
    await ann.reply(ask, "   ")
    await ann.expect(t("en", "tasks.text_empty"))
    await ann.reply(ask, "x" * 1001)
    await ann.expect(t("en", "tasks.text_too_long", limit=1000))
    assert await Answer.all().count() == 0
    await ann.reply(ask, "  Hello, nice to meet you ")
    following = await ann.expect(predicate=lambda m: m.kind == "audio", edited_ok=False)
    assert following.message_id > ask.message_id
    assert audio.buttons == []  # the answered item's buttons are gone
    answer = await Answer.get(worker__tg_id=ann.id)
    assert answer.value == "Hello, nice to meet you"
    assert answer.status == "pending"  # review acceptance
    # plain text (no reply) answers the open item too
    await ann.expect(predicate=lambda m: m.force_reply, edited_ok=False)
    await ann.send("second clip text")
    await ann.expect(predicate=lambda m: m.kind == "audio" or "No more items" in m.content,
                     edited_ok=False)
    assert await Answer.filter(worker__tg_id=ann.id).count() == 2


async def test_skip_and_report(harness: Harness, tmp_path: Path) -> None:
    folder = write_project_dir(tmp_path / "src", "skip-demo", items=3, overlap=3)
    await harness.import_project(folder)
    users = [harness.user(first_name=name) for name in ("Ann", "Bob", "Cid")]
    boss = harness.user(first_name="Boss")
    for user in (*users, boss):
        await harness.onboard(user)
    await Admin.create(tg_id=boss.id, added_at=harness.clock.now())
    first = await start_session(harness, users[0], "Title skip-demo")
    skipped = item_number(first)
    following = await tap_label(users[0], first, "Skip")
    assert item_number(following) != skipped
    # three reports of the same item pause it and tell the admins
    for user in users:
        item = first if user is users[0] else await start_session(harness, user, "Title skip-demo")
        while item_number(item) != 1:
            item = await tap_label(user, item, "Yes")
        await user.press(item, "Report")
        await user.expect(predicate=lambda m: "Broken media" in m.button_texts())
        answer = await user.press(item, "Broken media")
        assert answer is not None and answer.text == t("en", "tasks.reported")
    alert = await boss.expect("i0001")  # the admins are told
    assert "3 reports" in alert.content
    paused = await Item.get(key="i0001")
    assert paused.status == ItemStatus.PAUSED


async def test_lease_expiry_then_stale_button_serves_a_fresh_item(harness: Harness,
                                                                   tmp_path: Path) -> None:
    folder = write_project_dir(tmp_path / "src", "expiry-demo", items=3)
    await harness.import_project(folder)
    ann = harness.user()
    await harness.onboard(ann)
    item = await start_session(harness, ann, "Title expiry-demo")
    stale = item_number(item)
    harness.clock.advance(minutes=11)
    fresh = await tap_label(ann, item, "Yes")
    assert fresh.content.startswith(t("en", "tasks.expired"))
    assert item_number(fresh) != stale
    assert await Answer.all().count() == 0
    lease = await Lease.filter(status=LeaseStatus.EXPIRED).first()
    assert lease is not None
    assert (await Item.get(id=lease.item_id)).taken == 0  # type: ignore[attr-defined]


async def test_forged_replayed_and_redelivered_buttons(harness: Harness, tmp_path: Path) -> None:
    folder = write_project_dir(tmp_path / "src", "forge-demo", items=5)
    await harness.import_project(folder)
    ann, bob = harness.user(), harness.user(first_name="Bob")
    for user in (ann, bob):
        await harness.onboard(user)
    item = await start_session(harness, ann, "Title forge-demo")
    bad = t("en", "errors.bad_button")
    old_data = next(data for caption, data in item.buttons[0] if caption == "Yes")
    lease_id = int(old_data.split(":")[1])
    forged = await ann.press_data(item, f"a:{lease_id}:0:AAAAAAAA")  # a made-up tag
    assert forged is not None and forged.text == bad
    unknown = await ann.press_data(item, "a:99999:0")  # wrong shape
    assert unknown is not None and unknown.text == bad
    bobs = await start_session(harness, bob, "Title forge-demo")
    foreign = await bob.press_data(bobs, old_data)  # Ann's button pressed by Bob
    assert foreign is not None and foreign.text == bad
    foreign_skip = await bob.press_data(bobs, f"sk:{lease_id}")
    assert foreign_skip is not None and foreign_skip.text == bad
    assert await Answer.all().count() == 0
    # the same tap delivered twice records one answer and edits once
    before = item.content
    await ann.press(item, "Yes", duplicate=True)
    item = await ann.expect(predicate=lambda m: m.message_id == item.message_id
                            and m.content != before)
    # a replay of the old (answered) button changes nothing and says nothing
    replay = await ann.press_data(item, old_data)
    assert replay is not None and replay.text is None
    # two fast taps on different buttons of one item record one answer
    before = item.content
    await asyncio.gather(ann.press(item, "No"), ann.press(item, "Yes"))
    await ann.expect(predicate=lambda m: m.message_id == item.message_id
                     and m.content != before)
    assert await Answer.filter(worker__tg_id=ann.id).count() == 2
    assert await Lease.filter(worker__tg_id=ann.id, status=LeaseStatus.OPEN).count() == 1


async def test_two_workers_race_for_the_last_item(harness: Harness, tmp_path: Path) -> None:
    folder = write_project_dir(tmp_path / "src", "race-demo", items=1)
    await harness.import_project(folder)
    ann, bob = harness.user(), harness.user(first_name="Bob")
    boards = []
    for user in (ann, bob):
        await harness.onboard(user)
        await user.command("/tasks")
        boards.append(await user.expect(t("en", "tasks.board_title")))
    await asyncio.gather(ann.press(boards[0], "Title race-demo"),
                         bob.press(boards[1], "Title race-demo"))
    outcomes = await asyncio.gather(
        *(user.expect(predicate=lambda m: "Review number" in m.content
                      or "No more items" in m.content, edited_ok=False)
          for user in (ann, bob))
    )
    contents = sorted("item" if "Review number" in m.content else "none" for m in outcomes)
    assert contents == ["item", "none"]
    winner_message = next(m for m in outcomes if "Review number" in m.content)
    winner = ann if winner_message.chat_id == ann.id else bob
    await tap_label(winner, winner_message, "Yes")
    item = await Item.get(key="i0000")
    assert (item.answers_count, item.taken, item.status) == (1, 1, ItemStatus.COMPLETE)


async def test_watermark_names_the_worker_by_pseudonym(tmp_path: Path) -> None:
    harness = Harness(tmp_path)
    await harness.start(GIGBOT_WATERMARK="1")
    try:
        await harness.import_project(EXAMPLES / "photo-tags")
        ann = harness.user()
        await harness.onboard(ann)
        photo = await _project_message(ann, "Shapes and colours", "photo")
        worker = await User.get(tg_id=ann.id)
        assert photo.file_bytes is not None
        marked = await MediaFile.get(file_id__not_isnull=True)
        assert marked.variant == f"wm:{worker.pseudonym}"
        assert str(ann.id) not in marked.variant
    finally:
        await harness.stop()
