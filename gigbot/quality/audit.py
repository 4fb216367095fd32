"""Gold that audits itself (DESIGN §7): quarantine a wrong control item and undo its penalties.

When at least three trusted workers (Beta mean ≥ 0.85) agree with one another against a control
item's gold (``scoring.gold_suspect``), the gold is more likely wrong than they are. Then, in one
transaction:

1. the item is quarantined (``Item.quarantined_at``; it stays ``is_control`` for the record but is
   no longer served or scored as control, and its answers become ordinary votes for it);
2. its control answers are marked ``counted = False`` and every affected worker's Skill counts are
   recomputed from their remaining counted control answers (``scoring.replay_skill``);
3. suspensions caused by the item, or by the accuracy rule when it no longer holds on the
   recomputed skill, are lifted (``suspensions.lift(by="gold-audit")``) and each restored worker is
   told (``quality.restored``);
4. every admin is told with the evidence (``quality.alert.quarantine``) and the audit log records
   it (action ``gold.quarantine``).

The trusted workers' skills are taken *without* the disputed item (leave one out): the wrong gold
has already cost each of them a point, which must not decide whether they are trusted.
Quarantine is a compare-and-set on ``quarantined_at``, so a repeated audit changes nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from tortoise.transactions import in_transaction

from gigbot import scoring
from gigbot.db.models import (
    Answer,
    AuditLog,
    Item,
    Project,
    ProjectKind,
    Skill,
    Suspension,
    SuspensionRule,
    User,
)
from gigbot.db.statements import connection
from gigbot.notices import Notice
from gigbot.quality import completion, store, verdicts
from gigbot.quality.alerts import admin_notices, label_caption, worker_notice
from gigbot.quality.suspensions import ActiveSuspension, lift

__all__ = ["Quarantine", "audit_item", "audit_project", "recompute_skill"]

AUDIT_BY = "gold-audit"


@dataclass(frozen=True, slots=True)
class Quarantine:
    """A control item put in quarantine, with the evidence and what was undone."""

    item_id: int
    project_id: int
    answer: object  # the answer the trusted workers agree on
    workers: tuple[int, ...]  # the trusted workers who agree
    recomputed: tuple[int, ...]  # workers whose skill was recomputed
    restored: tuple[ActiveSuspension, ...]  # suspensions lifted
    notices: tuple[Notice, ...]  # admins' alerts and restored workers' messages
    # the item settled as an ordinary one: the caller sets ``Item.returned`` from it through
    # tasks/store.py (quality cannot call the task engine)
    settled: completion.Settled = completion.Settled.WAITING


def _credit(correct: bool | None, score: float | None) -> float:
    """The skill credit a stored control answer earned (as scoring.GoldResult.credit)."""
    if correct:
        return 1.0
    return float(score or 0.0)


async def _loo_skills(project_id: int, rows: list[dict[str, Any]]) -> dict[int, float]:
    """Each answering worker's Beta mean without their answer on the audited item."""
    ids = [int(str(r["worker_id"])) for r in rows]
    skills = {
        s["worker_id"]: s
        for s in await Skill.filter(project_id=project_id, worker_id__in=ids).values(
            "worker_id", "control_right", "control_wrong"
        )
    }
    out: dict[int, float] = {}
    for r in rows:
        wid = int(str(r["worker_id"]))
        credit = _credit(r["correct"], r["score"])
        s = skills.get(wid)
        right = float(s["control_right"]) - credit if s else 0.0
        wrong = float(s["control_wrong"]) - (1.0 - credit) if s else 0.0
        out[wid] = scoring.Skill(right=max(0.0, right), wrong=max(0.0, wrong)).mean
    return out


async def recompute_skill(worker_id: int, project_id: int, now: dt.datetime) -> scoring.Skill:
    """Replay the worker's counted control answers in the project into their Skill row."""
    rows = await Answer.filter(
        worker_id=worker_id, project_id=project_id, counted=True, correct__isnull=False
    ).values("correct", "score")
    skill = scoring.replay_skill(
        scoring.GoldResult(correct=bool(r["correct"]), score=float(r["score"] or 0.0))
        for r in rows
    )
    await store.set_counts(connection(), worker_id, project_id, right=skill.right,
                           wrong=skill.wrong, count=len(rows), now=now)
    return skill


async def audit_item(
    item_id: int, *, now: dt.datetime, admins: Iterable[int] = ()
) -> Quarantine | None:
    """Quarantine the control item if trusted workers agree against its gold; else None."""
    async with in_transaction():
        item = await Item.filter(id=item_id).select_for_update().first()
        if (
            item is None
            or not item.is_control
            or item.gold is None
            or item.quarantined_at is not None
        ):
            return None
        project = await Project.get(id=item.project_id)
        rows = await Answer.filter(item_id=item.id, counted=True, correct__isnull=False).values(
            "worker_id", "value", "correct", "score"
        )
        rules = verdicts.project_rules(project)
        if len(rows) < rules.audit_min_trusted:
            return None
        skills = await _loo_skills(project.id, rows)
        text = project.kind == ProjectKind.TRANSCRIPTION
        finding = scoring.gold_suspect(
            [scoring.Vote(worker=int(str(r["worker_id"])),
                          label=str(r["value"]) if text else scoring.as_label(r["value"]))
             for r in rows],
            skills,
            str(item.gold) if text else scoring.as_label(item.gold),
            min_trusted=rules.audit_min_trusted,
            min_skill=rules.audit_min_skill,
            kind=project.kind,
            cer_threshold=rules.cer_threshold,
        )
        if finding is None:
            return None
        return await _quarantine(item, project, finding, rows, now=now, admins=admins)


async def _quarantine(
    item: Item,
    project: Project,
    finding: scoring.AuditFinding[int],
    rows: list[dict[str, Any]],
    *,
    now: dt.datetime,
    admins: Iterable[int],
) -> Quarantine | None:
    claimed = await Item.filter(id=item.id, quarantined_at=None).update(quarantined_at=now)
    if not claimed:
        return None
    item.quarantined_at = now
    await Answer.filter(item_id=item.id, counted=True).update(counted=False)
    affected = sorted({int(str(r["worker_id"])) for r in rows})
    recomputed = {wid: await recompute_skill(wid, project.id, now) for wid in affected}

    restored: list[ActiveSuspension] = []
    notices: list[Notice] = []
    in_force = await Suspension.filter(
        project_id=project.id, lifted_at=None, worker_id__in=affected
    ).order_by("id")
    caused = await Suspension.filter(cause_item_id=item.id, lifted_at=None).order_by("id")
    seen: set[int] = set()
    for s in [*caused, *in_force]:
        if s.id in seen or (s.ends_at is not None and s.ends_at <= now):
            continue
        seen.add(s.id)
        wid = s.worker_id
        still = s.cause_item_id != item.id and (
            s.rule != SuspensionRule.ACCURACY
            or await verdicts.accuracy_holds(wid, project, now=now, skill=recomputed.get(wid))
        )
        if still:
            continue
        lifted = await lift(s.id, now=now, by=AUDIT_BY)
        if lifted is None:
            continue
        restored.append(lifted)
        user = await User.get(id=wid)
        notices.extend(worker_notice(user, "quality.restored", {"project": dict(project.title)}))

    # the answers given while it was control are ordinary votes now
    item.needed = project.overlap
    await store.set_needed(connection(), [(item.id, project.overlap)])
    settled = await completion.settle_item(item, project, now)

    trusted = tuple(sorted(int(str(w)) for w in finding.workers))
    await AuditLog.create(
        at=now, actor=AUDIT_BY, action="gold.quarantine", project_id=project.id,
        data={"item": item.id, "key": item.key, "gold": item.gold, "answer": finding.answer
              if isinstance(finding.answer, str) else sorted(finding.answer),
              "workers": list(trusted),
              "skills": {str(w): round(s, 4) for w, s in finding.skills.items()},
              "recomputed": affected, "lifted": [s.id for s in restored]},
    )
    notices.extend(await admin_notices(admins, "quality.alert.quarantine", {
        "project": dict(project.title), "item": item.key,
        "gold": label_caption(project, item.gold),
        "answer": label_caption(project, finding.answer),
        "workers": len(trusted), "restored": len(restored),
    }))
    return Quarantine(
        item_id=item.id, project_id=project.id, answer=finding.answer, workers=trusted,
        recomputed=tuple(affected), restored=tuple(restored), notices=tuple(notices),
        settled=settled,
    )


async def audit_project(
    project_id: int, *, now: dt.datetime, admins: Iterable[int] = ()
) -> list[Quarantine]:
    """Audit every control item of a project in force (a sweep, e.g. after skills have grown).

    Each ``Quarantine.settled`` is for the caller to pass on to tasks/store.py (``returned``).
    """
    rows = await Item.filter(
        project_id=project_id, is_control=True, quarantined_at=None
    ).order_by("id").values("id")
    found: list[Quarantine] = []
    for row in rows:
        result = await audit_item(int(row["id"]), now=now, admins=admins)
        if result is not None:
            found.append(result)
    return found
