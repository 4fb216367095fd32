"""The playground's demo content: a quiz and three projects, imported on its first start.

``quiz`` (sentiment, training with hints and a short exam) gates ``reviews`` (text
classification); ``shapes`` (pictures, one tap each) and ``voice`` (real speech in English and
Korean to transcribe) are open to every registered worker. Media are committed files, made once
by ``gigbot/demo/make_media.py``.
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["DEMO_DIR", "PROJECTS", "QUIZZES"]

DEMO_DIR = Path(__file__).resolve().parent
QUIZZES = (DEMO_DIR / "quiz",)
PROJECTS = (DEMO_DIR / "reviews", DEMO_DIR / "shapes", DEMO_DIR / "voice")
