"""The vocabularies of projects and quizzes, for modules that must not import the models.

Handlers compare a project's or a question's kind with ``ProjectKind``, never with a string.
"""

from __future__ import annotations

from gigbot.db.models import Acceptance, ProjectKind, QuizPart

__all__ = ["Acceptance", "ProjectKind", "QuizPart"]
