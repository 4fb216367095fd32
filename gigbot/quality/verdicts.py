"""The worker rules applied live (DESIGN §7): scoring's verdicts turned into suspensions and flags.

- accuracy (after a counted control answer): suspended from the project until an admin decides
  (an appeal, or the gold audit when the control item that tipped it was wrong);
- speed: suspended for ``SPEED_PAUSE`` (24 h): rushing is often one bad session, and the evidence
  is recent, so a cooling-off period is fairer than waiting for an admin;
- same label: flagged to every admin (audit log + notice), no suspension; once per run.

Evidence is spent by a suspension: after a suspension by a rule ends (lifted or expired), that
rule looks only at answers given after the end, so a worker whose appeal was upheld is not
suspended again on the next answer by the same old answers.

The project's thresholds are ``scoring.Rules.from_mapping(Project.rules)``; the project's own
``min_accuracy`` (top level of the project file) wins over a ``min_accuracy`` in ``[rules]``.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient

from gigbot import scoring
from gigbot.db.models import (
    Answer,
    AuditLog,
    Item,
    ProjectFacts,
    ProjectKind,
    Skill,
    SuspensionRule,
    User,
)
from gigbot.db.statements import connection
from gigbot.notices import Notice
from gigbot.quality import store
from gigbot.quality.alerts import admin_notices, label_caption
from gigbot.quality.store import RecentAnswer, SkillRow, SuspensionRow
from gigbot.quality.suspensions import SYSTEM, ActiveSuspension, suspend

__all__ = ["SPEED_PAUSE", "Standing", "accuracy_holds", "apply_rules", "project_rules"]

log = logging.getLogger(__name__)

SPEED_PAUSE = dt.timedelta(hours=24)
_FLAG = "quality.flag"  # the audit action of a same-label flag
_SAME_LABEL = "same_label"  # scoring's rule that flags rather than suspends


def project_rules(project: ProjectFacts) -> scoring.Rules:
    """The project's quality thresholds (defaults for what its file does not set)."""
    mapping = dict(project.rules or {})
    mapping["min_accuracy"] = project.min_accuracy
    try:
        return scoring.Rules.from_mapping(mapping)
    except ValueError as exc:  # the importer validates; a bad row must not stop answers
        log.warning("project=%s has invalid rules (%s); using the defaults", project.id, exc)
        return scoring.Rules(min_accuracy=project.min_accuracy)


@dataclass(frozen=True, slots=True)
class Standing:
    """The worker's suspensions in a project (and everywhere): one query per answer.

    The answer path loads it once, before the lease is claimed, and hands it to the rules.
    """

    rows: tuple[SuspensionRow, ...]

    @classmethod
    async def load(cls, db: BaseDBAsyncClient, worker_id: int, project_id: int) -> Standing:
        """The worker's suspensions in the project and everywhere, oldest first."""
        return cls(await store.suspensions(db, worker_id, project_id))

    def in_force(self, now: dt.datetime) -> bool:
        """Suspended now, from this project or everywhere."""
        return any(
            s.lifted_at is None and (s.ends_at is None or s.ends_at > now) for s in self.rows
        )

    def evidence_start(self, project_id: int, rule: SuspensionRule,
                       now: dt.datetime) -> dt.datetime | None:
        """When the latest ended suspension by ``rule`` in the project ended, if any."""
        for s in reversed(self.rows):
            if s.project_id != project_id or s.rule != rule:
                continue
            if s.lifted_at is not None and (s.ends_at is None or s.lifted_at < s.ends_at):
                return s.lifted_at
            if s.ends_at is not None and s.ends_at <= now:
                return s.ends_at
        return None


async def _accuracy_skill(
    worker_id: int, project_id: int, since: dt.datetime | None, skill: scoring.Skill
) -> scoring.Skill:
    """The skill the accuracy rule judges: ``skill``, or only answers after a spent suspension."""
    if since is None:
        return skill
    rows = await Answer.filter(
        worker_id=worker_id, project_id=project_id, counted=True, correct__isnull=False,
        created_at__gt=since,
    ).values("correct", "score")
    return scoring.replay_skill(
        scoring.GoldResult(correct=bool(r["correct"]), score=float(r["score"] or 0.0))
        for r in rows
    )


async def accuracy_holds(
    worker_id: int, project: ProjectFacts, *, now: dt.datetime, skill: scoring.Skill | None
) -> bool:
    """Whether the accuracy rule still condemns the worker, on ``skill`` (their current counts)."""
    if skill is None:
        row = await Skill.get_or_none(worker_id=worker_id, project_id=project.id)
        skill = scoring.Skill(
            right=row.control_right if row else 0.0, wrong=row.control_wrong if row else 0.0
        )
    standing = await Standing.load(connection(), worker_id, project.id)
    since = standing.evidence_start(project.id, SuspensionRule.ACCURACY, now)
    judged = await _accuracy_skill(worker_id, project.id, since, skill)
    return scoring.accuracy_rule(judged, project_rules(project)) is not None


async def _golds(item_ids: Iterable[int]) -> dict[int, Any]:
    """The gold of those items that are control items in force."""
    rows = await Item.filter(id__in=sorted(set(item_ids)), is_control=True,
                             quarantined_at=None).values("id", "gold")
    return {r["id"]: r["gold"] for r in rows if r["gold"] is not None}


async def _speed_input(project: ProjectFacts,
                       recent: list[RecentAnswer]) -> list[scoring.RecentAnswer]:
    """Speed needs times; transcriptions also the text length (the gold, else the answer)."""
    if project.kind != ProjectKind.TRANSCRIPTION:
        return [scoring.RecentAnswer(label="", seconds=r.seconds) for r in recent]
    golds = await _golds(r.item_id for r in recent)
    return [
        scoring.RecentAnswer(
            label=str(r.value), seconds=r.seconds,
            chars=scoring.text_length(str(golds.get(r.item_id, r.value))),
        )
        for r in recent
    ]


async def _label_input(
    worker_id: int, recent: list[RecentAnswer], run: int
) -> list[scoring.RecentAnswer] | None:
    """Same-label needs the items' own labels: gold, else the other workers' answers on them.

    None (nothing to judge) unless the last ``run`` answers all carry one label: the usual case
    costs no more queries.
    """
    tail = recent[-run:]
    if len(tail) < run:
        return None
    labels = [scoring.as_label(r.value) for r in tail]
    if any(label != labels[-1] for label in labels):
        return None
    golds = await _golds(r.item_id for r in tail)
    others: defaultdict[int, list[scoring.Label]] = defaultdict(list)
    open_ids = sorted({r.item_id for r in tail} - golds.keys())
    if open_ids:
        for o in await Answer.filter(item_id__in=open_ids).exclude(worker_id=worker_id).values(
            "item_id", "value"
        ):
            others[o["item_id"]].append(scoring.as_label(o["value"]))
    return [
        scoring.RecentAnswer(
            label=label, seconds=r.seconds, others=tuple(others.get(r.item_id, ())),
            gold=scoring.as_label(golds[r.item_id]) if r.item_id in golds else None,
        )
        for r, label in zip(tail, labels, strict=True)
    ]


async def apply_rules(
    worker_id: int,
    project: ProjectFacts,
    skill: Skill | SkillRow,
    *,
    now: dt.datetime,
    control_item_id: int | None,
    admins: Iterable[int] = (),
    standing: Standing | None = None,
) -> tuple[ActiveSuspension | None, tuple[Notice, ...]]:
    """Check the rules after one answer; suspend or flag. Inside the answer's transaction.

    ``control_item_id`` is the control item just answered (counted), which is when the accuracy
    rule is judged; a suspension by it names that item as its cause for the gold audit.
    ``standing``: the worker's suspensions as read earlier in this transaction, when nothing
    since can have changed them (saves reading them again).
    """
    db = connection()
    if standing is None:
        standing = await Standing.load(db, worker_id, project.id)
    if standing.in_force(now):
        return None, ()
    rules = project_rules(project)
    if control_item_id is not None:
        current = scoring.Skill(right=skill.control_right, wrong=skill.control_wrong)
        since = standing.evidence_start(project.id, SuspensionRule.ACCURACY, now)
        verdict = scoring.accuracy_rule(
            await _accuracy_skill(worker_id, project.id, since, current), rules
        )
        if verdict is not None:
            return await _suspend(worker_id, project, verdict, now, cause=control_item_id), ()

    recent = await store.recent_answers(db, worker_id, project.id,
                                        limit=max(rules.fast_window, rules.same_label_run))
    since = standing.evidence_start(project.id, SuspensionRule.SPEED, now)
    timed = [r for r in recent if since is None or r.created_at > since][-rules.fast_window:]
    verdict = scoring.speed_rule(await _speed_input(project, timed), rules)
    if verdict is not None:
        return await _suspend(worker_id, project, verdict, now, ends_at=now + SPEED_PAUSE), ()

    if project.kind == ProjectKind.TRANSCRIPTION:
        return None, ()
    labelled = await _label_input(worker_id, recent, rules.same_label_run)
    verdict = scoring.same_label_rule(labelled, rules) if labelled else None
    if verdict is None:
        return None, ()
    run_start = recent[-rules.same_label_run].created_at
    return None, await _flag(worker_id, project, verdict, now, run_start=run_start, admins=admins)


async def _suspend(
    worker_id: int,
    project: ProjectFacts,
    verdict: scoring.Verdict,
    now: dt.datetime,
    *,
    cause: int | None = None,
    ends_at: dt.datetime | None = None,
) -> ActiveSuspension:
    log.info("rule %s suspends worker=%s project=%s", verdict.rule, worker_id, project.id)
    return await suspend(
        worker_id,
        project.id,
        rule=verdict.rule,
        reason_key=verdict.reason_key,
        reason_params=dict(verdict.params),
        now=now,
        ends_at=ends_at,
        cause_item_id=cause,
    )


async def _flag(
    worker_id: int,
    project: ProjectFacts,
    verdict: scoring.Verdict,
    now: dt.datetime,
    *,
    run_start: dt.datetime,
    admins: Iterable[int],
) -> tuple[Notice, ...]:
    """Flag a worker to the admins once per run of answers (audit log + a notice each)."""
    already = await AuditLog.filter(
        action=_FLAG, worker_id=worker_id, project_id=project.id, at__gte=run_start
    ).exists()
    if already:
        return ()
    log.info("rule %s flags worker=%s project=%s", verdict.rule, worker_id, project.id)
    await AuditLog.create(
        at=now, actor=SYSTEM, action=_FLAG, worker_id=worker_id,
        project_id=project.id,
        data={"rule": verdict.rule, "reason": verdict.reason_key, "params": dict(verdict.params)},
    )
    worker = await User.get(id=worker_id)
    params: dict[str, Any] = {
        "worker": worker.pseudonym,
        "tg_id": worker.tg_id if worker.tg_id is not None else "-",
        "project": dict(project.title),
    }
    if verdict.rule != _SAME_LABEL:
        return await admin_notices(admins, "quality.alert.flag", {**params, "rule": verdict.rule})
    # the caption, not the value; a label set arrives joined with ", "
    label = str(verdict.params.get("label", ""))
    single = label in scoring.label_values(project.labels or [])
    shown = label_caption(project, label if single else label.split(", "))
    params.update(verdict.params, label=shown)
    return await admin_notices(admins, "quality.alert.same_label", params)


