"""The whole data model as tortoise-orm models: tables, indexes, unique keys; no behaviour.

Model docstrings become SQL table comments: tortoise does not escape them, so they hold no
apostrophes (tests/unit/test_models.py checks).

Times are aware UTC. Money is ``BigIntField`` in minor units. Every column added after the first
migration carries a ``db_default`` so that migrations work on tables that already hold rows.
Which service owns (alone writes and queries) each table is said in its docstring. The key
column tortoise adds for each relation is declared too (``project_id: int``, an annotation only)
so that the type checker knows it.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Any, Protocol, Self

from tortoise import fields
from tortoise.indexes import Index
from tortoise.models import Model

__all__ = [
    "Acceptance",
    "Admin",
    "Answer",
    "AnswerStatus",
    "Appeal",
    "AppealStatus",
    "AttemptStatus",
    "AuditLog",
    "Broadcast",
    "BroadcastStatus",
    "EntryKind",
    "GigModel",
    "Item",
    "ItemFacts",
    "ItemReport",
    "ItemStatus",
    "JSONValueField",
    "Lease",
    "LeaseStatus",
    "LedgerEntry",
    "MediaFile",
    "Onboarding",
    "PayoutAccount",
    "PayoutRequest",
    "PayoutStatus",
    "Project",
    "ProjectFacts",
    "ProjectKind",
    "ProjectStatus",
    "QualStage",
    "Qualification",
    "Quiz",
    "QuizAnswer",
    "QuizAttempt",
    "QuizItem",
    "QuizPart",
    "Skill",
    "SkillStage",
    "Suspension",
    "SuspensionRule",
    "User",
]


class JSONValueField(fields.JSONField[Any]):
    """A JSON column that holds any JSON value, a plain ``str`` included.

    tortoise's JSONField takes a ``str`` for JSON text already encoded: it refuses ``"pos"`` and
    stores ``"123"`` as the number 123. This one encodes every value on the way in and decodes
    the text the database gives back. Same SQL type (JSON, JSONB on PostgreSQL).
    """

    def to_db_value(self, value: Any, instance: type[Model] | Model) -> str | None:
        """The JSON text of ``value`` (``None`` stays NULL)."""
        self.validate(value)
        return None if value is None else self.encoder(value)

    def to_python_value(self, value: Any) -> Any:
        """The value of the JSON text read from the database; a Python value passes through."""
        if isinstance(value, str | bytes):
            return self.decoder(value)
        return value


class GigModel(Model):
    """The base of every model: JSON columns take a plain ``str`` in the constructor too."""

    # tortoise passes constructor (and update_from_dict) values through to_python_value, the
    # decoder of database text: a str given there is the value itself, so it is set afterwards.

    def __init__(self, **kwargs: Any) -> None:
        rest, plain = self._split_plain_json(kwargs)
        super().__init__(**rest)
        for name, value in plain.items():
            setattr(self, name, value)

    def update_from_dict(self, data: dict[str, Any]) -> Self:
        """Set the fields named in ``data`` (tortoise's, with plain strings for JSON columns)."""
        rest, plain = self._split_plain_json(data)
        super().update_from_dict(rest)
        for name, value in plain.items():
            setattr(self, name, value)
        return self

    def _split_plain_json(self, values: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
        json_fields = _json_fields(type(self))
        plain = {
            name: value for name, value in values.items()
            if isinstance(value, str) and name in json_fields
        }
        return {name: v for name, v in values.items() if name not in plain}, plain

    class Meta:
        abstract = True


def _json_fields(model: type[Model]) -> frozenset[str]:
    """The names of ``model``'s JSONValueField columns (from its public description)."""
    known = _JSON_FIELDS.get(model)
    if known is None:
        described = model.describe(serializable=False)
        known = frozenset(
            f["name"] for f in described["data_fields"]
            if isinstance(f.get("field_type"), type)
            and issubclass(f["field_type"], JSONValueField)
        )
        _JSON_FIELDS[model] = known
    return known


_JSON_FIELDS: dict[type[Model], frozenset[str]] = {}


class Onboarding(StrEnum):
    """Where a new member is in the sign-up flow."""

    LANGUAGE = "language"
    TERMS = "terms"
    TIMEZONE = "timezone"
    DONE = "done"


class User(GigModel):
    """A Telegram user who wrote to the bot (a worker). Owner: onboarding/service.py.

    ``/deleteme`` clears the personal columns (names, username, tg_id becomes NULL) and sets
    ``deleted_at``. Answers and ledger entries stay, linked to the anonymous row and pseudonym.
    """

    id = fields.IntField(primary_key=True)
    tg_id = fields.BigIntField(null=True, unique=True)
    pseudonym = fields.CharField(max_length=16, unique=True)
    first_name = fields.CharField(max_length=128, null=True)
    username = fields.CharField(max_length=64, null=True)
    language = fields.CharField(max_length=8, default="en", db_default="en")
    tz = fields.CharField(max_length=64, default="Asia/Seoul", db_default="Asia/Seoul")
    onboarding = fields.CharEnumField(Onboarding, max_length=16, default=Onboarding.LANGUAGE)
    agreed_at = fields.DatetimeField(null=True)
    summaries = fields.BooleanField(default=True, db_default=True)
    start_param = fields.CharField(max_length=64, null=True)
    blocked_at = fields.DatetimeField(null=True)
    deleted_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField()
    last_seen_at = fields.DatetimeField()

    class Meta:
        table = "user"


class Admin(GigModel):
    """An admin added with ``gigbot admin add`` (besides GIGBOT_ADMINS). Owner: cli/admins."""

    # A plain serial key: tortoise writes a non-generated BigInt key into migrations as generated.
    id = fields.IntField(primary_key=True)
    tg_id = fields.BigIntField(unique=True)
    added_at = fields.DatetimeField()

    class Meta:
        table = "admin"


class Quiz(GigModel):
    """A qualification quiz: training items with hints, then an exam. Owner: tasks/importer.py."""

    id = fields.IntField(primary_key=True)
    slug = fields.CharField(max_length=40, unique=True)
    kind = fields.CharField(max_length=16)  # a ProjectKind
    title = JSONValueField()  # {"en": ..., "ko": ...}
    instructions = JSONValueField(null=True)
    labels = JSONValueField()  # [{"value", "en", "ko"}]
    multi_label = fields.BooleanField(default=False)
    pass_score = fields.FloatField()
    questions = fields.IntField()
    cooldown_hours = fields.FloatField()
    max_attempts = fields.IntField()
    created_at = fields.DatetimeField()
    updated_at = fields.DatetimeField()

    class Meta:
        table = "quiz"


class QuizItem(GigModel):
    """One training or exam question of a quiz, with its gold and explanation."""

    id = fields.IntField(primary_key=True)
    quiz: fields.ForeignKeyRelation[Quiz] = fields.ForeignKeyField(
        "models.Quiz", related_name="items", on_delete=fields.CASCADE
    )
    quiz_id: int
    part = fields.CharField(max_length=8)  # a QuizPart
    key = fields.CharField(max_length=200)
    seq = fields.IntField()
    text = fields.TextField(null=True)
    image = fields.CharField(max_length=500, null=True)  # path under the data dir's media store
    audio = fields.CharField(max_length=500, null=True)
    context = fields.TextField(null=True)
    gold = JSONValueField()
    explanation = JSONValueField(null=True)  # {"en", "ko"} or a plain string

    class Meta:
        table = "quiz_item"
        unique_together = (("quiz", "part", "key"),)
        indexes = (Index(fields=("quiz_id", "part", "seq")),)


class ProjectKind(StrEnum):
    """What a project's (or a quiz's) workers do."""

    CLASSIFICATION = "classification"
    TRANSCRIPTION = "transcription"


class Acceptance(StrEnum):
    """How a project's answers are accepted (``Project.accept``)."""

    AUTO = "auto"  # earned at once
    CONSENSUS = "consensus"
    REVIEW = "review"


class ProjectStatus(StrEnum):
    """Whether a project serves work."""

    ACTIVE = "active"
    PAUSED = "paused"


class Project(GigModel):
    """A labelling project as imported from its TOML file. Owner: tasks/importer.py."""

    id = fields.IntField(primary_key=True)
    slug = fields.CharField(max_length=40, unique=True)
    kind = fields.CharField(max_length=16)  # a ProjectKind
    title = JSONValueField()
    instructions = JSONValueField()
    labels = JSONValueField()  # [{"value", "en", "ko"}], empty for transcription
    multi_label = fields.BooleanField(default=False)
    reward = fields.BigIntField()
    overlap = fields.IntField()
    max_overlap = fields.IntField()
    confidence = fields.FloatField()
    gold_ratio = fields.FloatField()
    qualification: fields.ForeignKeyNullableRelation[Quiz] = fields.ForeignKeyField(
        "models.Quiz", related_name="projects", null=True, on_delete=fields.SET_NULL
    )
    qualification_id: int | None
    min_accuracy = fields.FloatField()
    accept = fields.CharField(max_length=16, default=Acceptance.AUTO.value)  # an Acceptance
    # minor units a reviewer earns per review decision (``accept = "review"``)
    review_reward = fields.BigIntField(default=0, db_default=0)
    hold_days = fields.IntField(default=0)
    lease_minutes = fields.FloatField(default=10)
    # Quality thresholds (DESIGN §7), configurable per project in the TOML's [rules] table.
    rules = JSONValueField(default=dict)
    status = fields.CharEnumField(ProjectStatus, max_length=16, default=ProjectStatus.ACTIVE)
    created_at = fields.DatetimeField()
    updated_at = fields.DatetimeField()

    class Meta:
        table = "project"


class ItemStatus(StrEnum):
    """Where an item is in its life: served until complete, paused after reports."""

    OPEN = "open"
    COMPLETE = "complete"
    PAUSED = "paused"


# Item's docstring is its table comment (a migration): its column owners are said by the columns.
class Item(GigModel):
    """One unit of work. ``taken`` = answers + open leases, kept in step by tasks/leases.py.

    Selection reads the index (project, status, is_control, id): an item is a candidate while it is
    open and ``taken < cap`` where the cap is ``max_overlap`` (or ``overlap`` until confidence
    asks for more, see tasks/policy.py). Owner: tasks/.
    """

    id = fields.IntField(primary_key=True)
    project: fields.ForeignKeyRelation[Project] = fields.ForeignKeyField(
        "models.Project", related_name="items", on_delete=fields.CASCADE
    )
    project_id: int
    key = fields.CharField(max_length=200)
    text = fields.TextField(null=True)
    image = fields.CharField(max_length=500, null=True)
    audio = fields.CharField(max_length=500, null=True)
    context = fields.TextField(null=True)
    gold = JSONValueField(null=True)
    explanation = JSONValueField(null=True)
    is_control = fields.BooleanField(default=False)
    quarantined_at = fields.DatetimeField(null=True)
    # open until complete, or paused after reports; changed only by quality/store.py
    status = fields.CharEnumField(ItemStatus, max_length=16, default=ItemStatus.OPEN)
    # answers wanted now: overlap, raised up to max_overlap; changed only by quality/store.py
    needed = fields.IntField()
    # answers + open leases; changed only by tasks/store.py (serving raises and lowers it)
    taken = fields.IntField(default=0)
    # room came back (a lease given back, one more answer asked) while open: workers whose
    # cursor is past the item find it through this flag, so that search never walks the project.
    # Changed by tasks/store.py (quality/store.py too, until its settle result reaches tasks)
    returned = fields.BooleanField(default=False)
    answers_count = fields.IntField(default=0)  # changed only by tasks/store.py
    reports = fields.IntField(default=0)  # changed only by tasks/store.py
    label = JSONValueField(null=True)  # final aggregated label; changed only by quality/store.py
    label_confidence = fields.FloatField(null=True)  # changed only by quality/store.py
    completed_at = fields.DatetimeField(null=True)  # changed only by quality/store.py

    class Meta:
        table = "item"
        unique_together = (("project", "key"),)
        indexes = (Index(fields=("project_id", "status", "is_control", "id")),
                   Index(fields=("project_id", "status", "is_control", "returned", "id")))


class MediaFile(GigModel):
    """A prepared media file (re-encoded image, audio) and its Telegram file_id once uploaded."""

    id = fields.IntField(primary_key=True)
    sha256 = fields.CharField(max_length=64)
    variant = fields.CharField(max_length=64, default="")  # e.g. watermark owner
    path = fields.CharField(max_length=500)
    mime = fields.CharField(max_length=64)
    file_id = fields.CharField(max_length=255, null=True)
    created_at = fields.DatetimeField()

    class Meta:
        table = "media_file"
        unique_together = (("sha256", "variant"),)


class LeaseStatus(StrEnum):
    """What became of a served item."""

    OPEN = "open"
    ANSWERED = "answered"
    SKIPPED = "skipped"
    REPORTED = "reported"
    EXPIRED = "expired"


class Lease(GigModel):
    """An item served to one worker. (item, worker) is unique: nobody gets an item twice."""

    id = fields.IntField(primary_key=True)
    item: fields.ForeignKeyRelation[Item] = fields.ForeignKeyField(
        "models.Item", related_name="leases", on_delete=fields.CASCADE
    )
    item_id: int
    worker: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="leases", on_delete=fields.CASCADE
    )
    worker_id: int
    project: fields.ForeignKeyRelation[Project] = fields.ForeignKeyField(
        "models.Project", related_name="leases", on_delete=fields.CASCADE
    )
    project_id: int
    status = fields.CharEnumField(LeaseStatus, max_length=16, default=LeaseStatus.OPEN)
    is_control = fields.BooleanField(default=False)
    chosen = JSONValueField(default=list)  # multi-label toggles so far
    chat_id = fields.BigIntField(null=True)
    message_id = fields.BigIntField(null=True)
    session_id = fields.IntField(null=True)  # id of the first lease of the work session
    created_at = fields.DatetimeField()
    expires_at = fields.DatetimeField()
    closed_at = fields.DatetimeField(null=True)

    class Meta:
        table = "lease"
        unique_together = (("item", "worker"),)
        indexes = (
            Index(fields=("status", "expires_at")),
            Index(fields=("worker_id", "project_id", "status")),
            # the per-worker selection cursor: MAX(item_id) of one worker, project and class
            Index(fields=("worker_id", "project_id", "is_control", "item_id")),
            Index(fields=("session_id",)),
        )


class AnswerStatus(StrEnum):
    """Whether an answer earns: accepted at once (auto), pending review, or rejected."""

    ACCEPTED = "accepted"
    PENDING = "pending"
    REJECTED = "rejected"


class Answer(GigModel):
    """The answer of a worker to a leased item, one per lease. Owner: tasks/answers.py."""

    id = fields.IntField(primary_key=True)
    lease: fields.OneToOneRelation[Lease] = fields.OneToOneField(
        "models.Lease", related_name="answer", on_delete=fields.CASCADE
    )
    lease_id: int
    item: fields.ForeignKeyRelation[Item] = fields.ForeignKeyField(
        "models.Item", related_name="answers", on_delete=fields.CASCADE
    )
    item_id: int
    worker: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="answers", on_delete=fields.CASCADE
    )
    worker_id: int
    project: fields.ForeignKeyRelation[Project] = fields.ForeignKeyField(
        "models.Project", related_name="answers", on_delete=fields.CASCADE
    )
    project_id: int
    value = JSONValueField()  # a label value, a list of values, or a transcription
    seconds = fields.FloatField()
    is_control = fields.BooleanField(default=False)
    correct = fields.BooleanField(null=True)  # control answers only
    score = fields.FloatField(null=True)  # control: Jaccard or 1 - CER
    counted = fields.BooleanField(default=True)  # False once its gold was quarantined
    # an AnswerStatus: set at insert by tasks/answers.py (the project's acceptance policy);
    # changed afterwards only by payouts/acceptance.py, with reject_reason and reject_note
    status = fields.CharField(max_length=16, default="accepted")
    reject_reason = fields.CharField(max_length=64, null=True)
    reject_note = fields.TextField(null=True)
    decided_at = fields.DatetimeField(null=True)  # accepted or rejected after pending
    decided_by = fields.BigIntField(null=True)  # Telegram id of a reviewer or admin
    created_at = fields.DatetimeField()

    class Meta:
        table = "answer"
        indexes = (
            Index(fields=("worker_id", "project_id", "created_at")),
            Index(fields=("project_id", "item_id")),
            Index(fields=("status", "created_at")),
        )


class ItemReport(GigModel):
    """A report by a worker of a bad item (unclear, offensive, broken media)."""

    id = fields.IntField(primary_key=True)
    item: fields.ForeignKeyRelation[Item] = fields.ForeignKeyField(
        "models.Item", related_name="item_reports", on_delete=fields.CASCADE
    )
    item_id: int
    worker: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="item_reports", on_delete=fields.CASCADE
    )
    worker_id: int
    reason = fields.CharField(max_length=16)
    created_at = fields.DatetimeField()

    class Meta:
        table = "item_report"
        unique_together = (("item", "worker"),)


class SkillStage(StrEnum):
    """The stage of a worker within one project."""

    PROBATION = "probation"
    WORKER = "worker"
    REVIEWER = "reviewer"


class Skill(GigModel):
    """The standing of a worker in one project: control counts (Beta posterior) and stage.

    Posterior Beta(2 + right, 1 + wrong), kept up to date in the transaction of the answer.
    Owner: tasks/answers.py (counts) and onboarding/stages (stage changes).
    """

    id = fields.IntField(primary_key=True)
    worker: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="skills", on_delete=fields.CASCADE
    )
    worker_id: int
    project: fields.ForeignKeyRelation[Project] = fields.ForeignKeyField(
        "models.Project", related_name="skills", on_delete=fields.CASCADE
    )
    project_id: int
    stage = fields.CharEnumField(SkillStage, max_length=16, default=SkillStage.PROBATION)
    # floats: Jaccard/CER can give partial credit; the counts change only in quality/store.py
    control_right = fields.FloatField(default=0)
    control_wrong = fields.FloatField(default=0)
    control_count = fields.IntField(default=0)
    answers_count = fields.IntField(default=0)
    reviewer_offered_at = fields.DatetimeField(null=True)
    reviewer_declined_at = fields.DatetimeField(null=True)
    updated_at = fields.DatetimeField()

    class Meta:
        table = "skill"
        unique_together = (("worker", "project"),)


class QualStage(StrEnum):
    """The stage of a worker in a qualification quiz (DESIGN §5 steps 1-3)."""

    REGISTERED = "registered"
    TRAINED = "trained"
    QUALIFIED = "qualified"
    CLOSED = "closed"  # every exam attempt used without a pass


class Qualification(GigModel):
    """The progress of a worker through one quiz."""

    id = fields.IntField(primary_key=True)
    worker: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="qualifications", on_delete=fields.CASCADE
    )
    worker_id: int
    quiz: fields.ForeignKeyRelation[Quiz] = fields.ForeignKeyField(
        "models.Quiz", related_name="qualifications", on_delete=fields.CASCADE
    )
    quiz_id: int
    stage = fields.CharEnumField(QualStage, max_length=16, default=QualStage.REGISTERED)
    training_score = fields.FloatField(null=True)
    exam_score = fields.FloatField(null=True)
    attempts_used = fields.IntField(default=0)
    next_attempt_at = fields.DatetimeField(null=True)
    qualified_at = fields.DatetimeField(null=True)
    updated_at = fields.DatetimeField()

    class Meta:
        table = "qualification"
        unique_together = (("worker", "quiz"),)


class QuizPart(StrEnum):
    """The two parts of a quiz."""

    TRAINING = "training"
    EXAM = "exam"


class AttemptStatus(StrEnum):
    """Where a quiz attempt is: open, or how it ended."""

    OPEN = "open"
    DONE = "done"  # training finished
    PASSED = "passed"
    FAILED = "failed"
    ABANDONED = "abandoned"


class QuizAttempt(GigModel):
    """One training run or exam attempt: the drawn questions and the position in them."""

    id = fields.IntField(primary_key=True)
    worker: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="quiz_attempts", on_delete=fields.CASCADE
    )
    worker_id: int
    quiz: fields.ForeignKeyRelation[Quiz] = fields.ForeignKeyField(
        "models.Quiz", related_name="attempts", on_delete=fields.CASCADE
    )
    quiz_id: int
    part = fields.CharField(max_length=8)  # a QuizPart
    status = fields.CharField(max_length=16, default="open")  # an AttemptStatus
    queue = JSONValueField(default=list)  # quiz item ids still to ask, in order
    asked = fields.IntField(default=0)
    first_right = fields.IntField(default=0)
    total = fields.IntField(default=0)
    score = fields.FloatField(null=True)
    message_id = fields.BigIntField(null=True)
    started_at = fields.DatetimeField()
    finished_at = fields.DatetimeField(null=True)

    class Meta:
        table = "quiz_attempt"
        indexes = (Index(fields=("worker_id", "quiz_id", "part", "status")),)


class QuizAnswer(GigModel):
    """An answer within a quiz attempt. ``is_first`` marks the first answer to that question."""

    id = fields.IntField(primary_key=True)
    attempt: fields.ForeignKeyRelation[QuizAttempt] = fields.ForeignKeyField(
        "models.QuizAttempt", related_name="answers", on_delete=fields.CASCADE
    )
    attempt_id: int
    quiz_item: fields.ForeignKeyRelation[QuizItem] = fields.ForeignKeyField(
        "models.QuizItem", related_name="answers", on_delete=fields.CASCADE
    )
    quiz_item_id: int
    step = fields.IntField()  # position in the attempt: one answer per step
    value = JSONValueField()
    correct = fields.BooleanField()
    is_first = fields.BooleanField()
    created_at = fields.DatetimeField()

    class Meta:
        table = "quiz_answer"
        unique_together = (("attempt", "step"),)


class SuspensionRule(StrEnum):
    """What suspended a worker: a quality rule, or an admin."""

    ACCURACY = "accuracy"
    SPEED = "speed"
    ADMIN = "admin"


class Suspension(GigModel):
    """A worker barred from one project (or everywhere when project is NULL), with its reason.

    ``reason_key`` is a locale key and ``reason_params`` its parameters, so the worker reads the
    reason in their own language. ``ends_at`` NULL means until an admin decides.
    """

    id = fields.IntField(primary_key=True)
    worker: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="suspensions", on_delete=fields.CASCADE
    )
    worker_id: int
    project: fields.ForeignKeyNullableRelation[Project] = fields.ForeignKeyField(
        "models.Project", related_name="suspensions", null=True, on_delete=fields.CASCADE
    )
    project_id: int | None
    rule = fields.CharField(max_length=32)  # a SuspensionRule
    reason_key = fields.CharField(max_length=64)
    reason_params = JSONValueField(default=dict)
    cause_item: fields.ForeignKeyNullableRelation[Item] = fields.ForeignKeyField(
        "models.Item", related_name="caused_suspensions", null=True, on_delete=fields.SET_NULL
    )
    cause_item_id: int | None
    created_at = fields.DatetimeField()
    ends_at = fields.DatetimeField(null=True)
    lifted_at = fields.DatetimeField(null=True)
    lifted_by = fields.CharField(max_length=32, null=True)  # "admin:<id>", "gold-audit", "expiry"

    class Meta:
        table = "suspension"
        indexes = (Index(fields=("worker_id", "lifted_at")),)


class AppealStatus(StrEnum):
    """The state of an appeal in the admin queue."""

    OPEN = "open"
    UPHELD = "upheld"
    DENIED = "denied"


class Appeal(GigModel):
    """An appeal by a worker against a suspension or a rejected answer: the admin queue."""

    id = fields.IntField(primary_key=True)
    worker: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="appeals", on_delete=fields.CASCADE
    )
    worker_id: int
    suspension: fields.ForeignKeyNullableRelation[Suspension] = fields.ForeignKeyField(
        "models.Suspension", related_name="appeals", null=True, on_delete=fields.CASCADE
    )
    suspension_id: int | None
    answer: fields.ForeignKeyNullableRelation[Answer] = fields.ForeignKeyField(
        "models.Answer", related_name="appeals", null=True, on_delete=fields.CASCADE
    )
    answer_id: int | None
    text = fields.TextField(default="")
    status = fields.CharEnumField(AppealStatus, max_length=16, default=AppealStatus.OPEN)
    created_at = fields.DatetimeField()
    decided_at = fields.DatetimeField(null=True)
    decided_by = fields.BigIntField(null=True)
    decision_note = fields.TextField(null=True)

    class Meta:
        table = "appeal"
        # one appeal per rejected answer (suspension appeals have no answer: NULLs never clash)
        unique_together = (("answer",),)
        indexes = (Index(fields=("status", "created_at")),)


class EntryKind(StrEnum):
    """Kinds of ledger entries (DESIGN §8)."""

    EARNING = "earning"  # + reward of an answer (pending while the answer is, or on hold)
    REJECTION = "rejection"  # - the earning of an answer rejected
    REVERSAL = "reversal"  # + a rejection undone by an upheld appeal
    BONUS = "bonus"
    PAYOUT = "payout"  # - the net amount of an approved payout
    WITHHOLDING = "withholding"  # - the tax withheld from it
    ADJUSTMENT = "adjustment"  # +/- an admin's correction
    REVIEW = "review"  # + a reviewer's pay for one review decision


class LedgerEntry(GigModel):
    """One immutable ledger entry in minor units. ``key`` makes every posting idempotent."""

    id = fields.IntField(primary_key=True)
    worker: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="entries", on_delete=fields.RESTRICT
    )
    worker_id: int
    kind = fields.CharEnumField(EntryKind, max_length=16)
    amount = fields.BigIntField()
    key = fields.CharField(max_length=100, unique=True)
    answer: fields.ForeignKeyNullableRelation[Answer] = fields.ForeignKeyField(
        "models.Answer", related_name="entries", null=True, on_delete=fields.RESTRICT
    )
    answer_id: int | None
    available_at = fields.DatetimeField(null=True)  # pending until then
    created_at = fields.DatetimeField()

    class Meta:
        table = "ledger_entry"
        indexes = (Index(fields=("worker_id", "created_at")),)


class PayoutStatus(StrEnum):
    """Where a payout request is."""

    DRAFT = "draft"  # quoted to the worker, not confirmed yet
    REQUESTED = "requested"  # confirmed: waits for an admin
    APPROVED = "approved"  # ledger entries written: to be transferred
    REJECTED = "rejected"
    PAID = "paid"  # the transfer is recorded


class PayoutRequest(GigModel):
    """A withdrawal request: gross, withholding, net, decided by an admin. Owner: payouts.

    ``key`` is ``open:<worker>`` while requested (so a worker has at most one request waiting),
    ``draft:<random>`` before and ``payout:<id>`` after.
    """

    id = fields.IntField(primary_key=True)
    worker: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="payouts", on_delete=fields.RESTRICT
    )
    worker_id: int
    amount = fields.BigIntField()
    withholding = fields.BigIntField()
    net = fields.BigIntField()
    status = fields.CharField(max_length=16, default="requested")  # a PayoutStatus
    key = fields.CharField(max_length=100, unique=True)
    created_at = fields.DatetimeField()
    decided_at = fields.DatetimeField(null=True)
    decided_by = fields.BigIntField(null=True)
    available_seen = fields.BigIntField(db_default=0, default=0)  # when quoted
    account = fields.TextField(db_default="", default="")  # encrypted snapshot at confirm
    account_masked = fields.CharField(max_length=80, db_default="", default="")
    reason = fields.TextField(null=True)  # an admin's reason for a rejection
    confirmed_at = fields.DatetimeField(null=True)
    paid_at = fields.DatetimeField(null=True)
    paid_by = fields.CharField(max_length=32, null=True)  # "admin:<tg id>" or "cli"

    class Meta:
        table = "payout_request"
        indexes = (Index(fields=("status", "id")), Index(fields=("worker_id", "status")))


class PayoutAccount(GigModel):
    """Where a worker is paid: bank, holder and number, encrypted (Fernet). Owner: payouts."""

    id = fields.IntField(primary_key=True)
    worker: fields.OneToOneRelation[User] = fields.OneToOneField(
        "models.User", related_name="payout_account", on_delete=fields.CASCADE
    )
    worker_id: int
    secret = fields.TextField()  # Fernet token of {"bank", "holder", "number"}
    masked = fields.CharField(max_length=80)  # bank and the number's last digits
    updated_at = fields.DatetimeField()

    class Meta:
        table = "payout_account"


class BroadcastStatus(StrEnum):
    """Where a broadcast is."""

    DRAFT = "draft"
    SENDING = "sending"
    DONE = "done"
    CANCELLED = "cancelled"


class Broadcast(GigModel):
    """A targeted message to many workers, sent with a stored cursor so a restart resumes it."""

    id = fields.IntField(primary_key=True)
    created_by = fields.BigIntField()
    text = JSONValueField()
    audience = JSONValueField(default=dict)
    status = fields.CharField(max_length=16, default="draft")  # a BroadcastStatus
    cursor = fields.IntField(default=0)  # last user id handled
    total = fields.IntField(default=0)
    sent = fields.IntField(default=0)
    failed = fields.IntField(default=0)
    created_at = fields.DatetimeField()
    finished_at = fields.DatetimeField(null=True)

    class Meta:
        table = "broadcast"


class AuditLog(GigModel):
    """Who did what, when: rule verdicts, admin decisions, quarantines, imports."""

    id = fields.IntField(primary_key=True)
    at = fields.DatetimeField()
    actor = fields.CharField(max_length=64)  # "system", "admin:<tg id>", "cli"
    action = fields.CharField(max_length=64)
    worker: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="audit", null=True, on_delete=fields.SET_NULL
    )
    worker_id: int | None
    project: fields.ForeignKeyNullableRelation[Project] = fields.ForeignKeyField(
        "models.Project", related_name="audit", null=True, on_delete=fields.SET_NULL
    )
    project_id: int | None
    data = JSONValueField(default=dict)

    class Meta:
        table = "audit_log"
        indexes = (Index(fields=("action", "at")),)


# What services read of a project or an item: the ORM row and the hot path's plain values (the
# dataclasses of tasks/store.py) both have these attributes, so one rule serves either.


class ProjectFacts(Protocol):
    """The columns of a project that the serving and quality rules read."""

    @property
    def id(self) -> int: ...
    @property
    def kind(self) -> str: ...
    @property
    def title(self) -> Any: ...
    @property
    def instructions(self) -> Any: ...
    @property
    def labels(self) -> Any: ...
    @property
    def multi_label(self) -> bool: ...
    @property
    def reward(self) -> int: ...
    @property
    def overlap(self) -> int: ...
    @property
    def max_overlap(self) -> int: ...
    @property
    def confidence(self) -> float: ...
    @property
    def gold_ratio(self) -> float: ...
    @property
    def min_accuracy(self) -> float: ...
    @property
    def accept(self) -> str: ...
    @property
    def hold_days(self) -> int: ...
    @property
    def lease_minutes(self) -> float: ...
    @property
    def rules(self) -> Any: ...
    @property
    def status(self) -> ProjectStatus: ...


class ItemFacts(Protocol):
    """The columns of an item that quality reads after an answer."""

    @property
    def id(self) -> int: ...
    @property
    def key(self) -> str: ...
    @property
    def is_control(self) -> bool: ...
    @property
    def gold(self) -> Any: ...
    @property
    def quarantined_at(self) -> dt.datetime | None: ...
    @property
    def status(self) -> ItemStatus: ...
    @property
    def needed(self) -> int: ...
    @property
    def answers_count(self) -> int: ...
