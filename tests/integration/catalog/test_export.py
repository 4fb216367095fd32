"""Project export: item rows by every method, answer rows with pseudonyms or Telegram ids."""

from __future__ import annotations

import asyncio
import csv
import io
import json
from pathlib import Path

import pytest

from gigbot.catalog.export import ANSWER_FIELDS, ITEM_FIELDS, answer_rows, item_rows, write_rows
from gigbot.cli import main
from gigbot.db import close_db, init_db
from gigbot.db.models import Project, User
from tests.helpers import crowd


async def sentiment_project() -> tuple[Project, list[User]]:
    """Four workers, a control item, a complete item, an unsure one and one with one answer."""
    p = await crowd.project()
    ws = [await crowd.worker() for _ in range(4)]
    control = await crowd.item(p, "ctl", gold="pos")
    for w, value in zip(ws, ("pos", "pos", "pos", "neg"), strict=True):
        await crowd.answer(w, control, value)
    a, b, c = [await crowd.item(p, key) for key in ("a", "b", "c")]
    for w, value in zip(ws, ("neg", "neg", "neg", "neg"), strict=True):
        await crowd.answer(w, a, value)
    for w, value in zip(ws, ("pos", "pos", "neg", "pos"), strict=True):
        await crowd.answer(w, b, value)
    await crowd.answer(ws[0], c, "pos")
    return p, ws


async def collect(rows: object) -> list[dict[str, object]]:
    return [row async for row in rows]  # type: ignore[attr-defined]


@pytest.mark.usefixtures("any_db")
async def test_item_rows_stored_and_reaggregated() -> None:
    p, _ = await sentiment_project()
    stored = await collect(item_rows(p, "stored"))
    assert [(r["key"], r["label"], r["answers"], r["method"]) for r in stored] == [
        ("ctl", "pos", 4, "gold"),
        ("a", "neg", 4, "stored"),
        ("b", None, 4, "stored"),  # 3:1 among newcomers: a fifth answer is wanted
        ("c", None, 1, "stored"),
    ]
    assert stored[0]["confidence"] == 1.0 and stored[1]["confidence"] == 0.9643  # 27 / 28
    for method in ("auto", "mv", "wmv", "ocds", "ds"):
        rows = await collect(item_rows(p, method))
        assert [(r["key"], r["label"], r["method"]) for r in rows] == [
            ("ctl", "pos", "gold"), ("a", "neg", method), ("b", "pos", method),
            ("c", "pos", method),
        ]
        assert all(0.0 < float(str(r["confidence"])) <= 1.0 for r in rows)


@pytest.mark.usefixtures("any_db")
async def test_multi_label_and_transcription_rows() -> None:
    labels = [{"value": v, "en": v.title(), "ko": v} for v in ("cat", "dog")]
    tags = await crowd.project("photo-tags", labels=labels, multi_label=True)
    it = await crowd.item(tags, "p1")
    for _ in range(3):
        await crowd.answer(await crowd.worker(), it, ["dog", "cat"])
    for method in ("stored", "mv", "ds"):
        [row] = await collect(item_rows(tags, method))
        assert row["label"] == ["cat", "dog"]
    voice = await crowd.project("voice-notes", kind="transcription", labels=[])
    clip = await crowd.item(voice, "v1")
    for text in ("hello world", "hello world", "hello word"):
        await crowd.answer(await crowd.worker(), clip, text)
    [stored] = await collect(item_rows(voice, "stored"))
    [again] = await collect(item_rows(voice, "ds"))
    assert stored["label"] == again["label"] == "hello world"
    assert again["method"] == "wrover"  # a categorical name: the text auto method
    [named] = await collect(item_rows(voice, "rover"))
    assert (named["label"], named["method"]) == ("hello world", "rover")
    out = io.StringIO()
    await write_rows(out, item_rows(tags, "stored"), ITEM_FIELDS, fmt="csv")
    [row] = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert (row["key"], json.loads(row["label"]), row["answers"]) == ("p1", ["cat", "dog"], "3")


@pytest.mark.usefixtures("any_db")
async def test_answer_rows_use_pseudonyms_unless_ids_are_asked() -> None:
    p, ws = await sentiment_project()
    rows = await collect(answer_rows(p, with_ids=False))
    assert len(rows) == 13
    assert rows[0] == {"key": "ctl", "worker": ws[0].pseudonym, "answer": "pos",
                       "seconds": 6.0, "is_control": True, "correct": True,
                       "status": "accepted"}
    assert rows[3]["correct"] is False and rows[4]["correct"] is None
    assert {r["worker"] for r in rows} == {w.pseudonym for w in ws}
    with_ids = await collect(answer_rows(p, with_ids=True))
    assert {r["worker_tg_id"] for r in with_ids} == {w.tg_id for w in ws}
    out = io.StringIO()
    assert await write_rows(out, answer_rows(p, with_ids=False), ANSWER_FIELDS, fmt="jsonl") == 13
    first = json.loads(out.getvalue().splitlines()[0])
    assert list(first) == list(ANSWER_FIELDS) and first["is_control"] is True


def test_cli_export_csv_jsonl_ids_and_unknown_slug(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite://{tmp_path / 'gigbot.sqlite3'}"

    async def seed() -> list[User]:
        await init_db(url)
        try:
            return (await sentiment_project())[1]
        finally:
            await close_db()

    workers = asyncio.run(seed())
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("GIGBOT_DB_URL", url)

    assert main(["project", "export", "review-sentiment", "--out", "items.csv"]) == 0
    with open(tmp_path / "items.csv", encoding="utf-8", newline="") as fh:
        items = list(csv.DictReader(fh))
    assert [(r["key"], r["label"], r["answers"]) for r in items] == [
        ("ctl", "pos", "4"), ("a", "neg", "4"), ("b", "", "4"), ("c", "", "1")
    ]
    assert "exported 4 items" in capsys.readouterr().err

    assert main(["project", "export", "review-sentiment", "--answers", "--format", "jsonl"]) == 0
    captured = capsys.readouterr()
    lines = [json.loads(line) for line in captured.out.splitlines()]
    assert len(lines) == 13 and {x["worker"] for x in lines} == {w.pseudonym for w in workers}
    assert "personal data" not in captured.err
    assert not any(str(w.tg_id) in captured.out for w in workers)

    assert main(["project", "export", "review-sentiment", "--answers", "--with-ids"]) == 0
    captured = capsys.readouterr()
    rows = list(csv.DictReader(io.StringIO(captured.out)))
    assert {int(r["worker_tg_id"]) for r in rows} == {w.tg_id for w in workers}
    assert captured.err.count("\n") == 1 and "personal data" in captured.err

    assert main(["project", "export", "no-such-project"]) == 2
    captured = capsys.readouterr()
    assert captured.err == "gigbot: there is no project no-such-project\n"
    assert captured.out == ""
