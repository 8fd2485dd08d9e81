"""Both adapters' mappers: the same Bot API JSON gives the same update on either framework."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from bot.channels.telegram.aiogram_adapter import AiogramApi
from bot.channels.telegram.api import BotApi
from bot.channels.telegram.ptb_adapter import PtbApi
from bot.channels.telegram.updates import TgCallback, TgLocation, TgMessage, TgUpdate, TgUser
from tests.telegram import builders as b
from tests.telegram.conftest import STAFF_CHAT
from tests.telegram.fake_api import TOKEN, FakeBotApi


@pytest.fixture(params=["aiogram", "ptb"])
async def api(request: pytest.FixtureRequest) -> AsyncIterator[BotApi]:
    made: BotApi = (
        AiogramApi(TOKEN, "http://127.0.0.1:9")
        if request.param == "aiogram"
        else (PtbApi(TOKEN, "http://127.0.0.1:9"))
    )
    yield made
    await made.close()


def update(body: dict[str, Any], update_id: int = 7) -> dict[str, Any]:
    return {"update_id": update_id, **body}


def test_text_and_command(api: BotApi) -> None:
    got = api.parse_update(update(b.text(42, "How much is the deposit?", "zh-hans")))
    assert got.message is not None
    assert got == TgUpdate(
        7,
        message=TgMessage(
            got.message.message_id,
            42,
            "private",
            TgUser(42, False, "zh-hans", "Seller 42"),
            text="How much is the deposit?",
        ),
    )
    got = api.parse_update(update(b.command(42, "start", "ko", "@seller_support_test_bot x")))
    assert got.message is not None and got.message.command == "start"
    assert got.message.user == TgUser(42, False, "ko", "Seller 42")


def test_location_unsupported_and_group(api: BotApi) -> None:
    got = api.parse_update(update(b.location(42, 22.5431, 114.0579)))
    assert got.message is not None and got.message.location == TgLocation(22.5431, 114.0579)
    for body, kind in (
        (b.sticker(42), "sticker"),
        (b.photo(42, caption="look"), "photo"),
        (b.voice(42), "voice"),
    ):
        got = api.parse_update(update(body))
        assert got.message is not None and got.message.unsupported == kind
        assert got.message.command is None
    got = api.parse_update(update(b.group_text(-100123, 42, "hello")))
    assert got.message is not None
    assert (got.message.chat_id, got.message.chat_type) == (-100123, "supergroup")


def test_callback_and_other_updates(api: BotApi) -> None:
    body = b.callback(42, "faq:fees", "en", message_id=5)
    got = api.parse_update(update(body))
    assert got.callback == TgCallback(
        body["callback_query"]["id"],
        TgUser(42, False, "en", "Seller 42"),
        "faq:fees",
        42,
        "private",
        5,
    )
    assert api.parse_update(update(b.edited(42, "x"))) == TgUpdate(7)


def test_a_language_code_may_be_missing(api: BotApi) -> None:
    got = api.parse_update(update(b.text(42, "hi", None)))
    assert got.message is not None and got.message.user == TgUser(42, False, None, "Seller 42")


def test_invalid_updates_are_a_value_error(api: BotApi) -> None:
    with pytest.raises(ValueError):
        api.parse_update({"update_id": 1, "message": {"text": "no chat, no date"}})


def test_a_staff_message_in_a_forum_topic(api: BotApi) -> None:
    got = api.parse_update(
        update(b.staff_text(STAFF_CHAT, 101, 7, "/note@seller_support_test_bot x"))
    )
    assert got.message is not None
    assert (got.message.chat_id, got.message.thread_id, got.message.command) == (
        STAFF_CHAT,
        101,
        "note",
    )
    assert got.message.user == TgUser(7, False, "en", "Staff 7")


@pytest.mark.parametrize("framework", ["aiogram", "ptb"])
async def test_topics_and_member_statuses_on_the_wire(fake: FakeBotApi, framework: str) -> None:
    made: BotApi = (AiogramApi if framework == "aiogram" else PtbApi)(TOKEN, fake.url)
    try:
        await made.start()  # PTB closes only an initialised client
        statuses = ("creator", "administrator", "member", "restricted", "left", "kicked")
        fake.members |= {100 + i: status for i, status in enumerate(statuses)}
        got = [await made.get_chat_member(STAFF_CHAT, 100 + i) for i in range(len(statuses))]
        assert got == list(statuses)
        thread = await made.create_topic(STAFF_CHAT, "#1 · S** · en · asked_for_person")
        assert fake.topics[STAFF_CHAT] == {thread: "#1 · S** · en · asked_for_person"}
    finally:
        await made.close()
