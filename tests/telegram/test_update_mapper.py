"""The one mapper from a library's update objects to ours, fed aiogram's and PTB's objects."""

from __future__ import annotations

from typing import Any

import aiogram.types as ag
import pytest
import telegram as ptb

from bot.channels.telegram.updates import (
    TgCallback,
    TgLocation,
    TgUpdate,
    TgUser,
    update_of,
)
from tests.telegram import builders as b
from tests.telegram.fake_api import TOKEN

Json = dict[str, Any]


def aiogram_update(body: Json) -> Any:
    """aiogram's own Update for the JSON (no bot bound: the mapper reads fields only)."""
    return ag.Update.model_validate(body)


def ptb_update(body: Json) -> Any:
    """PTB's own Update for the JSON."""
    return ptb.Update.de_json(body, ptb.Bot(TOKEN))


LIBRARIES = pytest.mark.parametrize("parse", [aiogram_update, ptb_update], ids=["aiogram", "ptb"])


@LIBRARIES
def test_a_command_with_its_entity(parse: Any) -> None:
    body = {"update_id": 3, **b.command(42, "Start", "ko", "@seller_support_test_bot x")}
    got = update_of(parse(body))
    assert got.message is not None
    assert got == b.private_update(
        3,
        got.message.message_id,
        42,
        "ko",
        text="/Start@seller_support_test_bot x",
        command="start",
    )


@LIBRARIES
def test_a_slash_without_a_command_entity_is_text(parse: Any) -> None:
    # aiogram leaves ``entities`` None here, PTB an empty tuple: both read as no command
    got = update_of(parse({"update_id": 4, **b.text(42, "/start")}))
    assert got.message is not None
    assert (got.message.text, got.message.command) == ("/start", None)


@LIBRARIES
def test_location_photo_and_topic(parse: Any) -> None:
    got = update_of(parse({"update_id": 5, **b.location(42, 22.5, 114.0)}))
    assert got.message is not None and got.message.location == TgLocation(22.5, 114.0)
    got = update_of(parse({"update_id": 6, **b.in_topic(b.photo(42, caption="看"), 9)}))
    assert got.message is not None
    assert (got.message.thread_id, got.message.caption) == (9, "看")
    assert got.message.unsupported == "photo" and got.message.file is not None


@LIBRARIES
def test_a_button_press_and_an_update_we_do_not_keep(parse: Any) -> None:
    body = b.callback(42, "faq:fees", None, message_id=5)
    got = update_of(parse({"update_id": 7, **body}))
    assert got == TgUpdate(
        7,
        callback=TgCallback(
            body["callback_query"]["id"],
            TgUser(42, False, None, "Seller 42"),
            "faq:fees",
            chat_id=42,
            chat_type="private",
            message_id=5,
        ),
    )
    assert update_of(parse({"update_id": 8, **b.edited(42, "x")})) == TgUpdate(8)


def test_callback_data_that_is_not_text_is_none() -> None:
    # PTB's arbitrary callback data may put an object where the string was
    update = ptb_update({"update_id": 9, **b.callback(42, "faq:fees")})
    assert update.callback_query is not None
    update.callback_query._unfreeze()
    update.callback_query.data = object()
    got = update_of(update)
    assert got.callback is not None and got.callback.data is None
