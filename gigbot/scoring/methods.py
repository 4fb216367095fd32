"""The registry of aggregation methods: the names ``labels aggregate`` and exports accept.

Categorical: ``mv`` (:class:`MajorityVote`), ``wmv`` (:class:`WeightedVote`), ``ds``
(:class:`DawidSkene`) and ``auto``, which picks by the gold at hand: with gold the gold-weighted
vote, without it Dawid-Skene, the better of each pair on the public datasets (docs/quality.md).
Text: ``rover`` (:class:`Rover`) and ``medoid`` (:class:`Medoid`).
"""

from __future__ import annotations

from typing import Final

from gigbot.scoring.base import LabelAggregator, TextAggregator
from gigbot.scoring.dawid_skene import DawidSkene
from gigbot.scoring.majority import MajorityVote
from gigbot.scoring.text_agg import Medoid, Rover
from gigbot.scoring.weighted import WeightedVote

__all__ = [
    "AUTO",
    "METHODS",
    "METHOD_NAMES",
    "TEXT_METHODS",
    "label_aggregator",
    "resolve_method",
    "text_aggregator",
]

AUTO: Final = "auto"
METHODS: Final[dict[str, type[LabelAggregator]]] = {
    "mv": MajorityVote,
    "wmv": WeightedVote,
    "ds": DawidSkene,
}
METHOD_NAMES: Final = (AUTO, *METHODS)
TEXT_METHODS: Final[dict[str, type[TextAggregator]]] = {"rover": Rover, "medoid": Medoid}


def resolve_method(name: str, *, gold: bool) -> str:
    """The registered method a name stands for: ``auto`` is ``wmv`` with gold, else ``ds``."""
    if name == AUTO:
        return "wmv" if gold else "ds"
    if name not in METHODS:
        raise ValueError(f"unknown method {name!r}; expected one of {', '.join(METHOD_NAMES)}")
    return name


def label_aggregator(name: str, *, gold: bool = False) -> LabelAggregator:
    """A categorical aggregator with its defaults, by name (``gold``: whether gold is given)."""
    return METHODS[resolve_method(name, gold=gold)]()


def text_aggregator(name: str) -> TextAggregator:
    """A text aggregator with its defaults, by name."""
    if name not in TEXT_METHODS:
        expected = ", ".join(TEXT_METHODS)
        raise ValueError(f"unknown text method {name!r}; expected one of {expected}")
    return TEXT_METHODS[name]()
