"""Pure scoring: gold comparison, worker skill, quality rules, votes and aggregation.

No I/O here (no Telegram, database or network imports; tests/unit/test_layering_scoring.py
checks it). Services in gigbot/tasks/ apply these functions live; ``gigbot labels aggregate``
applies them to any CSV. See docs/quality.md for the methods and their measured accuracy.
"""

from __future__ import annotations

from gigbot.scoring.aggregate import METHODS, Method, aggregate
from gigbot.scoring.audit import AuditFinding, gold_suspect
from gigbot.scoring.dawid_skene import DawidSkene, dawid_skene
from gigbot.scoring.gold import DEFAULT_CER_THRESHOLD, GoldResult, compare, jaccard
from gigbot.scoring.majority import (
    item_decision,
    log_odds,
    majority_vote,
    needs_more,
    weighted_vote,
    wmv,
)
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
from gigbot.scoring.text_agg import TextDecision, aggregate_texts, medoid, rover, text_aggregate
from gigbot.scoring.types import (
    AnswerMatrix,
    Decision,
    Label,
    TaskAnswer,
    Vote,
    as_label,
    label_values,
)

__all__ = [
    "DEFAULT_CER_THRESHOLD",
    "METHODS",
    "PRIOR_SKILL",
    "AnswerMatrix",
    "AuditFinding",
    "DawidSkene",
    "Decision",
    "GoldResult",
    "Label",
    "Method",
    "RecentAnswer",
    "Rules",
    "Skill",
    "TaskAnswer",
    "TextDecision",
    "Verdict",
    "Vote",
    "accuracy_rule",
    "aggregate",
    "aggregate_texts",
    "as_label",
    "cer",
    "check_rules",
    "compare",
    "dawid_skene",
    "gold_suspect",
    "item_decision",
    "jaccard",
    "label_values",
    "log_odds",
    "majority_vote",
    "medoid",
    "needs_more",
    "normalize",
    "replay_skill",
    "rover",
    "same_label_rule",
    "speed_rule",
    "text_aggregate",
    "text_length",
    "weighted_vote",
    "wer",
    "wmv",
]
