"""The Bot API methods the emulator implements, with Telegram's checks and errors."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from typing import Any

from . import errors as e
from .errors import bad_request, forbidden
from .files import image_size
from .host import Chat, Described, Host
from .params import Params, Upload
from .parse import EntityParseError, FormattedText, format_text
from .state import BotMessage, CallbackAnswer, MessageKind, StoredFile
from .updates import delete_webhook, get_updates, get_webhook_info, set_webhook

__all__ = [
    "METHODS",
    "Described",
    "Handler",
    "check_inline_keyboard",
    "parse_markup",
    "scope_key",
]

Handler = Callable[[Host, Params], Awaitable[Any]]

MAX_TEXT = 4096
MAX_CAPTION = 1024
MAX_BUTTONS = 100
MAX_DOWNLOAD = 20 * 1024 * 1024
_ACTIONS = frozenset(
    [
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    ]
)
_BUTTON_ACTIONS = (
    "callback_data",
    "url",
    "login_url",
    "web_app",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "copy_text",
    "callback_game",
    "pay",
)
_COMMAND = re.compile(r"[a-z0-9_]{1,32}")


# ---- shared checks -----------------------------------------------------------------------------


def _chat(emu: Host, p: Params, *, sending: bool = True) -> Chat:
    """The private chat named by ``chat_id``; 400 if unknown, 403 if blocked or not started."""
    raw = p.text("chat_id")
    if raw is None or not raw.strip():
        raise bad_request("chat_id is empty")
    try:
        chat_id = int(raw)
    except ValueError:
        raise bad_request(e.CHAT_NOT_FOUND) from None
    user = emu.users.get(chat_id)
    if user is None:
        raise bad_request(e.CHAT_NOT_FOUND)
    if user.blocked:
        raise forbidden(e.BLOCKED)
    if sending and not user.started:
        raise forbidden(e.NOT_STARTED)
    return user


def _formatted(p: Params, field: str, entities_field: str, *, limit: int) -> FormattedText:
    text = p.text(field) or ""
    try:
        formatted = format_text(
            text,
            p.text("parse_mode"),
            p.obj(entities_field, error=("can't parse entities JSON object")),
        )
    except EntityParseError as error:
        raise bad_request(f"can't parse entities: {error.description}") from None
    except ValueError:
        raise bad_request("unsupported parse_mode") from None
    if len(formatted.text) > limit:
        raise bad_request(e.TEXT_TOO_LONG if field == "text" else e.CAPTION_TOO_LONG)
    return formatted


def parse_markup(p: Params, *, inline_only: bool = False) -> dict[str, Any] | None:
    """The ``reply_markup`` parameter, checked as Telegram does; None if not given."""
    markup = p.obj("reply_markup", error="can't parse reply keyboard markup JSON object")
    if markup is None:
        return None
    if not isinstance(markup, dict):
        raise bad_request("can't parse reply keyboard markup JSON object")
    if "inline_keyboard" in markup:
        check_inline_keyboard(markup["inline_keyboard"])
        return {"inline_keyboard": markup["inline_keyboard"]}
    if inline_only:
        raise bad_request("can't parse inline keyboard markup JSON object")
    if not any(k in markup for k in ("keyboard", "force_reply", "remove_keyboard")):
        raise bad_request('can\'t find field "inline_keyboard"')
    return dict(markup)


def check_inline_keyboard(rows: object) -> None:
    """400 unless ``rows`` is an inline keyboard Telegram accepts (buttons, actions, data)."""
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise bad_request('field "inline_keyboard" of the InlineKeyboardMarkup must be an Array')
    if sum(len(row) for row in rows) > MAX_BUTTONS:
        raise bad_request(e.MARKUP_TOO_LONG)
    for row in rows:
        for button in row:
            if not isinstance(button, dict) or not isinstance(button.get("text"), str):
                raise bad_request("can't parse inline keyboard button: Text must be a String")
            actions = [name for name in _BUTTON_ACTIONS if name in button]
            if not actions:
                raise bad_request(
                    "can't parse inline keyboard button: Text buttons are unallowed in the "
                    "inline keyboard"
                )
            if "callback_data" in button:
                data = button["callback_data"]
                if not isinstance(data, str) or not 1 <= len(data.encode("utf-8")) <= 64:
                    raise bad_request(e.BUTTON_DATA_INVALID)


def _reply_to(user: Chat, p: Params) -> int | None:
    reply = p.obj("reply_parameters", error="can't parse reply parameters JSON object")
    allow = p.flag("allow_sending_without_reply")
    message_id: int | None = None
    if isinstance(reply, dict):
        message_id = reply.get("message_id")
        allow = allow or bool(reply.get("allow_sending_without_reply"))
    elif reply is None:
        message_id = p.integer("reply_to_message_id")
    if message_id is None:
        return None
    if not isinstance(message_id, int):
        raise bad_request("message to be replied not found")
    bot = user.message(message_id)
    if user.own_message(message_id) is not None or (bot is not None and not bot.deleted):
        return message_id
    if allow:
        return None
    raise bad_request("message to be replied not found")


def _new_message(
    emu: Host,
    user: Chat,
    p: Params,
    kind: MessageKind,
    formatted: FormattedText,
    *,
    file: StoredFile | None = None,
    extra: dict[str, Any] | None = None,
) -> dict[str, Any]:
    markup = parse_markup(p)
    reply_to = _reply_to(user, p)
    emu.rate_check(user.id)
    message = BotMessage(
        message_id=user.allocate_message_id(),
        chat_id=user.id,
        kind=kind,
        date=emu.wall_now(),
        text=formatted.text if kind == "text" else None,
        caption=formatted.text if kind != "text" and formatted.text else None,
        entities=formatted.entities,
        parse_mode=p.text("parse_mode"),
        reply_markup=markup,
        protect_content=p.flag("protect_content"),
        reply_to_message_id=reply_to,
        file=file,
        extra=extra or {},
    )
    user.notify("new", message)
    return emu.message_dict(message)


def _target(emu: Host, p: Params, *, missing: str) -> tuple[Chat, BotMessage]:
    if p.text("inline_message_id"):
        raise bad_request("MESSAGE_ID_INVALID")
    user = _chat(emu, p, sending=False)
    message_id = p.integer("message_id", error="message identifier is not specified")
    if message_id is None:
        raise bad_request("message identifier is not specified")
    message = user.message(message_id)
    if message is None or message.deleted:
        if user.own_message(message_id) is not None and missing == e.EDIT_NOT_FOUND:
            raise bad_request("message can't be edited")
        raise bad_request(missing)
    return user, message


def _edited(emu: Host, user: Chat, message: BotMessage) -> dict[str, Any]:
    message.edits += 1
    message.edit_date = emu.wall_now()
    user.notify("edit", message)
    return emu.message_dict(message)


# ---- methods -----------------------------------------------------------------------------------


async def get_me(emu: Host, p: Params) -> dict[str, Any]:
    """The bot itself."""
    return {
        **emu.bot_user(),
        "can_join_groups": True,
        "can_read_all_group_messages": False,
        "supports_inline_queries": False,
        "can_connect_to_business": False,
        "has_main_web_app": False,
    }


async def send_message(emu: Host, p: Params) -> dict[str, Any]:
    """sendMessage."""
    user = _chat(emu, p)
    formatted = _formatted(p, "text", "entities", limit=MAX_TEXT)
    if not formatted.text:
        raise bad_request(e.TEXT_EMPTY)
    return _new_message(emu, user, p, "text", formatted)


def _media_file(emu: Host, p: Params, field: str, kind: str) -> StoredFile:
    source = p.upload(field)
    if source is None:
        raise bad_request(f"there is no {field} in the request")
    if isinstance(source, str):
        stored = emu.files.get(source.strip())
        if stored is None:
            raise bad_request(e.WRONG_FILE_ID)
        return stored
    return _store_upload(emu, p, source, kind)


def _store_upload(emu: Host, p: Params, upload: Upload, kind: str) -> StoredFile:
    size: tuple[int, int] | None = None
    if kind == "photo":
        size = image_size(upload.data)
        if size is None:
            raise bad_request("IMAGE_PROCESS_FAILED")
    mime = upload.content_type if upload.content_type != "application/octet-stream" else None
    return emu.files.add(
        upload.data,
        kind=kind,
        mime_type=mime,
        file_name=upload.filename or None,
        duration=p.integer("duration") or 0,
        size=size,
    )


def _media_object(kind: str, stored: StoredFile, p: Params) -> dict[str, Any]:
    if kind == "photo":
        return {"photo": [{**stored.base(), "width": stored.width, "height": stored.height}]}
    body = stored.base()
    if kind in ("audio", "voice"):
        body["duration"] = p.integer("duration") or stored.duration
    if kind in ("audio", "document") and stored.file_name:
        body["file_name"] = stored.file_name
    if kind == "audio":
        for name in ("title", "performer"):
            if p.text(name):
                body[name] = p.text(name)
    if stored.mime_type:
        body["mime_type"] = stored.mime_type
    return {kind: body}


def _sender(kind: MessageKind) -> Handler:
    async def send_media(emu: Host, p: Params) -> dict[str, Any]:
        user = _chat(emu, p)
        formatted = _formatted(p, "caption", "caption_entities", limit=MAX_CAPTION)
        stored = _media_file(emu, p, kind, kind)
        extra = _media_object(kind, stored, p)
        return _new_message(emu, user, p, kind, formatted, file=stored, extra=extra)

    send_media.__doc__ = f"send{kind.capitalize()}: an upload or an existing file_id."
    return send_media


async def edit_message_text(emu: Host, p: Params) -> dict[str, Any]:
    """editMessageText; no reply_markup removes the inline keyboard, as on Telegram."""
    user, message = _target(emu, p, missing=e.EDIT_NOT_FOUND)
    formatted = _formatted(p, "text", "entities", limit=MAX_TEXT)
    if not formatted.text:
        raise bad_request(e.TEXT_EMPTY)
    if message.kind != "text":
        raise bad_request("there is no text in the message to edit")
    markup = parse_markup(p, inline_only=True)
    same = (message.text, message.entities, message.reply_markup) == (
        formatted.text,
        formatted.entities,
        markup,
    )
    if same:
        raise bad_request(e.NOT_MODIFIED)
    message.text, message.entities, message.reply_markup = (
        formatted.text,
        formatted.entities,
        markup,
    )
    message.parse_mode = p.text("parse_mode")
    return _edited(emu, user, message)


async def edit_message_caption(emu: Host, p: Params) -> dict[str, Any]:
    """editMessageCaption on a media message."""
    user, message = _target(emu, p, missing=e.EDIT_NOT_FOUND)
    formatted = _formatted(p, "caption", "caption_entities", limit=MAX_CAPTION)
    if message.kind == "text":
        raise bad_request("there is no caption in the message to edit")
    markup = parse_markup(p, inline_only=True)
    caption = formatted.text or None
    if (message.caption, message.entities, message.reply_markup) == (
        caption,
        formatted.entities,
        markup,
    ):
        raise bad_request(e.NOT_MODIFIED)
    message.caption, message.entities, message.reply_markup = caption, formatted.entities, markup
    message.parse_mode = p.text("parse_mode")
    return _edited(emu, user, message)


async def edit_message_reply_markup(emu: Host, p: Params) -> dict[str, Any]:
    """editMessageReplyMarkup; no reply_markup removes the keyboard."""
    user, message = _target(emu, p, missing=e.EDIT_NOT_FOUND)
    markup = parse_markup(p, inline_only=True)
    if markup == message.reply_markup or (not markup and not message.reply_markup):
        raise bad_request(e.NOT_MODIFIED)
    message.reply_markup = markup
    return _edited(emu, user, message)


async def delete_message(emu: Host, p: Params) -> bool:
    """deleteMessage: the bot's messages and, in a private chat, the user's."""
    user = _chat(emu, p, sending=False)
    message_id = p.integer("message_id", error="message identifier is not specified")
    if message_id is None:
        raise bad_request("message identifier is not specified")
    if user.delete_own_message(message_id):
        return True
    message = user.message(message_id)
    if message is None or message.deleted:
        raise bad_request(e.DELETE_NOT_FOUND)
    message.deleted = True
    user.notify("delete", message)
    return True


async def answer_callback_query(emu: Host, p: Params) -> bool:
    """answerCallbackQuery: once per query, within the callback timeout."""
    query_id = p.text("callback_query_id") or ""
    text = p.text("text")
    if text is not None and len(text) > 200:
        raise bad_request("MESSAGE_TOO_LONG")
    answer = CallbackAnswer(
        query_id=query_id, text=text or None, show_alert=p.flag("show_alert"), url=p.text("url")
    )
    if not emu.answer_query(query_id, answer):
        raise bad_request(e.QUERY_TOO_OLD)
    return True


async def get_file(emu: Host, p: Params) -> dict[str, Any]:
    """getFile: a path under ``/file/bot<token>/`` for any stored file."""
    stored = emu.files.get((p.text("file_id") or "").strip())
    if stored is None:
        raise bad_request("invalid file_id")
    if stored.size > MAX_DOWNLOAD:
        raise bad_request("file is too big")
    return {**stored.base(), "file_path": stored.file_path}


def scope_key(scope: object) -> str:
    """The key of a ``BotCommandScope`` under which its command menus are kept."""
    if not isinstance(scope, dict):
        return "default"
    kind = str(scope.get("type") or "default")
    parts = [kind] + [str(scope[k]) for k in ("chat_id", "user_id") if k in scope]
    return ":".join(parts)


def _commands_key(emu: Host, p: Params) -> tuple[str, str]:
    scope = p.obj("scope", error="can't parse BotCommandScope JSON object")
    language = (p.text("language_code") or "").strip()
    if language and not re.fullmatch(r"[a-z]{2}", language):
        raise bad_request("invalid language code specified")
    return scope_key(scope), language


async def set_my_commands(emu: Host, p: Params) -> bool:
    """setMyCommands for a scope and language."""
    key = _commands_key(emu, p)
    commands = p.obj("commands", error="can't parse commands JSON object") or []
    if not isinstance(commands, list) or len(commands) > 100:
        raise bad_request("BOT_COMMANDS_TOO_MUCH")
    checked: list[dict[str, str]] = []
    for item in commands:
        if not isinstance(item, dict):
            raise bad_request("can't parse BotCommand JSON object")
        command = str(item.get("command", "")).strip().lstrip("/")
        description = str(item.get("description", "")).strip()
        if not _COMMAND.fullmatch(command) or not 1 <= len(description) <= 256:
            raise bad_request("BOT_COMMAND_INVALID")
        checked.append({"command": command, "description": description})
    if checked:
        emu.command_menus[key] = checked
    else:
        emu.command_menus.pop(key, None)
    return True


async def get_my_commands(emu: Host, p: Params) -> list[dict[str, str]]:
    """getMyCommands for exactly that scope and language."""
    return list(emu.command_menus.get(_commands_key(emu, p), []))


async def delete_my_commands(emu: Host, p: Params) -> bool:
    """deleteMyCommands for a scope and language."""
    emu.command_menus.pop(_commands_key(emu, p), None)
    return True


async def send_chat_action(emu: Host, p: Params) -> bool:
    """sendChatAction ('typing'…); not counted by the flood limits."""
    user = _chat(emu, p)
    action = p.text("action") or ""
    if action not in _ACTIONS:
        raise bad_request("wrong parameter action in request")
    user.chat_actions.append(action)
    return True


async def get_chat(emu: Host, p: Params) -> dict[str, Any]:
    """getChat for a user's private chat."""
    user = _chat(emu, p, sending=False)
    return {**user.chat_dict(), "accent_color_id": 0, "max_reaction_count": 11}


def _description(field: str) -> tuple[Handler, Handler]:
    async def set_value(emu: Host, p: Params) -> bool:
        emu.descriptions[f"{field}:{p.text('language_code') or ''}"] = p.text(field) or ""
        return True

    async def get_value(emu: Host, p: Params) -> dict[str, str]:
        return {field: emu.descriptions.get(f"{field}:{p.text('language_code') or ''}", "")}

    return set_value, get_value


async def _true(emu: Host, p: Params) -> bool:
    return True


_set_description, _get_description = _description("description")
_set_short, _get_short = _description("short_description")
_set_name, _get_name = _description("name")

_ALL: dict[str, Handler] = {
    "getMe": get_me,
    "getUpdates": get_updates,
    "setWebhook": set_webhook,
    "deleteWebhook": delete_webhook,
    "getWebhookInfo": get_webhook_info,
    "sendMessage": send_message,
    "sendPhoto": _sender("photo"),
    "sendAudio": _sender("audio"),
    "sendVoice": _sender("voice"),
    "sendDocument": _sender("document"),
    "editMessageText": edit_message_text,
    "editMessageCaption": edit_message_caption,
    "editMessageReplyMarkup": edit_message_reply_markup,
    "deleteMessage": delete_message,
    "answerCallbackQuery": answer_callback_query,
    "getFile": get_file,
    "setMyCommands": set_my_commands,
    "getMyCommands": get_my_commands,
    "deleteMyCommands": delete_my_commands,
    "sendChatAction": send_chat_action,
    "getChat": get_chat,
    "setMyDescription": _set_description,
    "getMyDescription": _get_description,
    "setMyShortDescription": _set_short,
    "getMyShortDescription": _get_short,
    "setMyName": _set_name,
    "getMyName": _get_name,
    "setChatMenuButton": _true,
    "logOut": _true,
    "close": _true,
}

METHODS: dict[str, tuple[str, Handler]] = {name.lower(): (name, fn) for name, fn in _ALL.items()}
"""Lower-case method name (Telegram ignores the case) → (canonical name, handler)."""
