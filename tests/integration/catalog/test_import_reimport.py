"""Re-importing a project or quiz: updates, additions, nothing deleted; atomic rollback."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from gigbot.catalog import importer
from gigbot.catalog.importer import CONTROL_NEEDED, ImportRejected, import_project, import_quiz
from gigbot.clock import FrozenClock
from gigbot.db.models import (
    Answer,
    Item,
    ItemStatus,
    Lease,
    LeaseStatus,
    Project,
    Quiz,
    QuizAttempt,
    QuizItem,
    User,
)

EXAMPLES = Path(__file__).resolve().parents[3] / "examples"
NOW = dt.datetime(2026, 5, 1, 9, 0, tzinfo=dt.UTC)


def copy_example(name: str, tmp_path: Path) -> Path:
    return Path(shutil.copytree(EXAMPLES / name, tmp_path / name))


def rewrite_items(folder: Path, change: Any, name: str = "items.jsonl") -> None:
    """Apply ``change(list_of_items)`` to a JSONL file."""
    path = folder / name
    items = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    items = change(items)
    path.write_text(
        "".join(json.dumps(x, ensure_ascii=False) + "\n" for x in items), encoding="utf-8"
    )


async def answer(item: Item, *, value: Any = "pos") -> Answer:
    """A worker who answered ``item`` (rows written directly: the answer path is not ours)."""
    n = await User.all().count()
    user = await User.create(tg_id=1000 + n, pseudonym=f"w{n}", created_at=NOW, last_seen_at=NOW)
    lease = await Lease.create(
        item=item,
        worker=user,
        project_id=item.project_id,  # type: ignore[attr-defined]
        status=LeaseStatus.ANSWERED,
        created_at=NOW,
        expires_at=NOW + dt.timedelta(minutes=10),
    )
    row = Answer(
        lease=lease,
        item=item,
        worker=user,
        project_id=item.project_id,  # type: ignore[attr-defined]
        value=value,
        seconds=3.0,
        created_at=NOW,
    )
    await row.save()
    return row


async def setup_review(tmp_path: Path) -> Path:
    clock = FrozenClock(NOW)
    await import_quiz(EXAMPLES / "sentiment-exam", data_dir=tmp_path / "data", clock=clock)
    folder = copy_example("review-sentiment", tmp_path)
    await import_project(folder, data_dir=tmp_path / "data", clock=clock)
    return folder


async def test_reimport_updates_adds_and_keeps(any_db: str, tmp_path: Path) -> None:
    folder = await setup_review(tmp_path)
    project = await Project.get(slug="review-sentiment")
    r001 = await Item.get(project=project, key="r001")
    given = await answer(r001)
    await Item.filter(id=r001.id).update(answers_count=1, taken=1)
    await Item.filter(project=project, key="r002").update(
        status=ItemStatus.COMPLETE, label="neg", needed=3
    )

    def change(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
        items = [x for x in items if x["key"] not in ("r039", "r040")]  # left out: they stay
        items[0]["text"] = "Arrived early, works perfectly."
        items[2]["gold"] = "pos"  # r003 becomes a control item
        items[4].pop("gold")  # r005 is no longer one
        return [*items, {"key": "r041", "text": "Brand new review"}]

    rewrite_items(folder, change)
    toml = (folder / "project.toml").read_text(encoding="utf-8")
    (folder / "project.toml").write_text(
        toml.replace("reward = 30", "reward = 40")
        .replace("overlap = 3", "overlap = 4")
        .replace('title = { en = "Review sentiment"', 'title = { en = "Review tone"'),
        encoding="utf-8",
    )
    report = await import_project(folder, data_dir=tmp_path / "data", clock=FrozenClock(NOW))
    # unchanged: r002 (complete: its answers wanted stay) and the 7 control items still so
    assert (report.items, report.new, report.updated, report.unchanged, report.kept) == (
        39, 1, 30, 8, 2)
    assert report.control == 8
    project = await Project.get(slug="review-sentiment")
    assert (project.reward, project.overlap, project.title["en"]) == (40, 4, "Review tone")
    assert await Item.filter(project=project).count() == 41
    r001 = await Item.get(id=r001.id)
    assert r001.text == "Arrived early, works perfectly."
    assert (r001.answers_count, r001.taken, r001.needed) == (1, 1, 4)  # stats kept
    assert await Answer.filter(id=given.id).exists()
    r002 = await Item.get(project=project, key="r002")
    assert (r002.status, r002.label, r002.needed) == (ItemStatus.COMPLETE, "neg", 3)
    r003 = await Item.get(project=project, key="r003")
    assert (r003.gold, r003.is_control, r003.needed) == ("pos", True, CONTROL_NEEDED)
    r005 = await Item.get(project=project, key="r005")
    assert (r005.gold, r005.is_control, r005.needed) == (None, False, 4)
    assert await Item.filter(project=project, key="r040").exists()


async def test_labels_keep_their_order_once_work_started(any_db: str, tmp_path: Path) -> None:
    folder = await setup_review(tmp_path)
    toml = (folder / "project.toml").read_text(encoding="utf-8")
    swapped = (
        toml.replace('{ value = "pos", en = "Positive", ko = "긍정" },', "@@")
        .replace(
            '{ value = "neg", en = "Negative", ko = "부정" } ]',
            '{ value = "pos", en = "Positive", ko = "긍정" } ]',
        )
        .replace("@@", '{ value = "neg", en = "Negative", ko = "부정" },')
    )
    (folder / "project.toml").write_text(swapped, encoding="utf-8")
    # no work yet: reordering is allowed
    await import_project(folder, data_dir=tmp_path / "data", clock=FrozenClock(NOW))
    await answer(await Item.get(key="r001"))
    (folder / "project.toml").write_text(toml, encoding="utf-8")
    with pytest.raises(ImportRejected) as rejected:
        await import_project(folder, data_dir=tmp_path / "data", clock=FrozenClock(NOW))
    assert str(rejected.value) == (
        "project.toml:8: labels: work has started, so the label values neg, pos must stay "
        "first and in this order; add new labels at the end"
    )
    more = swapped.replace(
        'ko = "긍정" } ]', 'ko = "긍정" },\n { value = "mixed", en = "Mixed", ko = "복합" } ]'
    )
    (folder / "project.toml").write_text(more, encoding="utf-8")
    await import_project(folder, data_dir=tmp_path / "data", clock=FrozenClock(NOW))
    project = await Project.get(slug="review-sentiment")
    assert [label["value"] for label in project.labels] == ["neg", "pos", "mixed"]
    (folder / "project.toml").write_text(
        more.replace('"classification"', '"transcription"'), encoding="utf-8"
    )
    with pytest.raises(ImportRejected):
        await import_project(folder, data_dir=tmp_path / "data", clock=FrozenClock(NOW))


async def test_quiz_reimport(any_db: str, tmp_path: Path) -> None:
    folder = copy_example("sentiment-exam", tmp_path)
    await import_quiz(folder, data_dir=tmp_path, clock=FrozenClock(NOW))

    def change(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
        items[0]["text"] = "Changed"
        return [
            *items[1:],
            items[0],
            {"key": "e13", "text": "New", "gold": "pos"},
            {"key": "e14", "text": "Newer", "gold": "neg"},
        ]

    rewrite_items(folder, change, "exam.jsonl")
    (folder / "quiz.toml").write_text(
        (folder / "quiz.toml")
        .read_text(encoding="utf-8")
        .replace("questions = 6", "questions = 8"),
        encoding="utf-8",
    )
    report = await import_quiz(folder, data_dir=tmp_path, clock=FrozenClock(NOW))
    # the training is as it was; every exam item moved one place (seq) and e01 changed
    assert (report.training, report.exam, report.new, report.updated, report.unchanged,
            report.kept) == (6, 14, 2, 12, 6, 0)
    quiz = await Quiz.get(slug="sentiment-exam")
    assert quiz.questions == 8
    e01 = await QuizItem.get(quiz=quiz, part="exam", key="e01")
    assert (e01.text, e01.seq, e01.gold) == ("Changed", 12, "pos")
    user = await User.create(tg_id=7, pseudonym="w7", created_at=NOW, last_seen_at=NOW)
    await QuizAttempt.create(worker=user, quiz=quiz, part="exam", started_at=NOW)
    toml = (folder / "quiz.toml").read_text(encoding="utf-8")
    (folder / "quiz.toml").write_text(
        toml.replace('{ value = "pos", en = "Positive", ko = "긍정" },', "@@")
        .replace(
            '{ value = "neg", en = "Negative", ko = "부정" } ]',
            '{ value = "pos", en = "Positive", ko = "긍정" } ]',
        )
        .replace("@@", '{ value = "neg", en = "Negative", ko = "부정" },'),
        encoding="utf-8",
    )
    with pytest.raises(ImportRejected) as rejected:
        await import_quiz(folder, data_dir=tmp_path, clock=FrozenClock(NOW))
    assert str(rejected.value).startswith("quiz.toml:6: labels: work has started")


async def test_failure_inside_the_transaction_rolls_everything_back(
    any_db: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    original = importer.rows

    def failing_rows(*args: Any, **kwargs: Any) -> Iterator[Any]:
        for n, row in enumerate(original(*args, **kwargs)):
            if n == 5:
                raise ImportRejected([importer.ImportFileError("items.jsonl", 6, "key", "boom")])
            yield row

    monkeypatch.setattr(importer, "BATCH", 2)  # three batches are written before the failure
    monkeypatch.setattr(importer, "rows", failing_rows)
    folder = copy_example("voice-notes", tmp_path)
    rewrite_items(
        folder,
        lambda items: items * 1 + [{"key": f"x{n}", "audio": "audio/v1.wav"} for n in range(6)],
    )
    with pytest.raises(ImportRejected, match="boom"):
        await import_project(folder, data_dir=tmp_path, clock=FrozenClock(NOW))
    assert (await Project.all().count(), await Item.all().count()) == (0, 0)


async def test_a_lowered_max_overlap_settles_items_that_have_enough(any_db: str,
                                                                   tmp_path: Path) -> None:
    folder = await setup_review(tmp_path)
    first = await Item.get(key="r001")
    await Item.filter(id=first.id).update(needed=5)  # the confidence rule asked for more
    for _ in range(4):
        await answer(first, value="pos")
    await Item.filter(id=first.id).update(answers_count=4, taken=4)
    toml = folder / "project.toml"
    text = toml.read_text(encoding="utf-8")
    toml.write_text(text.replace("max_overlap = 5", "max_overlap = 4"), encoding="utf-8")
    await import_project(folder, data_dir=tmp_path / "data", clock=FrozenClock(NOW))
    settled = await Item.get(id=first.id)
    assert settled.status == ItemStatus.COMPLETE and settled.label == "pos"
    assert await Answer.filter(item_id=first.id).count() == 4  # nothing deleted


async def test_reimport_of_an_unchanged_project_changes_nothing(any_db: str,
                                                                 tmp_path: Path) -> None:
    folder = await setup_review(tmp_path)
    report = await import_project(folder, data_dir=tmp_path / "data", clock=FrozenClock(NOW))
    assert (report.created, report.new, report.updated, report.unchanged, report.kept) == (
        False, 0, 0, 40, 0)
    quiz_folder = copy_example("sentiment-exam", tmp_path / "again")
    quiz = await import_quiz(quiz_folder, data_dir=tmp_path, clock=FrozenClock(NOW))
    assert (quiz.created, quiz.new, quiz.updated, quiz.unchanged, quiz.kept) == (
        False, 0, 0, 18, 0)
