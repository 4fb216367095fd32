"""Worker skill: a Beta posterior over control answers (DESIGN §7).

A worker's accuracy ``p`` on a project has the prior Beta(2, 1) (mean 2/3: a new worker is
assumed more often right than wrong, but not trusted yet). Each control answer adds its credit to
``right`` and the rest to ``wrong`` (credit 1 or 0, or a fraction for a partly right multi-label
or transcription answer, see :attr:`GoldResult.credit`), giving the posterior
Beta(2 + right, 1 + wrong) with mean ``(2 + right) / (3 + right + wrong)``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from gigbot.scoring.gold import GoldResult

__all__ = ["PRIOR_RIGHT", "PRIOR_SKILL", "PRIOR_WRONG", "Skill", "replay_skill"]

PRIOR_RIGHT = 2.0
PRIOR_WRONG = 1.0
PRIOR_SKILL = PRIOR_RIGHT / (PRIOR_RIGHT + PRIOR_WRONG)  # 2/3, the skill of a worker never scored


@dataclass(frozen=True, slots=True)
class Skill:
    """Observed control counts (without the prior); floats allow partial credit."""

    right: float = 0.0
    wrong: float = 0.0

    @property
    def count(self) -> float:
        """Control answers seen (each counts once, however it was split)."""
        return self.right + self.wrong

    @property
    def mean(self) -> float:
        """Posterior mean of the accuracy: (2 + right) / (3 + right + wrong)."""
        return (PRIOR_RIGHT + self.right) / (PRIOR_RIGHT + PRIOR_WRONG + self.count)

    @property
    def accuracy(self) -> float | None:
        """Observed share right, right / (right + wrong); None before any control answer."""
        return self.right / self.count if self.count > 0 else None

    def update(self, result: GoldResult | float) -> Skill:
        """The skill after one more control answer (a GoldResult, or a credit in [0, 1])."""
        credit = result.credit if isinstance(result, GoldResult) else float(result)
        if not 0.0 <= credit <= 1.0:
            raise ValueError(f"credit must be in [0, 1], got {credit}")
        return Skill(right=self.right + credit, wrong=self.wrong + (1.0 - credit))


def replay_skill(control_results: Iterable[GoldResult | float]) -> Skill:
    """A worker's skill recomputed from scratch from their counted control results.

    After a control item is quarantined, pass the worker's remaining counted results (a
    GoldResult each, or the stored credits) to get the counts to store.
    """
    skill = Skill()
    for result in control_results:
        skill = skill.update(result)
    return skill
