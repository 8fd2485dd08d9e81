"""Both adapters' mappers: the same Bot API JSON gives the same update on either framework."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from bot.channels.telegram.aiogram_adapter import AiogramApi
from bot.channels.telegram.api import BotApi, FileTooLarge, TgApiError
from bot.channels.telegram.ptb_adapter import PtbApi
from bot.channels.telegram.sends import SendFile
from bot.channels.telegram.updates import (
    TgCallback,
    TgFile,
    TgLocation,
    TgUpdate,
    TgUser,
)
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
    assert got == b.private_update(
        7, got.message.message_id, 42, "zh-hans", text="How much is the deposit?"
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


def test_photos_and_documents_carry_their_file_and_caption(api: BotApi) -> None:
    got = api.parse_update(update(b.photo(42, caption="店铺截图", file_id="AgAC-big")))
    assert got.message is not None and got.message.caption == "店铺截图"
    name = f"photo-{got.message.message_id}.jpg"
    assert got.message.file == TgFile("AgAC-big", None, name, photo=True)  # the largest size
    body = b.document(42, "BQAC-doc", "notice.pdf", size=2048, caption="see")
    got = api.parse_update(update(body))
    assert got.message is not None and got.message.unsupported == "document"
    assert (got.message.file, got.message.caption) == (
        TgFile("BQAC-doc", 2048, "notice.pdf"),
        "see",
    )
    got = api.parse_update(update(b.text(42, "hi")))
    assert got.message is not None and (got.message.file, got.message.caption) == (None, None)


@pytest.mark.parametrize("framework", ["aiogram", "ptb"])
async def test_files_download_and_upload_on_the_wire(fake: FakeBotApi, framework: str) -> None:
    made: BotApi = (AiogramApi if framework == "aiogram" else PtbApi)(TOKEN, fake.url)
    try:
        await made.start()
        data = b"%PDF-1.4\n" + bytes(range(256)) * 40
        file_id = fake.add_file(data)
        assert await made.download(file_id, len(data)) == data
        with pytest.raises(FileTooLarge):  # getFile says the size: nothing downloaded
            await made.download(file_id, len(data) - 1)
        assert fake.downloads == [f"documents/{file_id}.bin"]
        fake.sizeless.add(file_id)  # no size from getFile: found out while downloading
        with pytest.raises(FileTooLarge):
            await made.download(file_id, len(data) - 1)
        huge = fake.add_file(b"\0" * (20 * 1024 * 1024 + 1))
        fake.sizeless.add(huge)
        with pytest.raises(FileTooLarge):  # "file is too big": Telegram serves bots 20 MB
            await made.download(huge, 30 * 1024 * 1024)
        with pytest.raises(TgApiError) as failed:
            await made.download("no-such-file", 1000)
        assert failed.value.permanent
        sent = SendFile(42, data, "form.pdf", photo=False, caption="表格")
        assert await made.send(sent) > 0
        ((kind, upload),) = fake.uploaded(42)
        assert (kind, upload.name, upload.data) == ("document", "form.pdf", data)
        assert fake.delivered(42)[-1].params["caption"] == "表格"
    finally:
        await made.close()


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


@pytest.mark.parametrize(
    ("where", "wrong"),
    [("text", {"a": 1}), ("text", 5), ("from.language_code", ["en"]), ("caption", [1])],
)
def test_a_field_of_the_wrong_type_is_a_value_error(api: BotApi, where: str, wrong: Any) -> None:
    body = b.text(42, "hi") if where != "caption" else b.photo(42, caption="x")
    part, _, name = where.rpartition(".")
    (body["message"][part] if part else body["message"])[name] = wrong
    with pytest.raises(ValueError):  # PTB checks no types, aiogram does: the same refusal
        api.parse_update(update(body))


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
