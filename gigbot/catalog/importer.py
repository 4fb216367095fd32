"""Project and quiz import: validate everything, then apply it in one transaction.

1. Open the bundle (``.toml``, folder or ``.zip``), check the settings (tasks/specs.py) and
   stream every item once to check it and its media (tasks/scan.py). Then the checks that need
   the database: the qualification quiz exists, and a project (quiz) that has work in progress
   keeps its kind and the order of its labels. Nothing is written until all of this passed.
2. Copy the media into ``<data dir>/media/<slug>/<sha256>.<ext>`` (content-addressed, so a
   failed import leaves at most unused files and never changes a file an item already uses).
3. In one transaction: create or update the project (quiz), then stream the items again and
   insert or update them in batches of ``BATCH`` (db/bulk.py). Any error rolls it all back.

Owner of the ``project``, ``quiz`` and ``quiz_item`` tables and of the first write of ``item``
(its content and class later too); a re-import changes ``needed`` and ``returned`` through their
owners, quality/store.py and tasks/store.py.
docs/import.md has the format, the decisions and the measurements.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from tortoise.expressions import F
from tortoise.transactions import in_transaction

from gigbot.catalog.files import Bundle, TomlDoc, open_bundle
from gigbot.catalog.scan import (
    CheckedProject,
    CheckedQuiz,
    ItemRow,
    check_project,
    check_quiz,
    rows,
)
from gigbot.catalog.specs import ImportRejected, Problems, ProjectSpec, QuizSpec, show
from gigbot.clock import Clock
from gigbot.db.bulk import BulkWriter
from gigbot.db.models import (
    AuditLog,
    Item,
    ItemStatus,
    Lease,
    Project,
    Quiz,
    QuizAttempt,
    QuizItem,
    QuizPart,
)
from gigbot.db.statements import connection
from gigbot.errors import ImportFileError
from gigbot.quality.completion import Settled, settle_item
from gigbot.quality.store import set_needed
from gigbot.tasks.store import clear_returned, flag_returned

__all__ = [
    "BATCH",
    "CONTROL_NEEDED",
    "ImportRejected",
    "ImportReport",
    "Progress",
    "import_project",
    "import_quiz",
    "validate_project",
    "validate_quiz",
]

CONTROL_NEEDED = 2**31 - 1
"""``Item.needed`` of a control item: never reached, so a control item never completes and can
be served to every worker once (it is scored against its gold, not aggregated)."""

BATCH = 2000
_ITEM_FIELDS = ("text", "image", "audio", "context", "gold", "explanation", "is_control")
_QUIZ_ITEM_FIELDS = ("seq", "text", "image", "audio", "context", "gold", "explanation")
Progress = Callable[[int, int], None]
"""Called with (items written, items in the file) after each batch, e.g. to draw a bar."""


def _changed(values: dict[str, Any], current: dict[str, Any], fields: Sequence[str]) -> bool:
    return any(values[name] != current[name] for name in fields)


@dataclass(frozen=True, slots=True)
class ImportReport:
    """What an import did. ``kept``: items already there that this file does not list."""

    kind: str  # project | quiz
    slug: str
    created: bool
    items: int  # in the file
    new: int
    updated: int
    control: int  # items of the file with gold
    kept: int
    media: int  # distinct media files
    training: int = 0
    exam: int = 0
    unchanged: int = 0  # items of the file already there exactly as the file has them


def _rejected(exc: ImportFileError) -> ImportRejected:
    return exc if isinstance(exc, ImportRejected) else ImportRejected([exc])


def validate_project(path: Path | str) -> ProjectSpec:
    """Every check of a project file that needs no database; raises ``ImportRejected``."""
    try:
        with open_bundle(Path(path), "project.toml") as bundle:
            problems = Problems()
            checked = _passed(check_project(bundle, problems), problems)
            return checked.spec
    except ImportFileError as exc:
        raise _rejected(exc) from None


def validate_quiz(path: Path | str) -> QuizSpec:
    """Every check of a quiz file that needs no database; raises ``ImportRejected``."""
    try:
        with open_bundle(Path(path), "quiz.toml") as bundle:
            problems = Problems()
            checked_quiz = _passed(check_quiz(bundle, problems), problems)
            return checked_quiz.spec
    except ImportFileError as exc:
        raise _rejected(exc) from None


def _check_change(doc: TomlDoc, old: Project | Quiz, spec: ProjectSpec | QuizSpec,
                  problems: Problems) -> None:
    """Work in progress names labels by position: kind, multi_label and label order stay."""

    def error(key: str, problem: str) -> None:
        problems.add(ImportFileError(doc.name, doc.lines.line(key), key, problem))

    if spec.kind != old.kind:
        error("kind", f"work has started as {old.kind}; the kind cannot change")
    elif spec.multi_label != old.multi_label:
        error("multi_label", "work has started; multi_label cannot change")
    else:
        before = [label["value"] for label in old.labels]
        if [label["value"] for label in spec.labels][: len(before)] != before:
            error("labels", f"work has started, so the label values {', '.join(before)} must "
                            "stay first and in this order; add new labels at the end")


def _batches(items: Iterator[ItemRow]) -> Iterator[list[ItemRow]]:
    batch: list[ItemRow] = []
    for row in items:
        batch.append(row)
        if len(batch) >= BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


_Checked = TypeVar("_Checked", CheckedProject, CheckedQuiz)


def _passed(checked: _Checked | None, problems: Problems) -> _Checked:
    """What a check returned, once ``problems`` holds none (else ``ImportRejected``)."""
    problems.raise_if_any()
    if checked is None:
        raise RuntimeError("a check found no problem and returned nothing")
    return checked


def _fields(row: ItemRow) -> dict[str, Any]:
    return {"text": row.text, "image": row.image, "audio": row.audio, "context": row.context,
            "gold": row.gold, "explanation": row.explanation}


# ----- projects


async def import_project(path: Path | str, *, data_dir: Path, clock: Clock,
                         actor: str = "cli", progress: Progress | None = None) -> ImportReport:
    """Import (or re-import) a project file atomically; raises ``ImportRejected`` on any error.

    An item already there with the same content, class and answers wanted counts as unchanged,
    not updated. ``progress`` hears how far the writing is after each batch.
    """
    try:
        with open_bundle(Path(path), "project.toml") as bundle:
            return await _import_project(bundle, data_dir=data_dir, now=clock.now(), actor=actor,
                                         progress=progress)
    except ImportFileError as exc:
        raise _rejected(exc) from None


async def _import_project(bundle: Bundle, *, data_dir: Path, now: dt.datetime,
                          actor: str, progress: Progress | None) -> ImportReport:
    problems = Problems()
    checked = _passed(check_project(bundle, problems), problems)
    spec, doc = checked.spec, checked.doc
    quiz = await Quiz.get_or_none(slug=spec.qualification) if spec.qualification else None
    if spec.qualification and quiz is None:
        problems.add(ImportFileError(
            doc.name, doc.lines.line("qualification"), "qualification",
            f"no quiz {show(spec.qualification)}; import the quiz first (gigbot quiz import)"))
    existing = await Project.get_or_none(slug=spec.slug)
    if existing is not None and await Lease.filter(project_id=existing.id).exists():
        _check_change(doc, existing, spec, problems)
    problems.raise_if_any()
    store = f"media/{spec.slug}"
    checked.media.copy_all(data_dir / store)
    async with in_transaction():
        project, created = await _save_project(spec, existing, quiz, now)
        new, updated, same = await _apply_items(project, checked, store, fresh=created,
                                                progress=progress)
        if not created:
            await _settle_capped(project, now)
        kept = await Item.filter(project_id=project.id).count() - new - updated - same
        await AuditLog.create(at=now, actor=actor, action="project.import", project_id=project.id,
                              data={"items": checked.scan.items, "new": new, "updated": updated,
                                    "control": checked.scan.control, "kept": kept})
    return ImportReport("project", spec.slug, created, checked.scan.items, new, updated,
                        checked.scan.control, kept, len(checked.media.files()), unchanged=same)


async def _save_project(spec: ProjectSpec, existing: Project | None, quiz: Quiz | None,
                        now: dt.datetime) -> tuple[Project, bool]:
    values: dict[str, Any] = {
        "kind": spec.kind, "title": spec.title, "instructions": spec.instructions,
        "labels": spec.labels, "multi_label": spec.multi_label, "reward": spec.reward,
        "overlap": spec.overlap, "max_overlap": spec.max_overlap, "confidence": spec.confidence,
        "gold_ratio": spec.gold_ratio, "qualification_id": quiz.id if quiz else None,
        "min_accuracy": spec.min_accuracy, "accept": spec.accept, "hold_days": spec.hold_days,
        "lease_minutes": spec.lease_minutes, "rules": spec.rules, "updated_at": now,
        "review_reward": spec.review_reward,
    }
    if existing is None:
        return await Project.create(slug=spec.slug, created_at=now, **values), True
    await Project.filter(id=existing.id).update(**values)
    await existing.refresh_from_db()
    return existing, False


def _needed(current: dict[str, Any] | None, row: ItemRow, project: Project) -> int:
    """Answers wanted: control items never complete; open items follow the new overlap."""
    if row.is_control:
        return CONTROL_NEEDED
    if current is None:
        return project.overlap
    if current["status"] != ItemStatus.OPEN:
        return int(current["needed"])
    needed = 0 if current["needed"] == CONTROL_NEEDED else int(current["needed"])
    return min(max(needed, project.overlap), project.max_overlap)


async def _settle_capped(project: Project, now: dt.datetime) -> None:
    """Settle open items that hold the answers now wanted (after a lowered ``max_overlap``).

    No lease would ever reach them again to do it. ``returned`` follows through its owner,
    tasks/store.py: flagged where more answers are asked, cleared where the item completed.
    """
    settled: dict[Settled, list[int]] = {Settled.MORE: [], Settled.COMPLETE: []}
    for item in await Item.filter(project_id=project.id, status=ItemStatus.OPEN,
                                  is_control=False, answers_count__gte=F("needed")):
        settled.setdefault(await settle_item(item, project, now), []).append(item.id)
    await flag_returned(connection(), settled[Settled.MORE])
    await clear_returned(connection(), settled[Settled.COMPLETE])


async def _apply_items(project: Project, checked: CheckedProject, store: str, *, fresh: bool,
                       progress: Progress | None) -> tuple[int, int, int]:
    writer = BulkWriter(Item)
    items = rows(checked.bundle, checked.doc, checked.spec.items, checked.rules, checked.media,
                 store)
    new = updated = same = 0
    for batch in _batches(items):
        existing: dict[str, dict[str, Any]] = {}
        if not fresh:
            found = await Item.filter(project_id=project.id, key__in=[r.key for r in batch]
                                      ).values("id", "key", "status", "needed", "returned",
                                              *_ITEM_FIELDS)
            existing = {str(item["key"]): item for item in found}
        creates: list[dict[str, Any]] = []
        changes: list[dict[str, Any]] = []
        needed: list[tuple[int, int]] = []  # (id, needed) where it changes
        returned: list[int] = []
        for row in batch:
            current = existing.get(row.key)
            values = _fields(row) | {"is_control": row.is_control,
                                     "needed": _needed(current, row, project)}
            if current is None:
                creates.append(values | {"project_id": project.id, "key": row.key})
                continue
            if not _changed(values, current, (*_ITEM_FIELDS, "needed")):
                same += 1
                continue
            changes.append(values | {"id": current["id"]})
            if values["needed"] != current["needed"]:
                needed.append((current["id"], values["needed"]))
            # more answers wanted, or the other class: workers past it may get it
            more = (values["needed"] > current["needed"]
                    or values["is_control"] != current["is_control"])
            if more and not current["returned"]:
                returned.append(current["id"])
        await writer.insert(creates)
        await writer.update(changes, _ITEM_FIELDS)
        await set_needed(connection(), needed)
        await flag_returned(connection(), returned)
        new += len(creates)
        updated += len(changes)
        if progress is not None:
            progress(new + updated + same, checked.scan.items)
    return new, updated, same


# ----- quizzes


async def import_quiz(path: Path | str, *, data_dir: Path, clock: Clock,
                      actor: str = "cli", progress: Progress | None = None) -> ImportReport:
    """Import (or re-import) a quiz file atomically; raises ``ImportRejected`` on any error."""
    try:
        with open_bundle(Path(path), "quiz.toml") as bundle:
            return await _import_quiz(bundle, data_dir=data_dir, now=clock.now(), actor=actor,
                                      progress=progress)
    except ImportFileError as exc:
        raise _rejected(exc) from None


async def _import_quiz(bundle: Bundle, *, data_dir: Path, now: dt.datetime,
                       actor: str, progress: Progress | None) -> ImportReport:
    problems = Problems()
    checked = _passed(check_quiz(bundle, problems), problems)
    spec = checked.spec
    existing = await Quiz.get_or_none(slug=spec.slug)
    if existing is not None and await QuizAttempt.filter(quiz_id=existing.id).exists():
        _check_change(checked.doc, existing, spec, problems)
    problems.raise_if_any()
    store = f"media/{spec.slug}"
    checked.media.copy_all(data_dir / store)
    async with in_transaction():
        quiz, created = await _save_quiz(spec, existing, now)
        new = updated = same = 0
        total = checked.training.items + checked.exam.items
        for part in QuizPart:
            added, changed, kept_as_is = await _apply_quiz_items(quiz, part, checked, store,
                                                                 fresh=created)
            new, updated, same = new + added, updated + changed, same + kept_as_is
            if progress is not None:
                progress(new + updated + same, total)
        kept = await QuizItem.filter(quiz_id=quiz.id).count() - new - updated - same
        await AuditLog.create(at=now, actor=actor, action="quiz.import",
                              data={"quiz": spec.slug, "new": new, "updated": updated,
                                    "kept": kept})
    return ImportReport("quiz", spec.slug, created, total, new, updated, total, kept,
                        len(checked.media.files()), training=checked.training.items,
                        exam=checked.exam.items, unchanged=same)


async def _save_quiz(spec: QuizSpec, existing: Quiz | None, now: dt.datetime
                     ) -> tuple[Quiz, bool]:
    values: dict[str, Any] = {
        "kind": spec.kind, "title": spec.title, "instructions": spec.instructions,
        "labels": spec.labels, "multi_label": spec.multi_label, "pass_score": spec.pass_score,
        "questions": spec.questions, "cooldown_hours": spec.cooldown_hours,
        "max_attempts": spec.max_attempts, "updated_at": now,
    }
    if existing is None:
        return await Quiz.create(slug=spec.slug, created_at=now, **values), True
    await Quiz.filter(id=existing.id).update(**values)
    await existing.refresh_from_db()
    return existing, False


async def _apply_quiz_items(quiz: Quiz, part: QuizPart, checked: CheckedQuiz, store: str, *,
                            fresh: bool) -> tuple[int, int, int]:
    writer = BulkWriter(QuizItem)
    source = checked.spec.training if part == QuizPart.TRAINING else checked.spec.exam
    items = rows(checked.bundle, checked.doc, source, checked.rules, checked.media, store)
    new = updated = same = seq = 0
    for batch in _batches(items):
        existing: dict[str, dict[str, Any]] = {}
        if not fresh:
            found = await QuizItem.filter(
                quiz_id=quiz.id, part=part, key__in=[r.key for r in batch]
            ).values("id", "key", *_QUIZ_ITEM_FIELDS)
            existing = {str(item["key"]): item for item in found}
        creates: list[dict[str, Any]] = []
        changes: list[dict[str, Any]] = []
        for row in batch:
            seq += 1
            values = _fields(row) | {"seq": seq}
            current = existing.get(row.key)
            if current is None:
                creates.append(values | {"quiz_id": quiz.id, "part": part, "key": row.key})
            elif _changed(values, current, _QUIZ_ITEM_FIELDS):
                changes.append(values | {"id": current["id"]})
            else:
                same += 1
        await writer.insert(creates)
        await writer.update(changes, _QUIZ_ITEM_FIELDS)
        new += len(creates)
        updated += len(changes)
    return new, updated, same
