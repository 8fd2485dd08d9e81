"""/wechat end to end: real-format pushes, signed as WeChat signs them, to the real app with the
real conversation service over the shipped FAQ (in-memory store)."""

from __future__ import annotations

import pytest

from bot.centres.holder import CentresHolder
from bot.channels import numbered
from bot.core import texts
from bot.core.conversation import ConversationService
from bot.core.texts import t
from bot.faq.matcher import Matcher
from tests.conftest import ROOT
from tests.fakes import FakeStore
from tests.wechat import wire
from tests.wechat.conftest import MakeBot
from tests.wechat.wire import ACCOUNT, APP_ID, Wire

OPENID = "oyORnuP8q7ou2gfYjqLzSIWZf0rs"


def inbound(store: FakeStore) -> list[str]:
    return [m.text for m in store.committed.messages if m.direction == "in"]


# -- URL verification ----------------------------------------------------------------------


async def test_verification_echoes_echostr_only_with_the_right_signature(make_bot: MakeBot) -> None:
    bot = await make_bot()
    params = bot.wire.verification("5837397520665436492")
    ok = await bot.client.get("/wechat", params=params)
    assert (ok.status_code, ok.text) == (200, "5837397520665436492")

    forged = await bot.client.get("/wechat", params=Wire(token="other").verification("123"))
    assert forged.status_code == 403 and "123" not in forged.text
    missing = await bot.client.get("/wechat", params={"echostr": "123"})
    assert missing.status_code == 400


async def test_verification_is_plain_in_safe_mode_too(make_bot: MakeBot) -> None:
    bot = await make_bot(safe=True)
    ok = await bot.client.get("/wechat", params=bot.wire.verification("abc"))
    assert (ok.status_code, ok.text) == (200, "abc")


# -- safe mode -------------------------------------------------------------------------------


async def test_safe_mode_decrypts_and_answers_encrypted_and_signed(
    make_bot: MakeBot, store: FakeStore
) -> None:
    bot = await make_bot(safe=True)
    response = await bot.post(wire.text(OPENID, "保证金要交多少？"))
    assert response.status_code == 200
    assert b"<Encrypt>" in response.content
    reply = bot.wire.read(response.content)  # checks msg_signature, decrypts, checks the app id
    assert reply is not None and reply["ToUserName"] == OPENID and "500" in reply["Content"]
    # The answer is only inside the ciphertext (which may hold "500" by chance, not the text).
    assert reply["Content"].encode("utf-8") not in response.content
    assert inbound(store) == ["保证金要交多少？"]


async def test_safe_mode_refuses_bad_signatures_and_foreign_messages(
    make_bot: MakeBot, store: FakeStore
) -> None:
    bot = await make_bot(safe=True)
    xml = wire.text(OPENID, "保证金要交多少？")
    params, body = bot.wire.push(xml)
    bad = params | {"msg_signature": "0" * 40}
    assert (await bot.client.post("/wechat", params=bad, content=body)).status_code == 403
    no_sig = {k: v for k, v in params.items() if k != "msg_signature"}
    assert (await bot.client.post("/wechat", params=no_sig, content=body)).status_code == 403
    # Signed right, but encrypted for another Official Account (another app id).
    params, body = Wire(aes_key=bot.wire.aes_key, app_id="wx0000000000000000").push(xml)
    assert (await bot.client.post("/wechat", params=params, content=body)).status_code == 403
    # A plaintext push where safe mode expects an Encrypt field.
    params, body = Wire().push(xml)
    assert (await bot.client.post("/wechat", params=params, content=body)).status_code == 400
    assert store.committed.messages == []
    assert APP_ID != "wx0000000000000000"


# -- messages, plaintext ---------------------------------------------------------------------


async def test_text_is_answered_passively_with_a_numbered_menu(
    make_bot: MakeBot, store: FakeStore
) -> None:
    bot = await make_bot()
    reply = await bot.say(wire.text(OPENID, "How much is the security deposit?"))
    assert reply is not None
    assert reply["ToUserName"] == OPENID and reply["FromUserName"] == ACCOUNT
    assert reply["MsgType"] == "text" and int(reply["CreateTime"]) > 1_600_000_000
    content = reply["Content"]
    assert "500" in content
    assert t("en", numbered.FEEDBACK_HINT, yes="1", no="2") in content  # one key for 👍/👎
    assert "\n3. " in content and "\n4. " in content  # related questions follow
    assert content.endswith(t("en", numbered.MENU_HINT))
    assert inbound(store) == ["How much is the security deposit?"]
    merchant = next(iter(store.committed.merchants))
    assert (merchant.channel, merchant.user_id) == ("wechat", OPENID)


async def test_a_wrong_signature_is_refused_and_nothing_is_stored(
    make_bot: MakeBot, store: FakeStore
) -> None:
    bot = await make_bot()
    params, body = Wire(token="not-the-token").push(wire.text(OPENID, "deposit?"))
    response = await bot.client.post("/wechat", params=params, content=body)
    assert response.status_code == 403
    params, body = bot.wire.push(wire.text(OPENID, "deposit?"))
    tampered = body.replace(b"deposit?", b"tampered")
    del params["signature"]
    assert (await bot.client.post("/wechat", params=params, content=tampered)).status_code == 403
    assert store.committed.messages == []


async def test_subscribe_welcomes_in_simplified_chinese_by_default(make_bot: MakeBot) -> None:
    bot = await make_bot()
    content = await bot.content(wire.event(OPENID, "subscribe"))
    assert content.startswith(t("zh_Hans", texts.GREETING)) and "您好" in content
    for n, label in enumerate(
        [texts.MENU_TOPICS, texts.MENU_CENTRE, texts.MENU_HUMAN, texts.MENU_LANGUAGE], 1
    ):
        assert f"{n}. {t('zh_Hans', label)}" in content
    assert content.endswith("回复数字即可选择。")


async def test_subscribe_welcomes_a_known_merchant_in_their_language(make_bot: MakeBot) -> None:
    bot = await make_bot()
    await bot.content(wire.text(OPENID, "보증금은 얼마인가요?"))
    await bot.say(wire.event(OPENID, "unsubscribe"))
    content = await bot.content(wire.event(OPENID, "subscribe", key="qrscene_123"))
    assert content.startswith(t("ko", texts.GREETING)) and "안녕하세요" in content


async def test_menu_click_is_a_button_press(make_bot: MakeBot) -> None:
    bot = await make_bot()
    content = await bot.content(wire.event(OPENID, "CLICK", key="topics"))
    assert content.startswith(t("zh_Hans", texts.PICK_TOPIC))
    assert f"1. {texts.category_label('zh_Hans', 'account')}" in content


async def test_a_stale_menu_key_gets_the_menu_again(make_bot: MakeBot) -> None:
    bot = await make_bot()
    content = await bot.content(wire.event(OPENID, "CLICK", key="no-such-action"))
    assert content.startswith(t("zh_Hans", texts.STALE_BUTTON))


async def test_location_is_saved_for_the_nearest_centre(
    make_bot: MakeBot, store: FakeStore
) -> None:
    bot = await make_bot()
    content = await bot.content(wire.location(OPENID, 22.543099, 114.057868))
    assert content.startswith(t("zh_Hans", texts.LOCATION_SAVED))
    merchant = store.committed.merchants[next(iter(store.committed.merchants))]
    assert merchant.location is not None
    assert (merchant.location.lat, merchant.location.lon) == (22.543099, 114.057868)


@pytest.mark.parametrize("kind", ["image", "voice", "video", "shortvideo", "link", "file"])
async def test_other_message_types_get_a_polite_reply(
    make_bot: MakeBot, store: FakeStore, kind: str
) -> None:
    bot = await make_bot()
    content = await bot.content(wire.media(OPENID, kind))
    assert content.startswith(t("zh_Hans", texts.UNSUPPORTED))
    assert "1. " in content  # with the menu, so the merchant knows what to do instead
    assert inbound(store) == [f"[{kind}]"]


async def test_recognised_voice_is_answered_as_text(make_bot: MakeBot) -> None:
    bot = await make_bot()
    extra = (
        "<Format><![CDATA[amr]]></Format><Recognition><![CDATA[保证金要交多少？]]></Recognition>"
    )
    content = await bot.content(wire.media(OPENID, "voice", extra))
    assert "500" in content


@pytest.mark.parametrize("name", ["unsubscribe", "VIEW", "LOCATION", "TEMPLATESENDJOBFINISH"])
async def test_events_without_an_answer_get_success(
    make_bot: MakeBot, store: FakeStore, name: str
) -> None:
    bot = await make_bot()
    assert await bot.say(wire.event(OPENID, name, key="https://example.com")) is None
    assert store.committed.messages == []


# -- numbered menus --------------------------------------------------------------------------


async def test_numbers_pick_the_options_of_the_last_reply(
    make_bot: MakeBot, store: FakeStore
) -> None:
    bot = await make_bot()
    await bot.content(wire.event(OPENID, "subscribe"))
    topics = await bot.content(wire.text(OPENID, "1"))  # 1. Browse topics
    assert topics.startswith(t("zh_Hans", texts.PICK_TOPIC))
    fees = texts.category_label("zh_Hans", "fees")
    number = next(line.split(".")[0] for line in topics.splitlines() if line.endswith(fees))
    questions = await bot.content(wire.text(OPENID, f"{number}."))
    assert questions.startswith(t("zh_Hans", texts.PICK_QUESTION, topic=fees))
    answer = await bot.content(wire.text(OPENID, "１"))  # full-width digit, as IMEs type it
    assert t("zh_Hans", numbered.FEEDBACK_HINT, yes="1", no="2") in answer
    presses = [m for m in store.committed.messages if m.direction == "in" and m.kind == "button"]
    assert [m.payload for m in presses][:2] == ["topics", "cat:fees"]
    assert presses[2].payload.startswith("faq:")


async def test_numbers_survive_a_restart(make_bot: MakeBot) -> None:
    first = await make_bot()
    await first.content(wire.event(OPENID, "subscribe"))
    await first.channel.stop()
    second = await make_bot()  # a new process over the same store: only the history remains
    assert (await second.content(wire.text(OPENID, "1"))).startswith(t("zh_Hans", texts.PICK_TOPIC))


async def test_a_number_without_such_an_option_is_free_text(
    make_bot: MakeBot, store: FakeStore
) -> None:
    bot = await make_bot()
    await bot.content(wire.event(OPENID, "subscribe"))
    await bot.content(wire.text(OPENID, "9"))
    last_in = [m for m in store.committed.messages if m.direction == "in"][-1]
    assert (last_in.kind, last_in.text) == ("text", "9")


async def test_a_centre_question_naming_a_place_and_across_turns(
    make_bot: MakeBot, shipped_matcher: Matcher, store: FakeStore
) -> None:
    holder = CentresHolder(ROOT / "faq" / "centres.yaml")
    assert holder.reload()
    service = ConversationService(lambda: shipped_matcher, store.uow, centres=holder.finder)
    bot = await make_bot(service=service)
    content = await bot.content(wire.text(OPENID, "我人在东莞，想去招商中心咨询一下，哪个最近"))
    assert "广州商家发展中心" in content  # the venue travels as text on WeChat
    other = OPENID + "-2"  # a merchant whose place is not known yet: asked, then answered
    content = await bot.content(wire.text(other, "最近的招商中心在哪里？"))
    assert content.startswith(t("zh_Hans", texts.CENTRE_ASK))
    content = await bot.content(wire.text(other, "宁波"))
    assert "宁波商家发展中心" in content
