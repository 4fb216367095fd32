"""Task media: images re-encoded once with Pillow, audio as stored; cached, then sent by file_id.

Images are rotated by their EXIF orientation, stripped of every metadata block (EXIF, GPS, XMP,
ICC, comments), shrunk to a long side of at most 1280 px and saved as JPEG; a worker watermark
(their pseudonym, never their Telegram id or name) is optional and off by default
(``GIGBOT_WATERMARK=1`` turns it on for every project). The result is written once under
``<data dir>/media/cache/`` and recorded in ``MediaFile`` by (source sha256, variant); after the
first upload the handler stores Telegram's ``file_id`` and every later send reuses it.

Audio is not re-encoded: ogg/opus goes out as a voice message, anything else as an audio file.
Owner of the ``media_file`` table.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import io
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path, PurePosixPath

from PIL import Image, ImageDraw, ImageFont, ImageOps
from tortoise.exceptions import IntegrityError

from gigbot.db.models import MediaFile

__all__ = [
    "MAX_SIDE",
    "MediaKind",
    "MediaRef",
    "audio_kind",
    "forget_file_id",
    "prepare_media",
    "reencode_image",
    "remember_file_id",
]

MAX_SIDE = 1280
JPEG_QUALITY = 85
_VOICE_EXTENSIONS = frozenset({"ogg", "oga", "opus"})
_AUDIO_MIME = {"mp3": "audio/mpeg", "m4a": "audio/mp4", "wav": "audio/wav"}


class MediaKind(StrEnum):
    """How a media file is sent: sendPhoto, sendVoice or sendAudio."""

    PHOTO = "photo"
    VOICE = "voice"
    AUDIO = "audio"


@dataclass(frozen=True, slots=True)
class MediaRef:
    """A prepared file to send: by ``file_id`` when known, else uploaded from ``path``."""

    id: int
    kind: MediaKind
    path: Path
    filename: str
    mime: str
    file_id: str | None


def audio_kind(path: str) -> MediaKind:
    """Voice for ogg/opus (Telegram's voice format), audio for mp3, m4a, wav."""
    return MediaKind.VOICE if _ext(path) in _VOICE_EXTENSIONS else MediaKind.AUDIO


def _ext(path: str) -> str:
    return PurePosixPath(path).suffix.lower().lstrip(".")


def _watermark(image: Image.Image, text: str) -> Image.Image:
    """``text`` in a translucent band at the bottom right, sized to the picture."""
    base = image.convert("RGBA")
    layer = Image.new("RGBA", base.size, (0, 0, 0, 0))
    pen = ImageDraw.Draw(layer)
    size = max(10, min(base.size) // 18)
    font = ImageFont.load_default(size=size)
    left, top, right, bottom = pen.textbbox((0, 0), text, font=font)
    margin = max(2, size // 3)
    x = base.width - (right - left) - 2 * margin
    y = base.height - (bottom - top) - 2 * margin
    pen.rectangle((x, y, base.width, base.height), fill=(0, 0, 0, 90))
    pen.text((x + margin - left, y + margin - top), text, font=font, fill=(255, 255, 255, 170))
    return Image.alpha_composite(base, layer).convert("RGB")


def _flatten(image: Image.Image) -> Image.Image:
    """RGB or L; transparency laid on white (JPEG has no alpha)."""
    if image.mode in ("RGB", "L"):
        return image
    if image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info:
        rgba = image.convert("RGBA")
        white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        return Image.alpha_composite(white, rgba).convert("RGB")
    return image.convert("RGB")


def reencode_image(
    data: bytes, *, watermark: str | None = None, max_side: int = MAX_SIDE
) -> bytes:
    """A clean JPEG of ``data``: oriented, without metadata, long side ≤ ``max_side``."""
    with Image.open(io.BytesIO(data)) as opened:
        image = ImageOps.exif_transpose(opened)  # apply the Orientation before EXIF is dropped
        image = _flatten(image)
        image.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
        if watermark:
            image = _watermark(image, watermark)
        image.info.clear()  # else the JPEG comment (and ICC, XMP) would be written again
        out = io.BytesIO()
        image.save(out, "JPEG", quality=JPEG_QUALITY, optimize=True, progressive=True)
    return out.getvalue()


def _source_sha(path: Path) -> str:
    """The content hash of a stored file: its name when content-addressed, else computed."""
    stem = path.stem
    if len(stem) == 64 and all(c in "0123456789abcdef" for c in stem):
        return stem
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def _write_image(source: Path, target: Path, watermark: str | None) -> None:
    data = reencode_image(source.read_bytes(), watermark=watermark)
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(".part")
    partial.write_bytes(data)
    partial.replace(target)


def _ref(row: MediaFile, kind: MediaKind, data_dir: Path) -> MediaRef:
    path = data_dir / row.path
    return MediaRef(id=row.id, kind=kind, path=path, filename=path.name, mime=row.mime,
                    file_id=row.file_id)


async def prepare_media(
    data_dir: Path, stored: str, kind: str, *, watermark: str | None, now: dt.datetime
) -> MediaRef:
    """The sendable file for an item's ``image`` or ``audio`` path (relative to ``data_dir``)."""
    source = data_dir / stored
    sha = await asyncio.to_thread(_source_sha, source)
    if kind == "image":
        media_kind, variant = MediaKind.PHOTO, f"wm:{watermark}" if watermark else "clean"
    else:
        media_kind, variant = audio_kind(stored), "audio"
    row = await MediaFile.get_or_none(sha256=sha, variant=variant)
    if row is not None:
        return _ref(row, media_kind, data_dir)
    if media_kind is MediaKind.PHOTO:
        tag = hashlib.sha256(variant.encode()).hexdigest()[:16]
        rel = f"media/cache/{sha}.jpg" if not watermark else f"media/cache/{sha}-{tag}.jpg"
        await asyncio.to_thread(_write_image, source, data_dir / rel, watermark)
        mime = "image/jpeg"
    else:
        rel, mime = stored, _AUDIO_MIME.get(_ext(stored), "audio/ogg")
    try:
        row = await MediaFile.create(sha256=sha, variant=variant, path=rel, mime=mime,
                                     created_at=now)
    except IntegrityError:  # prepared concurrently: the other row is as good
        row = await MediaFile.get(sha256=sha, variant=variant)
    return _ref(row, media_kind, data_dir)


async def remember_file_id(media_id: int, file_id: str) -> None:
    """Store Telegram's file_id after an upload, so later sends reuse it (the first one wins)."""
    await MediaFile.filter(id=media_id, file_id=None).update(file_id=file_id)


async def forget_file_id(media_id: int) -> None:
    """Drop a file_id the Bot API refused (another bot, another server): the next send uploads."""
    await MediaFile.filter(id=media_id).update(file_id=None)
