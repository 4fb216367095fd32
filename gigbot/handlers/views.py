"""Pure rendering shared by handlers: plain results plus a Translator in, text and keyboard out.

Nothing here awaits or touches the database; every caption comes from the locales and every
callback data from a codec of ``gigbot.callbacks``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from gigbot.callbacks import (
    AcceptTerms,
    Codec,
    ConfirmDelete,
    PickLanguage,
    PickZone,
    SettingsAction,
)
from gigbot.i18n import LANGUAGES, Translator
from gigbot.members.service import ZONES, Deleted, Member, Step
from gigbot.notices import NoticeButton
from gigbot.payouts.mydata import Leaving

__all__ = [
    "Screen",
    "delete_confirm_screen",
    "deleted_screen",
    "help_screen",
    "keyboard",
    "language_name",
    "language_screen",
    "menu_screen",
    "notice_keyboard",
    "settings_language_screen",
    "settings_screen",
    "settings_zone_screen",
    "step_screen",
    "terms_screen",
    "zone_name",
    "zone_screen",
]

Button = tuple[str, Codec | str]


@dataclass(frozen=True, slots=True)
class Screen:
    """A message to send or an edit to make: text and an optional inline keyboard."""

    text: str
    keyboard: InlineKeyboardMarkup | None = None


def keyboard(rows: Sequence[Sequence[Button]]) -> InlineKeyboardMarkup:
    """An inline keyboard from rows of (caption, codec or packed data)."""
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(caption, callback_data=data.pack() if isinstance(data, Codec)
                                     else data)
                for caption, data in row
            ]
            for row in rows
        ]
    )


def notice_keyboard(t: Translator, buttons: Sequence[NoticeButton]) -> InlineKeyboardMarkup | None:
    """The keyboard of a Notice (one row), or None without buttons."""
    if not buttons:
        return None
    return keyboard([[(t(b.key), b.data) for b in buttons]])


def _mark(t: Translator, caption: str, selected: bool) -> str:
    return t("onboarding.button.selected", caption=caption) if selected else caption


def language_name(t: Translator, lang: str) -> str:
    """A language's own name (``English``, ``한국어``)."""
    return t(f"onboarding.language_name.{lang}")


def zone_name(t: Translator, zone: str) -> str:
    """The city name of an offered zone in the reader's language, else the IANA name."""
    if zone in ZONES:
        return t(f"onboarding.zone.{zone.rsplit('/', 1)[-1].lower()}")
    return zone


def _language_rows(t: Translator, selected: str) -> list[list[Button]]:
    return [
        [(_mark(t, language_name(t, lang), lang == selected), PickLanguage(lang))
         for lang in LANGUAGES]
    ]


def _zone_rows(t: Translator, selected: str) -> list[list[Button]]:
    buttons: list[Button] = [
        (_mark(t, zone_name(t, zone), zone == selected), PickZone(i))
        for i, zone in enumerate(ZONES)
    ]
    return [buttons[i : i + 3] for i in range(0, len(buttons), 3)]


def language_screen(t: Translator, selected: str) -> Screen:
    """Onboarding step 1: the language buttons, Telegram's language marked."""
    return Screen(t("onboarding.choose_language"), keyboard(_language_rows(t, selected)))


def terms_screen(t: Translator) -> Screen:
    """Onboarding step 2: what is stored, why, how to delete; the I agree button."""
    agree: Button = (t("onboarding.button.agree"), AcceptTerms())
    return Screen(t("onboarding.terms"), keyboard([[agree]]))


def zone_screen(t: Translator, selected: str) -> Screen:
    """Onboarding step 3: common zones as buttons (a typed IANA name works too)."""
    return Screen(t("onboarding.choose_zone"), keyboard(_zone_rows(t, selected)))


def menu_screen(t: Translator, *, welcome: bool = False, project: str | None = None) -> Screen:
    """The main menu: what to do next, and the project a deep link named."""
    parts = [t("menu.welcome") if welcome else t("menu.title"), t("menu.body")]
    if project:
        parts.append(t("menu.project", project=project))
    return Screen("\n\n".join(parts))


def step_screen(t: Translator, member: Member) -> Screen:
    """The screen of the onboarding step the member is on (the menu once done)."""
    if member.step is Step.LANGUAGE:
        return language_screen(t, member.language)
    if member.step is Step.TERMS:
        return terms_screen(t)
    if member.step is Step.TIMEZONE:
        return zone_screen(t, member.tz)
    return menu_screen(t)


def help_screen(t: Translator, *, is_admin: bool) -> Screen:
    """/help in the reader's language; admins also read about /admin."""
    text = t("help.text")
    return Screen(f"{text}\n\n{t('help.admin')}" if is_admin else text)


def settings_screen(t: Translator, member: Member, *, notice: str | None = None) -> Screen:
    """/settings: current values and a button for each; ``notice`` confirms a change."""
    text = t(
        "settings.title",
        language=language_name(t, member.language),
        zone=zone_name(t, member.tz),
        summaries=t("settings.on" if member.summaries else "settings.off"),
    )
    summaries = f"settings.button.summaries_{'on' if member.summaries else 'off'}"
    rows: list[list[Button]] = [
        [(t("settings.button.language"), SettingsAction("lang")),
         (t("settings.button.zone"), SettingsAction("tz"))],
        [(t(summaries), SettingsAction("sum"))],
    ]
    return Screen(f"{notice}\n\n{text}" if notice else text, keyboard(rows))


def settings_language_screen(t: Translator, member: Member) -> Screen:
    """/settings → Language: the language buttons and Cancel."""
    cancel: Button = (t("settings.button.cancel"), SettingsAction("back"))
    return Screen(t("settings.choose_language"),
                  keyboard([*_language_rows(t, member.language), [cancel]]))


def settings_zone_screen(t: Translator, member: Member) -> Screen:
    """/settings → Time zone: the zone buttons and Cancel."""
    cancel: Button = (t("settings.button.cancel"), SettingsAction("back"))
    return Screen(t("settings.choose_zone"), keyboard([*_zone_rows(t, member.tz), [cancel]]))


def delete_confirm_screen(t: Translator, money: Leaving | None = None) -> Screen:
    """/deleteme: what goes, what stays (money too), and the confirm/cancel buttons."""
    rows: list[list[Button]] = [
        [(t("deleteme.button.yes"), ConfirmDelete(1)),
         (t("deleteme.button.cancel"), ConfirmDelete(0))]
    ]
    text = t("deleteme.confirm")
    if money is not None and money.any:
        text += "\n\n" + t("deleteme.money", available=t.money(money.available),
                            pending=t.money(money.pending))
        if money.waiting:
            text += "\n" + t("deleteme.money_waiting", amount=t.money(money.waiting))
    return Screen(text, keyboard(rows))


def deleted_screen(t: Translator, deleted: Deleted) -> Screen:
    """After /deleteme: what was kept without a name, and that /start begins anew."""
    return Screen(
        t(
            "deleteme.done",
            answers=t("deleteme.answers", count=deleted.answers_kept),
            entries=t("deleteme.entries", count=deleted.entries_kept),
        )
    )
