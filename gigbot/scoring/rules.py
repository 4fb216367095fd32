"""Quality rules (DESIGN §7): pure checks that return a Verdict, or None when all is well.

- accuracy: the observed share of right control answers is below ``min_accuracy`` after at
  least ``min_controls`` control items → suspend from the project. The observed share
  ``right / (right + wrong)`` is used, not the Beta mean: the prior mean 2/3 would pull a good
  new worker (4 of 5 right) below a threshold of 0.8.
- speed: at least ``fast_count`` of the last ``fast_window`` answers were faster than the floor
  → suspend. The floor is ``min_seconds`` (1.5 s) for a classification item; for a
  transcription it is ``min_seconds + seconds_per_char × characters``, counting the normalised
  characters (Korean syllables count one) of the reference text when the item has one, else of
  the answer. With 0.1 s per character this means typing faster than 10 characters a second
  sustained, well beyond anyone honestly typing on a phone, while a pasted answer is caught.
- same label: the last ``same_label_run`` answers all carry the same label although the items'
  own labels vary → flag to admins (no suspension). An item's own label is its gold when known,
  else the strict plurality of the other workers' answers on it; the rule fires only when at
  least one of those items has an own label different from the worker's.

Reason keys and their params (the locale texts are ``quality.reason.*``):

- ``quality.reason.accuracy``: ``accuracy`` (float 0-1), ``threshold`` (float 0-1),
  ``count`` (int, control items judged)
- ``quality.reason.speed``: ``count`` (int, fast answers), ``window`` (int, answers looked at),
  ``seconds`` (float, the floor they were under, rounded to 0.1 s)
- ``quality.reason.same_label``: ``count`` (int, answers in the run), ``label`` (str; a
  multi-label set is shown joined with ", ")
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields
from typing import Any, Literal

from gigbot.scoring.skill import Skill
from gigbot.scoring.text import normalize
from gigbot.scoring.types import Label

__all__ = [
    "RecentAnswer",
    "Rules",
    "Verdict",
    "accuracy_rule",
    "check_rules",
    "same_label_rule",
    "speed_rule",
    "text_length",
]

Action = Literal["suspend", "flag"]


@dataclass(frozen=True, slots=True)
class Verdict:
    """What a rule decided: the rule, the action, and the reason to show (a locale key)."""

    rule: str  # accuracy | speed | same_label
    action: Action
    reason_key: str
    params: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Rules:
    """A project's quality thresholds; every field can be set in the project's [rules] table."""

    min_accuracy: float = 0.8
    min_controls: int = 5
    min_seconds: float = 1.5
    seconds_per_char: float = 0.1
    fast_count: int = 5
    fast_window: int = 10
    same_label_run: int = 20
    cer_threshold: float = 0.1
    audit_min_trusted: int = 3
    audit_min_skill: float = 0.85

    def __post_init__(self) -> None:
        for name in ("min_accuracy", "cer_threshold", "audit_min_skill"):
            value = getattr(self, name)
            if not 0.0 <= value <= 1.0:
                raise ValueError(f"rules.{name} must be between 0 and 1, got {value}")
        for name in ("min_seconds", "seconds_per_char"):
            if getattr(self, name) < 0:
                raise ValueError(f"rules.{name} must not be negative")
        for name in ("min_controls", "fast_count", "fast_window", "same_label_run"):
            if getattr(self, name) < 1:
                raise ValueError(f"rules.{name} must be at least 1")
        if self.audit_min_trusted < 2:
            raise ValueError("rules.audit_min_trusted must be at least 2")
        if self.fast_count > self.fast_window:
            raise ValueError("rules.fast_count must not exceed rules.fast_window")

    @classmethod
    def from_mapping(cls, values: Mapping[str, Any] | None) -> Rules:
        """Rules from a project's [rules] table; unknown keys and wrong types raise ValueError."""
        if not values:
            return cls()
        known = {f.name: f for f in fields(cls)}
        kwargs: dict[str, Any] = {}
        for key, value in values.items():
            if key not in known:
                raise ValueError(f"unknown rule {key!r}; known rules: {', '.join(sorted(known))}")
            default = known[key].default
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise ValueError(f"rules.{key} must be a number, got {value!r}")
            if isinstance(default, int) and not isinstance(default, bool):
                if isinstance(value, float) and not value.is_integer():
                    raise ValueError(f"rules.{key} must be a whole number, got {value!r}")
                kwargs[key] = int(value)
            else:
                if not math.isfinite(value):
                    raise ValueError(f"rules.{key} must be finite, got {value!r}")
                kwargs[key] = float(value)
        return cls(**kwargs)

    def floor(self, chars: int | None = None) -> float:
        """Fastest believable answer time: classification without ``chars``, text with it."""
        if chars is None:
            return self.min_seconds
        return self.min_seconds + self.seconds_per_char * chars


def text_length(text: str) -> int:
    """Characters a transcription counts for the speed floor (normalised; Hangul by syllable)."""
    return len(normalize(text))


@dataclass(frozen=True, slots=True)
class RecentAnswer:
    """One of a worker's recent answers in a project, oldest first in a sequence."""

    label: Label  # the answer; for transcriptions any string (only speed looks at them)
    seconds: float  # from serving the item to the answer
    chars: int | None = None  # transcription: text_length() of the reference, else the answer
    others: tuple[Label, ...] = ()  # the other workers' answers on the same item
    gold: Label | None = None  # the item's gold, when it is a control item


def accuracy_rule(skill: Skill, rules: Rules) -> Verdict | None:
    """Suspend when control accuracy < min_accuracy after ≥ min_controls control items."""
    accuracy = skill.accuracy
    # 1e-9: 4 right of 5 with partial credits summed in floating point is still 0.8
    if accuracy is None or skill.count < rules.min_controls - 1e-9:
        return None
    if accuracy >= rules.min_accuracy - 1e-9:
        return None
    return Verdict(
        rule="accuracy",
        action="suspend",
        reason_key="quality.reason.accuracy",
        params={
            "accuracy": round(accuracy, 4),
            "threshold": rules.min_accuracy,
            "count": round(skill.count),
        },
    )


def speed_rule(recent: Sequence[RecentAnswer], rules: Rules) -> Verdict | None:
    """Suspend when ≥ fast_count of the last fast_window answers beat the floor."""
    window = recent[-rules.fast_window :]
    floors = [rules.floor(a.chars) for a in window if a.seconds < rules.floor(a.chars)]
    if len(floors) < rules.fast_count:
        return None
    return Verdict(
        rule="speed",
        action="suspend",
        reason_key="quality.reason.speed",
        params={"count": len(floors), "window": len(window), "seconds": round(max(floors), 1)},
    )


def _own_label(answer: RecentAnswer) -> Label | None:
    """The item's own label: its gold, else the strict plurality of the other answers."""
    if answer.gold is not None:
        return answer.gold
    ranked = Counter(answer.others).most_common(2)
    if not ranked or (len(ranked) == 2 and ranked[0][1] == ranked[1][1]):
        return None
    return ranked[0][0]


def same_label_rule(recent: Sequence[RecentAnswer], rules: Rules) -> Verdict | None:
    """Flag when the last same_label_run answers share one label while the items' labels vary."""
    run = recent[-rules.same_label_run :]
    if len(run) < rules.same_label_run:
        return None
    label = run[-1].label
    if any(a.label != label for a in run):
        return None
    own = [_own_label(a) for a in run]
    if not any(o is not None and o != label for o in own):
        return None
    shown = label if isinstance(label, str) else ", ".join(sorted(label))
    return Verdict(
        rule="same_label",
        action="flag",
        reason_key="quality.reason.same_label",
        params={"count": len(run), "label": shown},
    )


def check_rules(
    skill: Skill, recent: Sequence[RecentAnswer], rules: Rules, *, labels: bool = True
) -> list[Verdict]:
    """Every rule's verdict, suspensions first; ``labels=False`` skips same-label (text)."""
    verdicts = [accuracy_rule(skill, rules), speed_rule(recent, rules)]
    if labels:
        verdicts.append(same_label_rule(recent, rules))
    return [v for v in verdicts if v is not None]
