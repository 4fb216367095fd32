"""Pure rendering for quizzes, the profile and the reviewer offer: results + Translator in, text
and keyboard out. Nothing here awaits; captions come from the locales, data from the codecs.

``PromptMatch`` recognises the bot's own ForceReply prompts (a quiz question, an appeal, an
admin's note) in ``reply_to_message`` by the fixed start of their locale text, in every language,
so a reply reaches the handler it belongs to and no other.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from telegram import ForceReply, InlineKeyboardMarkup, Message
from telegram.ext.filters import MessageFilter

from gigbot.callbacks import QuizOpen, QuizTap, QuizToggle
from gigbot.catalog.states import ProjectKind
from gigbot.handlers.views import Button, Screen, keyboard
from gigbot.i18n import LANGUAGES, Translator, catalog
from gigbot.qualification.quiz import (
    ExamResult,
    Feedback,
    Part,
    QualStage,
    Question,
    QuizStatus,
    StepResult,
    TrainingResult,
)
from gigbot.quality.profile import Profile, Standing

__all__ = [
    "PromptMatch",
    "exam_screen",
    "feedback_text",
    "percent",
    "profile_screen",
    "question_keyboard",
    "question_text",
    "quiz_entry_button",
    "quiz_list_screen",
    "quiz_screen",
    "step_text",
    "training_screen",
]

_SEPARATOR = "\n\n— — —\n\n"


def percent(share: float) -> str:
    """A share in [0, 1] as a whole percentage (``80%``)."""
    return f"{round(share * 100)}%"


def _titles(t: Translator, titles: Sequence[dict[str, str]]) -> str:
    return ", ".join(t.pick(title) for title in titles)


def quiz_entry_button(t: Translator, quiz_id: int) -> Button:
    """A button that opens a quiz's screen (for /tasks next to a gated project)."""
    return (t("quiz.button.training"), QuizOpen(quiz_id, "m"))


# ----- quiz list and quiz screen --------------------------------------------------------------


def quiz_list_screen(t: Translator, quizzes: Sequence[QuizStatus]) -> Screen:
    """/quiz: every quiz with the worker's stage, a button each."""
    if not quizzes:
        return Screen(t("quiz.list_empty"))
    lines = [t("quiz.list_title")]
    lines += [
        t("quiz.list_line", title=t.pick(q.title), stage=t(f"quiz.stage.{q.stage}"))
        for q in quizzes
    ]
    rows = [[(t.pick(q.title), QuizOpen(q.quiz_id, "m"))] for q in quizzes]
    return Screen("\n".join(lines), keyboard(rows))


def _quiz_buttons(t: Translator, s: QuizStatus) -> list[list[Button]]:
    row: list[Button] = []
    if s.stage in (QualStage.REGISTERED, QualStage.TRAINED) or s.open_part is Part.TRAINING:
        row.append((t("quiz.button.training"), QuizOpen(s.quiz_id, "t")))
    if s.stage is QualStage.TRAINED or s.open_part is Part.EXAM:
        row.append((t("quiz.button.exam"), QuizOpen(s.quiz_id, "e")))
    return [row] if row else []


def quiz_screen(t: Translator, s: QuizStatus, *, notice: str | None = None) -> Screen:
    """A quiz: what it opens, the worker's stage, attempts, the next step and its buttons."""
    parts = [notice] if notice else []
    head = [t("quiz.header", title=t.pick(s.title))]
    if s.instructions:
        head.append(t.pick(s.instructions))
    parts.append("\n".join(head))
    facts = []
    if s.projects:
        facts.append(t("quiz.opens", projects=_titles(t, s.projects)))
    facts.append(t("quiz.your_stage", stage=t(f"quiz.stage.{s.stage}")))
    facts.append(t("quiz.exam_facts", questions=s.questions, pass_mark=percent(s.pass_score),
                   used=s.attempts_used, max=s.max_attempts))
    if s.best_score is not None:
        facts.append(t("quiz.best", score=percent(s.best_score)))
    if s.next_attempt_at is not None and s.stage is QualStage.TRAINED:
        facts.append(t("quiz.next_attempt", when=t.when(s.next_attempt_at, fmt="short")))
    parts.append("\n".join(facts))
    if s.open_part is Part.EXAM and s.resume_until is not None:
        parts.append(t("quiz.resume", when=t.when(s.resume_until, fmt="short")))
    elif s.open_part is Part.TRAINING:
        parts.append(t("quiz.resume_training"))
    else:
        parts.append(t(f"quiz.hint_{s.stage}"))
    rows = _quiz_buttons(t, s)
    return Screen("\n\n".join(parts), keyboard(rows) if rows else None)


# ----- questions and results ------------------------------------------------------------------


def question_text(t: Translator, q: Question) -> str:
    """The question as the worker reads it (header first: replies are matched on it)."""
    key = "quiz.question_training" if q.part is Part.TRAINING else "quiz.question_exam"
    parts = [t(key, number=q.number, total=q.total)]
    if q.repeat:
        parts.append(t("quiz.again"))
    if q.text:
        parts.append(q.text)
    if q.context:
        parts.append(t("quiz.context", context=q.context))
    if q.kind == ProjectKind.TRANSCRIPTION:
        parts.append(t("quiz.type_answer"))
    elif q.multi_label:
        parts.append(t("quiz.pick_labels"))
    return "\n\n".join(parts)


def question_keyboard(
    t: Translator, q: Question, mask: int = 0
) -> InlineKeyboardMarkup | ForceReply:
    """Label buttons (toggles and Done for multi-label), or a ForceReply for typed answers."""
    if q.kind == ProjectKind.TRANSCRIPTION:
        return ForceReply(input_field_placeholder=t("quiz.type_answer")[:64])
    if q.multi_label:
        rows: list[list[Button]] = [
            [(t("onboarding.button.selected", caption=t.pick(label)) if mask >> i & 1
              else t.pick(label), QuizToggle(q.attempt_id, q.step, mask ^ (1 << i)))]
            for i, label in enumerate(q.labels)
        ]
        rows.append([(t("quiz.button.done"), QuizTap(q.attempt_id, q.step, mask, 1))])
        return keyboard(rows)
    buttons: list[Button] = [
        (t.pick(label), QuizTap(q.attempt_id, q.step, i, 0)) for i, label in enumerate(q.labels)
    ]
    return keyboard([buttons[i : i + 2] for i in range(0, len(buttons), 2)])


def _answer(t: Translator, right: tuple[dict[str, str], ...] | str) -> str:
    if isinstance(right, str):
        return f"“{right}”"
    return ", ".join(t.pick(label) for label in right)


def feedback_text(t: Translator, f: Feedback) -> str:
    """Training: right, or the right answer with the explanation and a note it comes back."""
    if f.correct:
        return t("quiz.right")
    lines = [t("quiz.wrong", answer=_answer(t, f.right_answer))]
    if f.explanation:
        lines.append(t("quiz.why", explanation=t.pick(f.explanation)))
    if f.comes_back:
        lines.append(t("quiz.comes_back"))
    return "\n".join(lines)


def training_screen(t: Translator, r: TrainingResult) -> Screen:
    """The end of training: the first-try score and, when it is open, the exam."""
    parts = [t("quiz.training_done", right=r.right, total=r.total, score=percent(r.score))]
    rows: list[list[Button]] = []
    if r.stage is QualStage.TRAINED:
        parts.append(t("quiz.exam_open", questions=r.questions, pass_mark=percent(r.pass_score)))
        rows.append([(t("quiz.button.exam"), QuizOpen(r.quiz_id, "e"))])
    return Screen("\n\n".join(parts), keyboard(rows) if rows else None)


def exam_screen(t: Translator, r: ExamResult) -> Screen:
    """The exam summary: score, pass mark, passed or not, and what comes next."""
    if r.expired:
        parts = [t("quiz.exam_expired", right=r.right, total=r.total)]
    else:
        parts = [t("quiz.exam_result", right=r.right, total=r.total, score=percent(r.score),
                   pass_mark=percent(r.pass_score))]
    rows: list[list[Button]] = []
    if r.passed:
        if r.opened:
            parts.append(t("quiz.passed", projects=_titles(t, r.opened)))
        else:
            parts.append(t("quiz.passed_plain"))
        parts.append(t("quiz.probation_note"))
    elif r.closed:
        parts.append(t("quiz.closed_now"))
    elif r.next_attempt_at is not None:
        parts.append(t("quiz.failed", when=t.when(r.next_attempt_at, fmt="short"),
                       left=r.attempts_left))
    else:
        parts.append(t("quiz.failed_now", left=r.attempts_left))
        rows.append([(t("quiz.button.exam"), QuizOpen(r.quiz_id, "e"))])
    return Screen("\n\n".join(parts), keyboard(rows) if rows else None)


def step_text(t: Translator, step: StepResult) -> str:
    """The feedback of the last answer (training) followed by what comes next."""
    parts = [feedback_text(t, step.feedback)] if step.feedback else []
    if step.question is not None:
        parts.append(question_text(t, step.question))
    elif step.training is not None:
        parts.append(training_screen(t, step.training).text)
    elif step.exam is not None:
        parts.append(exam_screen(t, step.exam).text)
    return _SEPARATOR.join(parts)


# ----- profile --------------------------------------------------------------------------------


def _count(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:.1f}"


def profile_screen(t: Translator, p: Profile) -> Screen:
    """/profile: stage and accuracy per project, quiz attempts, suspensions."""
    parts = [t("profile.title", pseudonym=p.pseudonym)]
    if p.global_suspension is not None:
        parts.append(t("profile.everywhere"))
    if p.projects:
        lines = [t("profile.projects")]
        for s in p.projects:
            lines.append(t("profile.project_line", project=t.pick(s.title),
                           stage=t(f"profile.stage.{s.standing}"), right=_count(s.right),
                           total=s.controls, mean=percent(s.mean)))
            if s.standing is Standing.SUSPENDED and s.suspension is not None:
                if s.suspension.ends_at is None:
                    lines.append(t("profile.suspended_open"))
                else:
                    when = t.when(s.suspension.ends_at, fmt="short")
                    lines.append(t("profile.suspended_until", when=when))
        parts.append("\n".join(lines))
    else:
        parts.append(t("profile.no_projects"))
    if p.quizzes:
        lines = [t("profile.quizzes")]
        for q in p.quizzes:
            best = percent(q.best_score) if q.best_score is not None else t("profile.no_score")
            lines.append(t("profile.quiz_line", title=t.pick(q.title),
                           stage=t(f"quiz.stage.{q.stage}"), used=q.attempts_used,
                           max=q.max_attempts, best=best))
            if q.next_attempt_at is not None and q.stage is QualStage.TRAINED:
                lines.append(t("profile.next_attempt", when=t.when(q.next_attempt_at,
                                                                   fmt="short")))
        parts.append("\n".join(lines))
    return Screen("\n\n".join(parts))


# ----- recognising replies to the bot's prompts -----------------------------------------------


def _template_regex(template: str) -> str:
    """A locale template as a regex: ``{id}`` captures digits, other placeholders anything."""
    out = []
    for piece in re.split(r"(\{[a-z_]+\})", template):
        if piece == "{id}":
            out.append(r"(?P<id>\d+)")
        elif piece.startswith("{") and piece.endswith("}"):
            out.append(r".*?")
        else:
            out.append(re.escape(piece))
    return "".join(out)


class PromptMatch(MessageFilter):
    """Text replies to a bot message that begins like one of the locale ``keys``, any language."""

    __slots__ = ("_patterns",)

    def __init__(self, *keys: str) -> None:
        super().__init__(name=f"PromptMatch{keys}")
        self._patterns = [
            re.compile(r"\A" + _template_regex(catalog(lang)[key].split("\n", 1)[0]))
            for key in keys
            for lang in LANGUAGES
        ]

    def prompt_id(self, message: Message | None) -> int | None:
        """The ``{id}`` of the prompt ``message`` (None without one, or when it is no match)."""
        match = self._match(message)
        if match is None or "id" not in match.groupdict():
            return None
        return int(match.group("id"))

    def _match(self, message: Message | None) -> re.Match[str] | None:
        if message is None or message.from_user is None or not message.from_user.is_bot:
            return None
        text = message.text or message.caption or ""
        for pattern in self._patterns:
            match = pattern.match(text)
            if match is not None:
                return match
        return None

    def filter(self, message: Message) -> bool:
        """True for a text reply to one of the prompts."""
        return bool(message.text) and self._match(message.reply_to_message) is not None
