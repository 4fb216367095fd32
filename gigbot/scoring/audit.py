"""Gold that audits itself (DESIGN §7), the pure part: is a control item's gold suspect?

When at least ``min_trusted`` workers whose skill is at least ``min_skill`` agree with one
another on an answer that differs from the item's gold, the gold is more likely wrong than all
of them. The service that quarantines the item and recomputes skills (with
:func:`gigbot.scoring.skill.replay_skill`) builds on this.

Agreement is exact for labels and label sets; for transcriptions two answers agree when their
normalised texts are equal (CER 0), and differ from the gold when the answer would not be
counted correct (CER above the project threshold).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from gigbot.scoring.gold import DEFAULT_CER_THRESHOLD, compare
from gigbot.scoring.skill import Skill
from gigbot.scoring.text import normalize
from gigbot.scoring.types import Label, Vote, label_order

__all__ = ["AuditFinding", "gold_suspect"]

W = TypeVar("W", bound=Hashable)


@dataclass(frozen=True, slots=True)
class AuditFinding(Generic[W]):
    """Evidence that a control item's gold is wrong: trusted workers agreeing on another answer."""

    answer: Label  # the answer the trusted workers agree on (as the first of them gave it)
    gold: Label
    workers: tuple[W, ...]  # the trusted workers behind ``answer``, most skilled first
    skills: dict[W, float]  # their skills (Beta means)


def _skill_value(skill: Skill | float) -> float:
    return skill.mean if isinstance(skill, Skill) else float(skill)


def gold_suspect(
    answers_on_item: Sequence[Vote[W]],
    skills: Mapping[W, Skill | float],
    gold: Label,
    *,
    min_trusted: int = 3,
    min_skill: float = 0.85,
    kind: str = "classification",
    cer_threshold: float = DEFAULT_CER_THRESHOLD,
) -> AuditFinding[W] | None:
    """A finding when ≥ ``min_trusted`` workers with skill ≥ ``min_skill`` agree against gold.

    ``skills`` holds each worker's Skill (Beta mean) or a number; workers missing from it are
    not trusted. Each worker counts once (their first answer). When two answers each gather
    enough trusted workers, the one with more wins, then the higher summed skill, then the
    smaller answer.
    """
    groups: defaultdict[Label, list[tuple[W, float]]] = defaultdict(list)
    first: dict[Label, Label] = {}
    seen: set[W] = set()
    for vote in answers_on_item:
        if vote.worker in seen or vote.worker not in skills:
            continue
        seen.add(vote.worker)
        value = _skill_value(skills[vote.worker])
        if value < min_skill:
            continue
        if kind == "transcription":
            if not isinstance(vote.label, str) or not isinstance(gold, str):
                raise TypeError("transcription answers and gold are strings")
            if compare(kind, vote.label, gold, cer_threshold=cer_threshold).correct:
                continue
            key: Label = normalize(vote.label)
        else:
            if vote.label == gold:
                continue
            key = vote.label
        first.setdefault(key, vote.label)
        groups[key].append((vote.worker, value))
    strong = [key for key, members in groups.items() if len(members) >= min_trusted]
    if not strong:
        return None
    best = min(
        strong,
        key=lambda k: (-len(groups[k]), -sum(s for _, s in groups[k]), label_order(k)),
    )
    members = sorted(groups[best], key=lambda m: -m[1])
    return AuditFinding(
        answer=first[best],
        gold=gold,
        workers=tuple(w for w, _ in members),
        skills=dict(members),
    )
