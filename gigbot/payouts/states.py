"""The vocabularies of the money rows, for modules that must not import the models."""

from __future__ import annotations

from gigbot.db.models import EntryKind, PayoutStatus

__all__ = ["EntryKind", "PayoutStatus"]
