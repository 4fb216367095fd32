"""Who may work on what: the qualification gate of projects (DESIGN §5).

Reads of ``qualification`` for gating; the quiz flow (gigbot/onboarding/quiz.py) writes it.
"""

from __future__ import annotations

from gigbot.db.models import Qualification, QualStage

__all__ = ["is_qualified", "qualified_quizzes"]


async def is_qualified(worker_id: int, quiz_id: int | None) -> bool:
    """True when the project needs no quiz or the worker passed its exam."""
    if quiz_id is None:
        return True
    return await Qualification.filter(
        worker_id=worker_id, quiz_id=quiz_id, stage=QualStage.QUALIFIED
    ).exists()


async def qualified_quizzes(worker_id: int) -> set[int]:
    """Ids of the quizzes the worker passed."""
    rows = await Qualification.filter(worker_id=worker_id, stage=QualStage.QUALIFIED).values(
        "quiz_id"
    )
    return {int(r["quiz_id"]) for r in rows}
