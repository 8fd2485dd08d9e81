"""WeChat's 5-second rule and retries: passive when quick, the customer-service API when not,
and one answer per MsgId however often WeChat delivers it."""

from __future__ import annotations

import asyncio

from bot.channels import numbered
from bot.channels.wechat import texts as wechat_texts
from bot.core.conversation import ConversationService
from bot.core.ports import StoredMessage
from bot.core.texts import t
from bot.core.types import Outgoing, Reply
from tests.fakes import FakeStore
from tests.wechat import wire
from tests.wechat.conftest import MakeBot
from tests.wechat.fake_api import FakeWechatApi
from tests.wechat.services import Broken, Canned, Gated

OPENID = "oia2TjjewbmiOUlr6X-1crbLOvLw"


def answers(store: FakeStore) -> list[StoredMessage]:
    return [m for m in store.committed.messages if m.direction == "out"]


async def test_a_retry_storm_is_answered_once_with_one_answer(
    make_bot: MakeBot, store: FakeStore, fake_api: FakeWechatApi
) -> None:
    for safe in (False, True):
        bot = await make_bot(safe=safe)
        xml = wire.text(OPENID, "How long until I get paid?", msg_id=wire.next_msg_id())
        storm = await asyncio.gather(*(bot.post(xml) for _ in range(4)))
        later = [await bot.post(xml) for _ in range(2)]
        replies = [bot.wire.read(r.content) for r in [*storm, *later]]
        assert all(r.status_code == 200 for r in [*storm, *later])
        assert all(r is not None for r in replies)
        assert len({r["Content"] for r in replies if r is not None}) == 1
    assert len([m for m in store.committed.messages if m.direction == "in"]) == 2
    assert len({m.reply_to for m in answers(store)}) == 2  # one answer per message
    assert fake_api.send_calls == 0


async def test_a_retry_after_a_restart_gets_the_same_answer(
    make_bot: MakeBot, store: FakeStore
) -> None:
    xml = wire.event(OPENID, "subscribe", at=1_700_000_000)
    first = await (await make_bot()).content(xml)
    again = await (await make_bot()).content(xml)  # a new process: only the store remembers
    assert again == first
    assert len([m for m in store.committed.messages if m.direction == "in"]) == 1


async def test_a_slow_answer_goes_out_through_the_customer_service_api(
    make_bot: MakeBot,
    conversation: ConversationService,
    store: FakeStore,
    fake_api: FakeWechatApi,
) -> None:
    slow = Gated(conversation)
    bot = await make_bot(budget=0.2, service=slow)
    xml = wire.text(OPENID, "How much is the security deposit?")
    first = await bot.post(xml)
    assert (first.status_code, first.text) == (200, "success")
    assert slow.calls == 1 and fake_api.sent == []  # WeChat was not kept waiting for it
    retries = await asyncio.gather(*(bot.post(xml) for _ in range(3)))  # WeChat's retries
    assert [r.text for r in retries] == ["success"] * 3

    slow.gate.set()
    [sent] = await fake_api.wait_sent(1)
    assert sent.touser == OPENID
    assert "500" in sent.content and "\n3. " in sent.content  # 1 and 2: 👍 and 👎
    assert sent.content.endswith(t("en", numbered.MENU_HINT))
    assert answers(store)[0].text in sent.content

    assert (await bot.post(xml)).text == "success"  # a retry after the API sent it
    await bot.channel.endpoint.aclose()
    assert len(fake_api.sent) == 1 and slow.calls == 1


async def test_a_retry_that_comes_in_time_gets_the_answer_passively(
    make_bot: MakeBot, conversation: ConversationService, fake_api: FakeWechatApi
) -> None:
    slow = Gated(conversation)
    bot = await make_bot(budget=30.0, service=slow)  # ends when the gate opens, not before
    xml = wire.text(OPENID, "How much is the security deposit?")
    first = asyncio.create_task(bot.post(xml))
    await asyncio.sleep(0.1)
    retry = asyncio.create_task(bot.post(xml))  # the first connection is still open
    await asyncio.sleep(0.1)
    slow.gate.set()
    replies = [bot.wire.read((await task).content) for task in (first, retry)]
    assert replies[0] is not None and replies[0] == replies[1]
    await bot.channel.endpoint.aclose()
    assert fake_api.send_calls == 0


async def test_an_answer_too_long_for_one_message_goes_out_in_pieces(
    make_bot: MakeBot, fake_api: FakeWechatApi
) -> None:
    paragraphs = [f"第{n}段：" + "保证金说明。" * 30 for n in range(8)]  # 8 x 552 bytes
    bot = await make_bot(service=Canned(Reply((Outgoing("\n".join(paragraphs)),), "zh_Hans")))
    assert (await bot.post(wire.text(OPENID, "deposit?"))).text == "success"
    await bot.channel.endpoint.aclose()
    assert [s.content for s in fake_api.sent] == [
        "\n".join(paragraphs[0:3]),
        "\n".join(paragraphs[3:6]),
        "\n".join(paragraphs[6:8]),
    ]
    assert all(len(s.content.encode()) <= 2048 for s in fake_api.sent)


async def test_a_failing_service_gets_the_same_apology_on_retries(make_bot: MakeBot) -> None:
    bot = await make_bot(service=Broken())
    xml = wire.text(OPENID, "deposit?")
    assert await bot.content(xml) == t("zh_Hans", wechat_texts.SERVICE_FAILED)
    assert await bot.content(xml) == t("zh_Hans", wechat_texts.SERVICE_FAILED)


async def test_a_late_answer_to_a_closed_window_is_logged_not_raised(
    make_bot: MakeBot,
    conversation: ConversationService,
    fake_api: FakeWechatApi,
) -> None:
    slow = Gated(conversation)
    bot = await make_bot(budget=0.05, service=slow)
    fake_api.script = [45015]
    assert (await bot.post(wire.text(OPENID, "deposit?"))).text == "success"
    slow.gate.set()
    await bot.channel.endpoint.aclose()
    assert fake_api.send_calls == 1 and fake_api.sent == []
    assert bot.channel.outbound.window.closed_reason(OPENID) is not None
