"""Reading project and quiz files: a TOML file, a folder, or a .zip; JSONL streamed line by line.

A ``Bundle`` is the folder the TOML file lives in (on disk or inside a zip). Everything the TOML
names (items files, media) is a relative path inside it: absolute paths, ``..`` and links that
leave the folder are refused. Nothing here writes anywhere; errors are ``ImportFileError`` values
(``file:line: field: problem``) so callers can collect several before giving up.
"""

from __future__ import annotations

import hashlib
import json
import re
import tomllib
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import IO, Any

from PIL import Image, UnidentifiedImageError

from gigbot.errors import ImportFileError

__all__ = [
    "AUDIO_EXTENSIONS",
    "Bundle",
    "KeyLines",
    "MediaChecker",
    "MediaFile",
    "Record",
    "TomlDoc",
    "iter_jsonl",
    "member_path",
    "open_bundle",
    "read_toml",
]

AUDIO_EXTENSIONS = frozenset({"ogg", "opus", "oga", "mp3", "m4a", "wav"})
MAX_MEDIA_BYTES = 50 * 1024 * 1024  # the Bot API's upload limit
_CHUNK = 1 << 16


def member_path(text: str) -> PurePosixPath | None:
    """``text`` as a safe relative path inside a bundle, or None (absolute, ``..``, empty)."""
    if not text or "\\" in text or "\x00" in text or re.match(r"^[A-Za-z]:", text):
        return None
    path = PurePosixPath(text)
    if path.is_absolute() or any(part in ("..", "") for part in path.parts):
        return None
    parts = [part for part in path.parts if part != "."]
    return PurePosixPath(*parts) if parts else None


class Bundle:
    """The folder of a project or quiz file: on disk, or a folder inside a zip archive."""

    def __init__(self, source: Path, toml_name: str, *, root: Path | None = None,
                 archive: zipfile.ZipFile | None = None, prefix: str = "") -> None:
        self.source = source
        self.toml_name = toml_name
        self._root = root
        self._zip = archive
        self._prefix = prefix
        self._names = frozenset(archive.namelist()) if archive is not None else frozenset()

    def _folder(self) -> Path:
        """The bundle's folder (a bundle is a folder when it is not a zip)."""
        if self._root is None:
            raise RuntimeError("a bundle without a folder or a zip")
        return self._root

    def is_file(self, rel: PurePosixPath) -> bool:
        """True when ``rel`` is a regular file inside the bundle."""
        if self._zip is not None:
            return f"{self._prefix}{rel}" in self._names
        root = self._folder()
        target = root / rel
        try:
            inside = target.resolve().is_relative_to(root.resolve())
        except OSError:
            return False
        return inside and target.is_file()

    def open(self, rel: PurePosixPath) -> IO[bytes]:
        """A binary stream of ``rel`` (which must exist)."""
        if self._zip is not None:
            return self._zip.open(f"{self._prefix}{rel}")
        return (self._folder() / rel).open("rb")

    def size(self, rel: PurePosixPath) -> int:
        """The size of ``rel`` in bytes."""
        if self._zip is not None:
            return self._zip.getinfo(f"{self._prefix}{rel}").file_size
        return (self._folder() / rel).stat().st_size

    def read_text(self, rel: PurePosixPath) -> str:
        """The whole of a (small) text file, UTF-8 with an optional BOM."""
        with self.open(rel) as stream:
            data = stream.read()
        try:
            return data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            line = data[: exc.start].count(b"\n") + 1
            raise ImportFileError(str(rel), line, "encoding", "the file is not UTF-8") from None

    def close(self) -> None:
        """Release the zip archive, if any."""
        if self._zip is not None:
            self._zip.close()

    def __enter__(self) -> Bundle:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()


def open_bundle(path: Path, toml_name: str) -> Bundle:
    """The bundle at ``path``: a ``.toml`` file, a folder holding ``toml_name``, or a ``.zip``."""
    shown = str(path)
    if not path.exists():
        raise ImportFileError(shown, None, "path", "no such file or folder")
    if path.is_dir():
        if not (path / toml_name).is_file():
            problem = f"missing: the folder has no {toml_name}"
            raise ImportFileError(shown, None, toml_name, problem)
        return Bundle(path, toml_name, root=path)
    if path.suffix.lower() == ".toml":
        return Bundle(path, path.name, root=path.parent)
    if path.suffix.lower() == ".zip":
        return _open_zip(path, toml_name)
    raise ImportFileError(
        shown, None, "path", f"expected a .toml file, a folder with {toml_name}, or a .zip"
    )


def _open_zip(path: Path, toml_name: str) -> Bundle:
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise ImportFileError(path.name, None, "zip", f"not a readable zip file ({exc})") from None
    names = [n for n in archive.namelist() if not n.endswith("/")]
    if toml_name in names:
        return Bundle(path, toml_name, archive=archive)
    tops = {n.split("/", 1)[0] for n in names if "/" in n and not n.startswith("__MACOSX/")}
    nested = [f"{top}/{toml_name}" for top in sorted(tops) if f"{top}/{toml_name}" in names]
    if len(nested) == 1:
        return Bundle(path, toml_name, archive=archive, prefix=nested[0][: -len(toml_name)])
    archive.close()
    where = "in more than one top-level folder" if nested else "at its root or in one folder"
    raise ImportFileError(path.name, None, toml_name, f"the zip has no single {toml_name} {where}")


# ----- TOML with the line of every key

_HEADER = re.compile(r"^\s*(\[\[?)\s*([A-Za-z0-9_.\-\" ]+?)\s*\]\]?\s*(#.*)?$")
_KEY = re.compile(r"^\s*(\"[^\"]*\"|'[^']*'|[A-Za-z0-9_\-]+)\s*(\.|=)")
_TOML_AT = re.compile(r"\s*\(at line (\d+), column (\d+)\)$")


class KeyLines:
    """Where each key of a TOML text is defined, found by a light scan of its lines.

    Tables are named ``""`` (top level), ``"rules"``, or ``"item#3"`` (the fourth ``[[item]]``).
    """

    def __init__(self, text: str) -> None:
        self.lines = text.splitlines()
        self._at: dict[tuple[str, str], int] = {}
        self._tables: dict[str, int] = {}
        counts: dict[str, int] = {}
        table, in_string = "", False
        for number, line in enumerate(self.lines, 1):
            if line.count('"""') % 2 or line.count("'''") % 2:
                was, in_string = in_string, not in_string
                if was:
                    continue
            elif in_string:
                continue
            header = _HEADER.match(line)
            if header and not line.lstrip().startswith("[{"):
                name = header.group(2).strip().strip('"')
                if header.group(1) == "[[":
                    index = counts.get(name, 0)
                    counts[name] = index + 1
                    name = f"{name}#{index}"
                table = name
                self._tables.setdefault(table, number)
                continue
            key = _KEY.match(line)
            if key:
                self._at.setdefault((table, key.group(1).strip("\"'")), number)

    def line(self, key: str, table: str = "") -> int | None:
        """The line defining ``key`` in ``table`` (or the table's header line), if found.

        A top-level ``key`` that is itself a table (``[rules]``, ``[[item]]``) gives its header.
        """
        if table:
            return self._at.get((table, key)) or self._tables.get(table)
        return self._at.get(("", key)) or self._tables.get(key) or self._tables.get(f"{key}#0")

    def find(self, pattern: str, start: int | None, *, nth: int = 0, within: int = 200
             ) -> int | None:
        """The line of the ``nth`` match of ``pattern`` at or after ``start`` (else ``start``)."""
        if start is None:
            return None
        seen = 0
        for number in range(start, min(start + within, len(self.lines) + 1)):
            seen += len(re.findall(pattern, self.lines[number - 1]))
            if seen > nth:
                return number
        return start


@dataclass(frozen=True, slots=True)
class TomlDoc:
    """A parsed TOML file with the lines of its keys."""

    name: str
    data: dict[str, Any]
    lines: KeyLines


def read_toml(bundle: Bundle) -> TomlDoc:
    """Parse the bundle's TOML file; a syntax error names its line."""
    name = bundle.toml_name
    text = bundle.read_text(PurePosixPath(name))
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        at = _TOML_AT.search(message)
        line = int(at.group(1)) if at else None
        raise ImportFileError(name, line, "toml", _TOML_AT.sub("", message)) from None
    return TomlDoc(name, data, KeyLines(text))


# ----- JSONL, streamed


@dataclass(frozen=True, slots=True)
class Record:
    """One line of a JSONL file: its number and object, or the error that line holds."""

    line: int
    value: dict[str, Any] | None
    error: ImportFileError | None = None


def iter_jsonl(bundle: Bundle, rel: PurePosixPath) -> Iterator[Record]:
    """The non-blank lines of a JSONL file, one object each, without reading it whole."""
    file = str(rel)
    with bundle.open(rel) as stream:
        for number, raw in enumerate(stream, 1):
            if number == 1 and raw.startswith(b"\xef\xbb\xbf"):
                raw = raw[3:]
            try:
                line = raw.decode("utf-8")
            except UnicodeDecodeError:
                yield Record(number, None, ImportFileError(file, number, "encoding", "not UTF-8"))
                continue
            if not line.strip():
                continue
            try:
                value = json.loads(line)
            except json.JSONDecodeError as exc:
                problem = f"bad JSON: {exc.msg} (column {exc.colno})"
                yield Record(number, None, ImportFileError(file, number, "json", problem))
                continue
            if not isinstance(value, dict):
                problem = f"expected a JSON object, got {type(value).__name__}"
                yield Record(number, None, ImportFileError(file, number, "item", problem))
                continue
            yield Record(number, value)


# ----- media


@dataclass(frozen=True, slots=True)
class MediaFile:
    """A checked media file of the bundle: where it is and what it will be stored as."""

    rel: PurePosixPath
    sha256: str
    ext: str

    def stored_name(self) -> str:
        """Its content-addressed name in the media store."""
        return f"{self.sha256}.{self.ext}"


def _quoted(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


class MediaChecker:
    """Checks each media path once: inside the bundle, present, an image Pillow opens, or audio."""

    def __init__(self, bundle: Bundle) -> None:
        self.bundle = bundle
        self.checked: dict[tuple[str, str], MediaFile | str] = {}

    def check(self, text: str, kind: str) -> MediaFile | str:
        """The checked file, or a problem (``kind`` is ``image`` or ``audio``)."""
        cached = self.checked.get((kind, text))
        if cached is None:
            cached = self.checked[(kind, text)] = self._check(text, kind)
        return cached

    def files(self) -> list[MediaFile]:
        """Every media file that passed its check."""
        return [f for f in self.checked.values() if isinstance(f, MediaFile)]

    def _check(self, text: str, kind: str) -> MediaFile | str:
        rel = member_path(text)
        if rel is None:
            return f"{_quoted(text)} is not a relative path inside the folder (no / or ..)"
        if not self.bundle.is_file(rel):
            return f"{_quoted(text)} is missing"
        if self.bundle.size(rel) > MAX_MEDIA_BYTES:
            return f"{_quoted(text)} is over 50 MB (the Telegram upload limit)"
        ext = rel.suffix.lower().lstrip(".")
        if kind == "audio":
            if ext not in AUDIO_EXTENSIONS:
                allowed = ", ".join(sorted(AUDIO_EXTENSIONS))
                return f"{_quoted(text)} is not a supported audio file (use {allowed})"
        else:
            try:
                with self.bundle.open(rel) as stream, Image.open(stream) as image:
                    image.verify()
                    ext = "jpg" if image.format == "JPEG" else str(image.format or ext).lower()
            except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
                return f"{_quoted(text)} is not an image Pillow can open"
        digest = hashlib.sha256()
        with self.bundle.open(rel) as stream:
            while chunk := stream.read(_CHUNK):
                digest.update(chunk)
        return MediaFile(rel, digest.hexdigest(), ext)

    def copy_all(self, target: Path) -> int:
        """Copy every checked file into ``target`` by content; returns how many were new."""
        target.mkdir(parents=True, exist_ok=True)
        new = 0
        for media in self.files():
            final = target / media.stored_name()
            if final.is_file():
                continue
            partial = final.with_suffix(final.suffix + ".part")
            with self.bundle.open(media.rel) as source, partial.open("wb") as sink:
                while chunk := source.read(_CHUNK):
                    sink.write(chunk)
            partial.replace(final)
            new += 1
        return new
