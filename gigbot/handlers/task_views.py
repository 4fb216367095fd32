"""Pure rendering of the task engine: the /tasks board, an item with its buttons, end screens.

What a worker receives is built only from ``ServedItem`` (which has no gold, no explanation, no
key and no control flag) and the locales, so nothing here can reveal a control item.
"""

from __future__ import annotations

from telegram import ForceReply, InlineKeyboardMarkup

from gigbot.callbacks import (
    AnswerTap,
    DoneTap,
    PickProject,
    QuizOpen,
    ReportBack,
    ReportOpen,
    ReportReason,
    SkipTap,
    StopTap,
    ToggleTap,
    task_tag,
)
from gigbot.catalog.states import ProjectKind
from gigbot.handlers.views import Button, Screen, keyboard
from gigbot.i18n import Translator
from gigbot.tasks.policy import REPORT_REASONS
from gigbot.tasks.selection import ServedItem
from gigbot.tasks.sessions import LockedProject, ProjectCard, Tally, TaskBoard

__all__ = [
    "CAPTION_LIMIT",
    "TEXT_LIMIT",
    "board_screen",
    "item_keyboard",
    "item_screen",
    "project_buttons",
    "prompt",
    "quiz_buttons",
    "report_keyboard",
    "tally_screen",
]

TEXT_LIMIT = 4096
CAPTION_LIMIT = 1024


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _time(t: Translator, seconds: float | None) -> str:
    if seconds is None:
        return t("tasks.time_new")
    if seconds < 90:
        return t("tasks.time_seconds", seconds=max(1, round(seconds)))
    return t("tasks.time_minutes", minutes=round(seconds / 60))


def _card(t: Translator, card: ProjectCard) -> str:
    return t("tasks.project_line", title=t.pick(card.title), reward=t.money(card.reward),
             left=t("tasks.items_left", count=card.items_left),
             time=_time(t, card.median_seconds))


def project_buttons(t: Translator, cards: tuple[ProjectCard, ...]) -> list[list[Button]]:
    """One start button per open project."""
    return [[(t("tasks.button.start", title=t.pick(c.title)), PickProject(c.id))] for c in cards]


def quiz_buttons(t: Translator, locked: tuple[LockedProject, ...]) -> list[list[Button]]:
    """One button per quiz that stands between the worker and a locked project."""
    quizzes = dict.fromkeys((p.quiz_id, tuple(sorted(p.quiz_title.items()))) for p in locked)
    return [[(t("tasks.button.quiz", quiz=t.pick(dict(title))), QuizOpen(quiz_id, "m"))]
            for quiz_id, title in quizzes]


def board_screen(t: Translator, board: TaskBoard, *, title_key: str = "tasks.board_title"
                 ) -> Screen:
    """/tasks: open projects with reward, items left and time per item; locked ones below."""
    lines: list[str] = []
    if board.projects:
        lines += [t(title_key), "", *(_card(t, c) for c in board.projects)]
    elif board.locked:
        lines.append(t("tasks.board_locked_only"))
    elif not board.suspensions:
        lines.append(t("tasks.board_empty"))
    if board.locked:
        lines += ["", *(t("tasks.locked_line", title=t.pick(p.title), quiz=t.pick(p.quiz_title))
                        for p in board.locked)]
    rows = project_buttons(t, board.projects) + quiz_buttons(t, board.locked)
    return Screen("\n".join(lines).strip(), keyboard(rows) if rows else None)


def _body(t: Translator, item: ServedItem) -> str:
    parts = [t.pick(item.instructions)]
    if item.text:
        parts.append(item.text)
    if item.context:
        parts.append(t("tasks.context_line", context=item.context))
    return "\n\n".join(p for p in parts if p)


def item_keyboard(t: Translator, item: ServedItem, key: bytes, tg_id: int
                  ) -> InlineKeyboardMarkup:
    """Label buttons (toggles plus Done for multi-label), then Skip, Report and Stop."""
    tag = task_tag(key, item.lease_id, tg_id)
    rows: list[list[Button]] = []
    if item.kind == ProjectKind.CLASSIFICATION:
        buttons: list[Button] = []
        for i, label in enumerate(item.labels):
            caption = t.pick(label)
            if item.multi_label:
                on = i in item.chosen
                text = t("tasks.button.selected", label=caption) if on else caption
                buttons.append((text, ToggleTap(item.lease_id, i, int(not on), tag)))
            else:
                buttons.append((caption, AnswerTap(item.lease_id, i, tag)))
        width = 2 if len(buttons) <= 4 else 3
        rows += [buttons[i : i + width] for i in range(0, len(buttons), width)]
        if item.multi_label:
            rows.append([(t("tasks.button.done"), DoneTap(item.lease_id))])
    rows.append([(t("tasks.button.skip"), SkipTap(item.lease_id)),
                 (t("tasks.button.report"), ReportOpen(item.lease_id))])
    rows.append([(t("tasks.button.stop"), StopTap(item.lease_id))])
    return keyboard(rows)


def report_keyboard(t: Translator, lease_id: int) -> InlineKeyboardMarkup:
    """The report reasons and Back."""
    rows: list[list[Button]] = [
        [(t(f"tasks.reason.{reason}"), ReportReason(lease_id, i))]
        for i, reason in enumerate(REPORT_REASONS)
    ]
    rows.append([(t("tasks.button.back"), ReportBack(lease_id))])
    return keyboard(rows)


def item_screen(t: Translator, item: ServedItem, key: bytes, tg_id: int, *,
                header: str | None = None) -> Screen:
    """The item's text (or caption) and keyboard; ``header`` goes first (e.g. "expired")."""
    text = _body(t, item)
    if header:
        text = f"{header}\n\n{text}"
    limit = CAPTION_LIMIT if item.has_media else TEXT_LIMIT
    return Screen(_clip(text, limit), item_keyboard(t, item, key, tg_id))


def prompt(t: Translator, item: ServedItem) -> tuple[str, ForceReply]:
    """The ForceReply prompt under a transcription item."""
    key = ("tasks.prompt_audio" if item.audio else "tasks.prompt_image" if item.image
           else "tasks.prompt_text")
    return t(key), ForceReply(selective=False, input_field_placeholder=t("tasks.placeholder"))


def tally_screen(t: Translator, tally: Tally) -> Screen:
    """Stop: answers this session and what they earned."""
    lines = [t("tasks.tally", project=t.pick(tally.project_title),
               answers=t("tasks.tally_answers", count=tally.answers),
               earned=t.money(tally.earned))]
    if tally.pending:
        lines.append(t("tasks.tally_pending", count=tally.pending))
    lines.append(t("tasks.tally_next"))
    return Screen("\n".join(lines))
