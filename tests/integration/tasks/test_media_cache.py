"""Media are prepared once per (file, variant), cached under the data dir, then sent by file_id."""

from __future__ import annotations

import io
from pathlib import Path

from PIL import Image

from gigbot.db.models import MediaFile
from gigbot.tasks.media import MediaKind, prepare_media, remember_file_id
from tests.helpers.tasks import START


def _store(data_dir: Path, name: str, data: bytes) -> str:
    path = data_dir / "media" / "demo" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return f"media/demo/{name}"


async def test_image_is_prepared_once_and_reused(db_url: str, tmp_path: Path) -> None:
    raw = io.BytesIO()
    Image.new("RGB", (2000, 1000), "red").save(raw, "PNG")
    stored = _store(tmp_path, f"{'a' * 64}.png", raw.getvalue())
    first = await prepare_media(tmp_path, stored, "image", watermark=None, now=START)
    assert first.kind is MediaKind.PHOTO and first.file_id is None
    assert first.path.is_file() and first.path.parent == tmp_path / "media" / "cache"
    with Image.open(first.path) as image:
        assert image.size == (1280, 640)
    await remember_file_id(first.id, "FILE-1")
    await remember_file_id(first.id, "FILE-2")  # the first upload's id stays
    again = await prepare_media(tmp_path, stored, "image", watermark=None, now=START)
    assert (again.id, again.file_id) == (first.id, "FILE-1")
    marked = await prepare_media(tmp_path, stored, "image", watermark="w123", now=START)
    assert marked.id != first.id and marked.path != first.path and marked.file_id is None
    assert await MediaFile.all().count() == 2


async def test_audio_is_sent_as_voice_or_audio(db_url: str, tmp_path: Path) -> None:
    ogg = _store(tmp_path, f"{'b' * 64}.ogg", b"OggS fake opus")
    wav = _store(tmp_path, f"{'c' * 64}.wav", b"RIFF fake wav")
    voice = await prepare_media(tmp_path, ogg, "audio", watermark=None, now=START)
    audio = await prepare_media(tmp_path, wav, "audio", watermark=None, now=START)
    assert voice.kind is MediaKind.VOICE and voice.path == tmp_path / ogg
    assert audio.kind is MediaKind.AUDIO and audio.mime == "audio/wav"
