"""Pure rendering of /review: the card (item and answer), its Accept / Reject and reasons
keyboards, and the note prompts (one locale key per reason, so a reply names its reason)."""

from __future__ import annotations

from telegram import InlineKeyboardMarkup, Message

from gigbot.callbacks import ReviewTap, task_tag
from gigbot.errors import BadCallback
from gigbot.handlers.quiz_views import PromptMatch
from gigbot.handlers.views import Button, Screen, keyboard
from gigbot.i18n import Translator
from gigbot.payouts.review import NOTE_NEEDED, REASONS, ReviewCard

__all__ = [
    "ANY_NOTE_PROMPT",
    "NOTE_PROMPTS",
    "card_screen",
    "decision_keyboard",
    "note_prompt_of",
    "reason_at",
    "reasons_keyboard",
]

NOTE_PROMPTS = {reason: PromptMatch(f"review.note_prompt.{reason}") for reason in REASONS}
ANY_NOTE_PROMPT = PromptMatch(*(f"review.note_prompt.{reason}" for reason in REASONS))


def reason_at(index: int) -> str:
    """The reason a button names by index (forged indexes refused)."""
    if not 0 <= index < len(REASONS):
        raise BadCallback()
    return REASONS[index]


def note_prompt_of(message: Message | None) -> tuple[str, int] | None:
    """(reason, answer id) of the note prompt ``message``, or None."""
    for reason, prompt in NOTE_PROMPTS.items():
        answer_id = prompt.prompt_id(message)
        if answer_id is not None:
            return reason, answer_id
    return None


def _tap(key: bytes, card: ReviewCard, presser: int, action: str, reason: int = 0) -> ReviewTap:
    return ReviewTap(card.answer_id, action, reason, task_tag(key, card.answer_id, presser))


def decision_keyboard(t: Translator, card: ReviewCard, key: bytes,
                      presser: int) -> InlineKeyboardMarkup:
    """Accept / Reject under a card."""
    return keyboard([[(t("review.button.accept"), _tap(key, card, presser, "ok")),
                      (t("review.button.reject"), _tap(key, card, presser, "no"))]])


def reasons_keyboard(t: Translator, card: ReviewCard, key: bytes,
                     presser: int) -> InlineKeyboardMarkup:
    """One row per reason: reject at once, or with a note (``other`` only with one); Back."""
    rows: list[list[Button]] = []
    for reason in card.reasons:
        index = REASONS.index(reason)
        note: Button = (t("review.button.note"), _tap(key, card, presser, "n", index))
        if reason in NOTE_NEEDED:
            rows.append([(t("review.button.other"), _tap(key, card, presser, "n", index))])
            continue
        rows.append([(t(f"review.reason.{reason}"), _tap(key, card, presser, "r", index)), note])
    rows.append([(t("review.button.back"), _tap(key, card, presser, "back"))])
    return keyboard(rows)


def card_screen(t: Translator, card: ReviewCard, key: bytes, presser: int) -> Screen:
    """A pending answer to review: the project, the item (or its media above), the answer."""
    answer = card.typed if card.typed is not None else ", ".join(t.pick(label)
                                                                 for label in card.labels)
    item = card.item_text or card.context
    if item is None:
        text = t("review.card_media", id=card.answer_id, project=t.pick(card.project),
                 answer=answer)
    else:
        text = t("review.card", id=card.answer_id, project=t.pick(card.project), item=item,
                 answer=answer)
    return Screen(text, decision_keyboard(t, card, key, presser))
