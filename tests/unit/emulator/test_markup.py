"""Reply markup checks of the emulator: callback data bytes, button counts, request params."""

from __future__ import annotations

import json

import pytest

from gigbot.emulator.errors import ApiError
from gigbot.emulator.methods import check_inline_keyboard, parse_markup
from gigbot.emulator.params import Params, Upload


def keyboard(*data: str) -> list[list[dict[str, str]]]:
    return [[{"text": f"b{i}", "callback_data": d}] for i, d in enumerate(data)]


@pytest.mark.parametrize("data", ["x", "a" * 64, "가" * 21, "a:123456789:12"])
def test_callback_data_of_1_to_64_bytes_is_accepted(data: str) -> None:
    check_inline_keyboard(keyboard(data))


@pytest.mark.parametrize("data", ["", "a" * 65, "가" * 22, "é" * 33])
def test_callback_data_outside_1_to_64_bytes_is_button_data_invalid(data: str) -> None:
    with pytest.raises(ApiError) as caught:
        check_inline_keyboard(keyboard(data))
    assert (caught.value.status, caught.value.description) == (
        400,
        "Bad Request: BUTTON_DATA_INVALID",
    )


def test_more_than_100_buttons_is_too_long() -> None:
    check_inline_keyboard(keyboard(*["d"] * 100))
    with pytest.raises(ApiError, match="reply markup is too long"):
        check_inline_keyboard(keyboard(*["d"] * 101))


def test_a_button_needs_an_action() -> None:
    with pytest.raises(ApiError, match="Text buttons are unallowed in the inline keyboard"):
        check_inline_keyboard([[{"text": "plain"}]])
    check_inline_keyboard([[{"text": "site", "url": "https://example.com"}]])


def test_markup_arrives_as_json_text_or_object() -> None:
    rows = keyboard("a")
    as_text = parse_markup(Params({"reply_markup": json.dumps({"inline_keyboard": rows})}))
    as_object = parse_markup(Params({"reply_markup": {"inline_keyboard": rows}}))
    assert as_text == as_object == {"inline_keyboard": rows}
    assert parse_markup(Params({"reply_markup": '{"force_reply": true}'})) == {"force_reply": True}
    with pytest.raises(ApiError, match="can't parse reply keyboard markup JSON object"):
        parse_markup(Params({"reply_markup": "{not json"}))
    with pytest.raises(ApiError, match="inline keyboard"):
        parse_markup(Params({"reply_markup": '{"force_reply": true}'}), inline_only=True)


def test_params_read_form_strings_as_telegram_does() -> None:
    upload = Upload("a.png", "image/png", b"data")
    params = Params(
        {"chat_id": "42", "protect_content": "true", "show_alert": "0", "photo": "attach://f"},
        {"f": upload},
    )
    assert params.integer("chat_id") == 42
    assert params.flag("protect_content") and not params.flag("show_alert")
    assert params.upload("photo") is upload
    assert params.recorded()["chat_id"] == 42
    with pytest.raises(ApiError, match="invalid limit specified"):
        Params({"limit": "ten"}).integer("limit")
