"""Files the bot uploaded or users sent, addressable by file_id and by download path."""

from __future__ import annotations

import io
import itertools
import mimetypes
import secrets
from typing import Any

from .state import StoredFile

__all__ = ["FileStore", "image_size"]

_FOLDERS = {
    "photo": ("photos", ".jpg"),
    "voice": ("voice", ".oga"),
    "audio": ("music", ".mp3"),
    "document": ("documents", ""),
    "sticker": ("stickers", ".webp"),
}


def image_size(data: bytes) -> tuple[int, int] | None:
    """Width and height of an image Pillow can read, else None (reads the header only)."""
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as image:
            return image.size
    except (UnidentifiedImageError, OSError, ValueError):
        return None


class FileStore:
    """An in-memory file store; ids look opaque like Telegram's and never repeat."""

    __slots__ = ("_by_id", "_by_path", "_counter")

    def __init__(self) -> None:
        self._by_id: dict[str, StoredFile] = {}
        self._by_path: dict[str, StoredFile] = {}
        self._counter = itertools.count(1)

    def __len__(self) -> int:
        return len(self._by_id)

    def add(
        self,
        data: bytes,
        *,
        kind: str,
        mime_type: str | None = None,
        file_name: str | None = None,
        duration: int = 0,
        size: tuple[int, int] | None = None,
    ) -> StoredFile:
        """Store bytes as a new file and return it."""
        number = next(self._counter)
        folder, suffix = _FOLDERS.get(kind, ("documents", ""))
        if file_name and "." in file_name:
            suffix = "." + file_name.rsplit(".", 1)[1][:10]
        if mime_type is None and file_name:
            mime_type = mimetypes.guess_type(file_name)[0]
        if kind == "photo" and size is None:
            size = image_size(data) or (320, 240)
        width, height = size or (0, 0)
        stored = StoredFile(
            file_id=f"{kind[:2].upper()}ACAgQAAx{number:06d}{secrets.token_urlsafe(12)}",
            file_unique_id=f"AQAD{number:06d}{secrets.token_hex(3)}",
            data=data,
            kind=kind,
            file_path=f"{folder}/file_{number}{suffix}",
            mime_type=mime_type,
            file_name=file_name,
            width=width,
            height=height,
            duration=duration,
        )
        self._by_id[stored.file_id] = stored
        self._by_path[stored.file_path] = stored
        return stored

    def get(self, file_id: str) -> StoredFile | None:
        """The file with this file_id."""
        return self._by_id.get(file_id)

    def by_path(self, path: str) -> StoredFile | None:
        """The file at this download path (as returned by getFile)."""
        return self._by_path.get(path)

    @staticmethod
    def photo_size(stored: StoredFile) -> dict[str, Any]:
        """A ``PhotoSize`` object for a stored photo."""
        return {**stored.base(), "width": stored.width, "height": stored.height}
