"""The registry of aggregation methods: the names ``labels aggregate`` and exports accept.

Categorical: ``auto`` (:class:`AutoAggregator`, the default: picks one of the others by
held-out gold, or without gold by held-out answers), ``mv`` (:class:`MajorityVote`), ``wmv``
(:class:`WeightedVote`: weights from gold, else from agreement with the majority), ``ocds``
(:class:`OneCoinDawidSkene`), ``ds`` (:class:`DawidSkene`), ``glad`` (:class:`GLAD`) and
``mace`` (:class:`MACE`). Text: ``auto`` (= ``wrover``), ``wrover`` (:class:`WeightedRover`),
``rover`` (:class:`Rover`) and ``medoid`` (:class:`Medoid`). :data:`DESCRIPTIONS` holds one
line per name for ``--help``.
"""

from __future__ import annotations

from typing import Final

from gigbot.scoring.auto import AutoAggregator
from gigbot.scoring.base import LabelAggregator, TextAggregator
from gigbot.scoring.dawid_skene import DawidSkene
from gigbot.scoring.glad import GLAD
from gigbot.scoring.mace import MACE
from gigbot.scoring.majority import MajorityVote
from gigbot.scoring.one_coin import OneCoinDawidSkene
from gigbot.scoring.text_agg import Medoid, Rover
from gigbot.scoring.text_weighted import WeightedRover
from gigbot.scoring.weighted import WeightedVote

__all__ = [
    "AUTO",
    "DESCRIPTIONS",
    "METHODS",
    "METHOD_NAMES",
    "TEXT_AUTO",
    "TEXT_METHODS",
    "TEXT_METHOD_NAMES",
    "label_aggregator",
    "resolve_method",
    "text_aggregator",
]

AUTO: Final = "auto"
TEXT_AUTO: Final = "wrover"
METHODS: Final[dict[str, type[LabelAggregator]]] = {
    "mv": MajorityVote,
    "wmv": WeightedVote,
    "ocds": OneCoinDawidSkene,
    "ds": DawidSkene,
    "glad": GLAD,
    "mace": MACE,
}
METHOD_NAMES: Final = (AUTO, *METHODS)
TEXT_METHODS: Final[dict[str, type[TextAggregator]]] = {
    "wrover": WeightedRover,
    "rover": Rover,
    "medoid": Medoid,
}
TEXT_METHOD_NAMES: Final = (AUTO, *TEXT_METHODS)
DESCRIPTIONS: Final[dict[str, str]] = {
    AUTO: "the default: the best of mv/wmv/ocds/glad(/ds/mace) on held-out gold, else on "
    "held-out answers; with --text, wrover",
    "mv": "majority vote: the most frequent label (ties to the smallest)",
    "wmv": "weighted vote: log-odds weights from the gold, else from agreement with the "
    "majority (Wawa)",
    "ocds": "one-coin Dawid-Skene: EM with one accuracy per worker",
    "ds": "Dawid-Skene: EM with a confusion matrix per worker, shrunk to the crowd's",
    "glad": "GLAD: EM with an ability per worker and an easiness per task",
    "mace": "MACE: variational EM with a spamming probability and strategy per worker",
    "wrover": "text: ROVER with word votes weighted by each worker's reliability",
    "rover": "text: ROVER word-slot voting over transcriptions aligned to their medoid",
    "medoid": "text: the transcription closest to all the others",
}


def resolve_method(name: str, *, gold: bool = False) -> str:
    """The registered categorical method a name stands for (``auto`` stays ``auto``)."""
    del gold  # auto decides on the data itself
    if name != AUTO and name not in METHODS:
        raise ValueError(f"unknown method {name!r}; expected one of {', '.join(METHOD_NAMES)}")
    return name


def label_aggregator(name: str, *, gold: bool = False) -> LabelAggregator:
    """A categorical aggregator with its defaults, by name (``gold`` is kept for callers)."""
    if resolve_method(name, gold=gold) == AUTO:
        return AutoAggregator()
    return METHODS[name]()


def text_aggregator(name: str) -> TextAggregator:
    """A text aggregator with its defaults, by name (``auto`` is ``wrover``)."""
    name = TEXT_AUTO if name == AUTO else name
    if name not in TEXT_METHODS:
        expected = ", ".join(TEXT_METHOD_NAMES)
        raise ValueError(f"unknown text method {name!r}; expected one of {expected}")
    return TEXT_METHODS[name]()
