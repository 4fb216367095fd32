"""Callback data codecs: every prefix gigbot puts on a button is declared here.

Each codec is a frozen dataclass of ``int``/``str`` fields packed as ``PREFIX:field:field``
(at most 64 bytes, checked at pack time) and parsed back strictly: a wrong prefix, a wrong field
count, a non-number where a number belongs or an over-long string raises ``BadCallback``.
Data names a lease, an attempt or a choice index: never an item, a label value or gold.
Services re-check that what it names belongs to the presser and is still open.
"""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import hmac
import re
from collections.abc import Callable
from typing import Any, ClassVar, Self, TypeVar, dataclass_transform

from gigbot.errors import BadCallback

__all__ = ["MAX_BYTES", "Codec", "codec"]

MAX_BYTES = 64
_SAFE = re.compile(r"^[A-Za-z0-9_./+-]*$")
_C = TypeVar("_C", bound="Codec")


class Codec:
    """Base of the callback codecs; subclasses are frozen dataclasses with ``PREFIX``."""

    PREFIX: ClassVar[str]
    # Set by @dataclass on each codec; declared so that dataclasses.fields() accepts the base.
    __dataclass_fields__: ClassVar[dict[str, dataclasses.Field[Any]]]

    @classmethod
    def pattern(cls) -> str:
        """The regex for ``CallbackQueryHandler(pattern=...)``."""
        return rf"^{re.escape(cls.PREFIX)}(:|$)"

    def pack(self) -> str:
        """The callback data string; ValueError if it would exceed 64 bytes."""
        parts = [self.PREFIX]
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            text = str(int(value)) if isinstance(value, bool | int) else str(value)
            if ":" in text:
                raise ValueError(f"callback field {f.name} may not contain ':'")
            parts.append(text)
        data = ":".join(parts)
        if len(data.encode()) > MAX_BYTES:
            raise ValueError(f"callback data over {MAX_BYTES} bytes: {data!r}")
        return data

    @classmethod
    def parse(cls, data: str | None) -> Self:
        """Decode ``data`` or raise BadCallback."""
        if not data or len(data.encode()) > MAX_BYTES:
            raise BadCallback()
        prefix, *raw = data.split(":")
        fields = dataclasses.fields(cls)
        if prefix != cls.PREFIX or len(raw) != len(fields):
            raise BadCallback()
        values: list[Any] = []
        for f, text in zip(fields, raw, strict=True):
            kind = f.type if isinstance(f.type, str) else getattr(f.type, "__name__", "")
            if kind == "int":
                if not re.fullmatch(r"-?\d{1,18}", text):
                    raise BadCallback()
                values.append(int(text))
            else:
                if not _SAFE.match(text):
                    raise BadCallback()
                values.append(text)
        return cls(*values)


@dataclass_transform(frozen_default=True)
def codec(prefix: str) -> Callable[[type[_C]], type[_C]]:
    """Class decorator: ``@codec("a")`` makes a frozen, slotted dataclass codec."""

    def wrap(cls: type[_C]) -> type[_C]:
        cls.PREFIX = prefix
        return dataclasses.dataclass(frozen=True, slots=True)(cls)

    return wrap


# ----- onboarding and settings ------------------------------------------------------------------


@codec("lang")
class PickLanguage(Codec):
    """A language button: ``lang:ko``."""

    lang: str


@codec("terms")
class AcceptTerms(Codec):
    """The "I agree" button."""


@codec("tz")
class PickZone(Codec):
    """A time-zone button by index into ``onboarding.ZONES``."""

    index: int


@codec("set")
class SettingsAction(Codec):
    """A /settings button: ``set:lang``, ``set:tz``, ``set:sum``."""

    action: str


@codec("del")
class ConfirmDelete(Codec):
    """/deleteme confirmation: ``del:1`` deletes, ``del:0`` keeps."""

    yes: int


# ----- quiz, profile, appeals -------------------------------------------------------------------


@codec("qz")
class QuizOpen(Codec):
    """Open a quiz: ``part`` is ``m`` (its screen), ``t`` (start training) or ``e`` (exam)."""

    quiz_id: int
    part: str


@codec("qa")
class QuizTap(Codec):
    """A one-tap answer to step ``step`` of a quiz attempt: label button ``choice``.

    Multi-label quizzes toggle with ``QuizToggle`` and send the chosen set as a bit mask here
    (``choice`` = mask, ``multi`` = 1). The data names the attempt and the step, never the item.
    """

    attempt_id: int
    step: int
    choice: int
    multi: int


@codec("qt")
class QuizToggle(Codec):
    """A multi-label toggle in a quiz: the new bit mask of chosen labels (kept on the button)."""

    attempt_id: int
    step: int
    mask: int


@codec("rv")
class ReviewerChoice(Codec):
    """The worker's answer to the reviewer offer in a project: ``accept`` 1 or 0."""

    project_id: int
    accept: int


@codec("ap")
class AppealOpen(Codec):
    """The Appeal button under a suspension."""

    suspension_id: int


@codec("ad")
class AppealDecide(Codec):
    """An admin's decision on an appeal: ``uphold`` 1 (approve), 0 (reject), 2 (reject now)."""

    appeal_id: int
    uphold: int


# ----- tasks ------------------------------------------------------------------------------------
# Task buttons name a lease (never an item, a label value or gold) and a button index. The hot
# buttons (one-tap answer, multi-label toggle) also carry a short HMAC tag of (lease, presser)
# keyed by the bot token: the handler checks it without the database, so it can answer the
# callback at once and still refuse forged or another user's data with a short answer. The
# service then checks the lease's owner and state again.


def task_key(token: str | None) -> bytes:
    """The key of task button tags, derived from the bot token."""
    return hashlib.sha256(b"gigbot-task-buttons:" + (token or "").encode()).digest()


def task_tag(key: bytes, lease_id: int, user_id: int) -> str:
    """8 URL-safe characters binding a lease to the Telegram user it was shown to."""
    mac = hmac.new(key, f"{lease_id}:{user_id}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac[:6]).decode()


def task_tag_ok(key: bytes, lease_id: int, user_id: int, tag: str) -> bool:
    """True when ``tag`` was made for this lease and this presser."""
    return hmac.compare_digest(task_tag(key, lease_id, user_id), tag)


@codec("a")
class AnswerTap(Codec):
    """One-tap answer: label button ``choice`` of the item on lease ``lease_id``."""

    lease_id: int
    choice: int
    tag: str


@codec("tg")
class ToggleTap(Codec):
    """Multi-label toggle: set label ``choice`` to ``on`` (1/0), so a redelivery is harmless."""

    lease_id: int
    choice: int
    on: int
    tag: str


@codec("dn")
class DoneTap(Codec):
    """Multi-label Done: submit the labels toggled on."""

    lease_id: int


@codec("sk")
class SkipTap(Codec):
    """Skip: the item goes back to the pool for others, never again to this worker."""

    lease_id: int


@codec("rp")
class ReportOpen(Codec):
    """Report: show the reason buttons."""

    lease_id: int


@codec("rr")
class ReportReason(Codec):
    """A report reason, by index into ``tasks.policy.REPORT_REASONS``."""

    lease_id: int
    reason: int


@codec("rb")
class ReportBack(Codec):
    """Back from the report reasons to the item."""

    lease_id: int


@codec("st")
class StopTap(Codec):
    """Stop: end the work session with a short tally."""

    lease_id: int


@codec("p")
class PickProject(Codec):
    """Start (or resume) a work session in a project from the /tasks list."""

    project_id: int


# ----- money ------------------------------------------------------------------------------------
# Money buttons name a payout request, an answer or an appeal, never an amount: the service
# reads the amount from the row and re-checks who presses and what state the row is in.


@codec("po")
class PayoutAction(Codec):
    """The worker's /payout buttons: ``all`` (quote the available balance), ``amt`` (type an
    amount), ``acct`` (set the account), ``ok`` / ``no`` (confirm or drop quote ``request_id``).
    """

    action: str
    request_id: int


@codec("pd")
class PayoutDecide(Codec):
    """An admin's button on a request: 1 approve, 0 reject (asks a reason), 2 reject now,
    3 mark paid."""

    request_id: int
    action: int


@codec("hi")
class HistoryPageTap(Codec):
    """Older / Newer in /history: the page to show (0 is the newest)."""

    page: int


@codec("ra")
class RejectionAppeal(Codec):
    """The Appeal button under a rejected answer."""

    answer_id: int


@codec("rd")
class RejectionDecide(Codec):
    """An admin's decision on an answer's appeal: 1 uphold, 0 refuse (asks why)."""

    appeal_id: int
    uphold: int


# ----- review -----------------------------------------------------------------------------------
# A review button names an answer, never its label or the item. Like the one-tap task buttons it
# carries a tag of (answer, presser) keyed by the bot token, so forged data or a card forwarded
# to another user is refused without the database; the service checks the reviewer again.


def review_key(token: str | None) -> bytes:
    """The key of review button tags, derived from the bot token (apart from task tags)."""
    return hashlib.sha256(b"gigbot-review-buttons:" + (token or "").encode()).digest()


@codec("rw")
class ReviewTap(Codec):
    """A review card's button: ``ok`` accept, ``no`` show the reasons, ``back`` from them,
    ``r`` reject with reason ``reason`` (an index into ``payouts.review.REASONS``), ``n`` ask
    for a note first."""

    answer_id: int
    action: str
    reason: int
    tag: str
