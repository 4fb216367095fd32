"""The vocabularies of quality's rows, for modules that must not import the models.

Handlers compare an appeal's status with ``AppealStatus``, never with a string.
"""

from __future__ import annotations

from gigbot.db.models import AppealStatus

__all__ = ["AppealStatus"]
