"""Pure scoring: gold comparison, worker skill, quality rules, votes and aggregation.

No I/O here (no Telegram, database or network imports; tests/unit/test_layering_scoring.py
checks it). Every aggregation method is an aggregator behind one interface
(:mod:`gigbot.scoring.base`: ``fit(answers, *, gold=None)``, then ``labels_``/``probas_``), found
by name in :mod:`gigbot.scoring.methods`; item completion, exports and ``gigbot labels
aggregate`` all use it. See docs/quality.md for the methods and their measured accuracy.
"""

from __future__ import annotations

from gigbot.scoring.audit import AuditFinding, gold_suspect
from gigbot.scoring.auto import AutoAggregator
from gigbot.scoring.base import (
    MEMORY_BUDGET,
    Answers,
    LabelAggregator,
    MemoryBudgetError,
    TextAggregator,
    TextDecision,
)
from gigbot.scoring.dawid_skene import DawidSkene
from gigbot.scoring.glad import GLAD
from gigbot.scoring.gold import DEFAULT_CER_THRESHOLD, GoldResult, compare, jaccard
from gigbot.scoring.mace import MACE
from gigbot.scoring.majority import MajorityVote
from gigbot.scoring.methods import (
    AUTO,
    DESCRIPTIONS,
    METHOD_NAMES,
    METHODS,
    TEXT_AUTO,
    TEXT_METHOD_NAMES,
    TEXT_METHODS,
    label_aggregator,
    resolve_method,
    text_aggregator,
)
from gigbot.scoring.one_coin import OneCoinDawidSkene
from gigbot.scoring.rules import (
    RecentAnswer,
    Rules,
    Verdict,
    accuracy_rule,
    check_rules,
    same_label_rule,
    speed_rule,
    text_length,
)
from gigbot.scoring.skill import PRIOR_SKILL, Skill, replay_skill
from gigbot.scoring.text import cer, normalize, wer
from gigbot.scoring.text_agg import Medoid, Rover, medoid, rover
from gigbot.scoring.text_weighted import WeightedRover
from gigbot.scoring.types import (
    AnswerMatrix,
    Decision,
    Label,
    TaskAnswer,
    Vote,
    as_label,
    label_values,
)
from gigbot.scoring.weighted import WeightedVote, log_odds, needs_more, weighted_vote

__all__ = [
    "AUTO",
    "DEFAULT_CER_THRESHOLD",
    "DESCRIPTIONS",
    "GLAD",
    "MACE",
    "MEMORY_BUDGET",
    "METHODS",
    "METHOD_NAMES",
    "PRIOR_SKILL",
    "TEXT_AUTO",
    "TEXT_METHODS",
    "TEXT_METHOD_NAMES",
    "AnswerMatrix",
    "Answers",
    "AuditFinding",
    "AutoAggregator",
    "DawidSkene",
    "Decision",
    "GoldResult",
    "Label",
    "LabelAggregator",
    "MajorityVote",
    "Medoid",
    "MemoryBudgetError",
    "OneCoinDawidSkene",
    "RecentAnswer",
    "Rover",
    "Rules",
    "Skill",
    "TaskAnswer",
    "TextAggregator",
    "TextDecision",
    "Verdict",
    "Vote",
    "WeightedRover",
    "WeightedVote",
    "accuracy_rule",
    "as_label",
    "cer",
    "check_rules",
    "compare",
    "gold_suspect",
    "jaccard",
    "label_aggregator",
    "label_values",
    "log_odds",
    "medoid",
    "needs_more",
    "normalize",
    "replay_skill",
    "resolve_method",
    "rover",
    "same_label_rule",
    "speed_rule",
    "text_aggregator",
    "text_length",
    "weighted_vote",
    "wer",
]
