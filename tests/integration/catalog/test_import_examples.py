"""Importing the example projects and quizzes: folder, .toml and .zip, re-import, atomicity."""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import pytest

from gigbot.catalog.importer import CONTROL_NEEDED, ImportRejected, import_project, import_quiz
from gigbot.clock import FrozenClock
from gigbot.db.models import AuditLog, Item, Project, Quiz, QuizItem

EXAMPLES = Path(__file__).resolve().parents[3] / "examples"


def zip_folder(folder: Path, target: Path, *, top: str | None = None) -> Path:
    """``folder`` zipped with its files at the root, or inside one top-level folder."""
    with zipfile.ZipFile(target, "w") as archive:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                name = path.relative_to(folder).as_posix()
                archive.write(path, f"{top}/{name}" if top else name)
    return target


async def test_examples_import_from_folders(any_db: str, tmp_path: Path) -> None:
    clock = FrozenClock()
    quiz = await import_quiz(EXAMPLES / "sentiment-exam", data_dir=tmp_path, clock=clock)
    assert (quiz.training, quiz.exam, quiz.new, quiz.created) == (6, 12, 18, True)
    review = await import_project(EXAMPLES / "review-sentiment", data_dir=tmp_path, clock=clock)
    assert (review.items, review.new, review.updated, review.control) == (40, 40, 0, 8)
    project = await Project.get(slug="review-sentiment")
    assert project.qualification_id == (await Quiz.get(slug="sentiment-exam")).id  # type: ignore[attr-defined]
    assert project.labels[0] == {"value": "pos", "en": "Positive", "ko": "긍정"}
    assert project.lease_minutes == 10
    gold = await Item.get(project=project, key="r005")
    assert (gold.gold, gold.is_control, gold.needed) == ("pos", True, CONTROL_NEEDED)
    plain = await Item.get(project=project, key="r001")
    assert (plain.gold, plain.is_control, plain.needed) == (None, False, 3)
    exam_gold = await QuizItem.filter(quiz__slug="sentiment-exam", part="exam").values_list(
        "gold", flat=True
    )
    assert sorted(exam_gold) == ["neg"] * 6 + ["pos"] * 6
    assert await AuditLog.filter(action="project.import").count() == 1


async def test_media_examples_copy_into_the_store(any_db: str, tmp_path: Path) -> None:
    clock = FrozenClock()
    photos = await import_project(EXAMPLES / "photo-tags" / "project.toml", data_dir=tmp_path,
                                  clock=clock)
    assert (photos.items, photos.control, photos.media) == (6, 2, 6)
    p1 = await Item.get(key="p1", project__slug="photo-tags")
    assert p1.gold == ["circle", "red"]
    assert p1.image is not None and p1.image.startswith("media/photo-tags/")
    stored = tmp_path / p1.image
    assert stored.read_bytes() == (EXAMPLES / "photo-tags" / "images" / "p1.jpg").read_bytes()
    voice = await import_project(EXAMPLES / "voice-notes", data_dir=tmp_path, clock=clock)
    assert (voice.items, voice.control) == (3, 1)
    v1 = await Item.get(key="v1", project__slug="voice-notes")
    assert v1.gold == "안녕하세요, 반갑습니다."
    assert v1.audio is not None and (tmp_path / v1.audio).is_file()
    project = await Project.get(slug="voice-notes")
    assert project.rules == {"cer_threshold": 0.15}


@pytest.mark.parametrize("top", [None, "voice-notes"])
async def test_zip_import(any_db: str, tmp_path: Path, top: str | None) -> None:
    archive = zip_folder(EXAMPLES / "voice-notes", tmp_path / "voice.zip", top=top)
    report = await import_project(archive, data_dir=tmp_path / "data", clock=FrozenClock())
    assert (report.items, report.new, report.media) == (3, 3, 3)
    assert len(list((tmp_path / "data" / "media" / "voice-notes").iterdir())) == 3


async def test_quiz_first_then_project(any_db: str, tmp_path: Path) -> None:
    with pytest.raises(ImportRejected) as rejected:
        await import_project(EXAMPLES / "review-sentiment", data_dir=tmp_path,
                             clock=FrozenClock())
    assert str(rejected.value).startswith("project.toml:16: qualification: no quiz")
    assert "import the quiz first" in str(rejected.value)
    assert await Project.all().count() == 0


async def test_bad_file_imports_nothing(any_db: str, tmp_path: Path) -> None:
    folder = tmp_path / "voice"
    shutil.copytree(EXAMPLES / "voice-notes", folder)
    with (folder / "items.jsonl").open("a", encoding="utf-8") as out:
        out.write('{"key": "v4", "audio": "audio/missing.wav"}\n')
    before = (await Project.all().count(), await Item.all().count())
    with pytest.raises(ImportRejected) as rejected:
        await import_project(folder, data_dir=tmp_path / "data", clock=FrozenClock())
    assert str(rejected.value) == 'items.jsonl:4: audio: "audio/missing.wav" is missing'
    assert (await Project.all().count(), await Item.all().count()) == before
    assert not (tmp_path / "data" / "media").exists()
