"""Errors gigbot raises on purpose.

GigbotError
├── ConfigError          a bad environment variable; names it, exit 2
├── ImportFileError      a bad project or quiz file; names file, line and field
├── AggregateInputError  a bad crowd-answer CSV for ``labels aggregate``
└── UserError(key, **params)   something the user did; rendered from locales in their language
    └── BadCallback      callback data that does not parse, or is not the presser's
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "AggregateInputError",
    "BadCallback",
    "ConfigError",
    "GigbotError",
    "ImportFileError",
    "UserError",
]


class GigbotError(Exception):
    """Base of every error gigbot raises on purpose."""


class ConfigError(GigbotError):
    """A configuration value is missing or wrong; the message names the variable."""


class ImportFileError(GigbotError):
    """A project or quiz file is invalid. ``str()`` is ``file:line: field: problem``."""

    def __init__(self, file: str, line: int | None, field: str, problem: str) -> None:
        self.file, self.line, self.field, self.problem = file, line, field, problem
        where = f"{file}:{line}" if line is not None else file
        super().__init__(f"{where}: {field}: {problem}")


class AggregateInputError(GigbotError):
    """An answers or gold CSV cannot be read; the message is one line."""


class UserError(GigbotError):
    """A refusal the user should read: a locale key and its parameters."""

    def __init__(self, key: str, **params: Any) -> None:
        self.key, self.params = key, params
        super().__init__(key)


class BadCallback(UserError):
    """Callback data that does not parse or does not belong to the presser."""

    def __init__(self) -> None:
        super().__init__("errors.bad_button")
