"""Request parameters as the Bot API reads them: query string, JSON, form or multipart."""

from __future__ import annotations

import contextlib
import json
from dataclasses import dataclass
from typing import Any

from aiohttp import web
from multidict import MultiDictProxy

from .errors import ApiError, bad_request

__all__ = ["Params", "Upload", "read_params"]

# Parameters that are not strings: form and multipart requests carry them as JSON text.
_JSON_FIELDS = frozenset(
    {
        "allowed_updates",
        "cache_time",
        "caption_entities",
        "chat_id",
        "commands",
        "disable_notification",
        "drop_pending_updates",
        "duration",
        "entities",
        "limit",
        "link_preview_options",
        "max_connections",
        "message_id",
        "message_thread_id",
        "offset",
        "protect_content",
        "reply_markup",
        "reply_parameters",
        "reply_to_message_id",
        "scope",
        "show_alert",
        "timeout",
    }
)


@dataclass(frozen=True, slots=True)
class Upload:
    """A file sent in a multipart request."""

    filename: str
    content_type: str | None
    data: bytes

    def __repr__(self) -> str:
        return f"<Upload {self.filename!r} {len(self.data)} bytes>"


class Params:
    """Typed access to one call's parameters; form values arrive as strings or JSON text."""

    __slots__ = ("files", "values")

    def __init__(self, values: dict[str, Any], files: dict[str, Upload] | None = None) -> None:
        self.values = values
        self.files = files or {}

    def __contains__(self, name: str) -> bool:
        return name in self.values or name in self.files

    def raw(self, name: str) -> Any:
        """The value as received (None when absent)."""
        return self.values.get(name)

    def text(self, name: str) -> str | None:
        """A string parameter (numbers are turned into text, as Telegram does)."""
        value = self.values.get(name)
        if value is None:
            return None
        if isinstance(value, bool):
            return "true" if value else "false"
        return value if isinstance(value, str) else str(value)

    def integer(self, name: str, *, error: str | None = None) -> int | None:
        """An integer parameter; a malformed one raises 400 with ``error``."""
        value = self.values.get(name)
        if value is None or value == "":
            return None
        if isinstance(value, bool):
            return int(value)
        if isinstance(value, int):
            return value
        try:
            return int(str(value).strip())
        except ValueError:
            raise bad_request(error or f"invalid {name} specified") from None

    def flag(self, name: str) -> bool:
        """A boolean parameter (``true``/``1`` and JSON true count as true)."""
        value = self.values.get(name)
        if isinstance(value, str):
            return value.strip().lower() in ("true", "1")
        return bool(value)

    def obj(self, name: str, *, error: str) -> Any:
        """A JSON-serialised parameter (object or array), decoded; malformed raises 400."""
        value = self.values.get(name)
        if value is None or value == "":
            return None
        if isinstance(value, str):
            try:
                return json.loads(value)
            except ValueError:
                raise bad_request(error) from None
        return value

    def upload(self, name: str) -> Upload | str | None:
        """A file parameter: an uploaded file (also via ``attach://``) or a file_id/URL string."""
        if name in self.files:
            return self.files[name]
        value = self.text(name)
        if value and value.startswith("attach://"):
            return self.files.get(value[len("attach://") :])
        return value or None

    def recorded(self) -> dict[str, Any]:
        """Parameters as JSON values for :class:`ApiCall` records (``chat_id`` an int…)."""
        values = dict(self.values)
        for name in _JSON_FIELDS.intersection(values):
            value = values[name]
            if isinstance(value, str):
                with contextlib.suppress(ValueError):
                    values[name] = json.loads(value)
        for name, upload in self.files.items():
            values[name] = upload
        return values


async def read_params(request: web.Request) -> Params:
    """Merge the query string and the body (JSON, urlencoded or multipart) into Params."""
    values: dict[str, Any] = dict(request.query)
    files: dict[str, Upload] = {}
    if request.method == "GET" or not request.can_read_body:
        return Params(values)
    ctype = request.content_type
    if ctype == "application/json":
        try:
            body = await request.json()
        except ValueError:
            raise bad_request("can't parse JSON") from None
        if not isinstance(body, dict):
            raise bad_request("can't parse JSON")
        values.update(body)
    elif ctype in ("application/x-www-form-urlencoded", "multipart/form-data"):
        form: MultiDictProxy[Any] = await request.post()
        for key, value in form.items():
            if isinstance(value, web.FileField):
                files[key] = Upload(value.filename, value.content_type, value.file.read())
            else:
                values[key] = value
    else:
        body_bytes = await request.read()
        if body_bytes.strip():
            raise ApiError(400, "Bad Request: unsupported Content-Type")
    return Params(values, files)
