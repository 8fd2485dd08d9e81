"""WechatOutbound: staff replies and late answers through custom/send, within the window."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import pytest

from bot.channels.wechat.api import CustomerServiceApi
from bot.channels.wechat.outbound import WechatOutbound
from bot.channels.wechat.window import Window
from bot.core.outbound import DeliveryError, Outbound
from bot.core.ports import StoredMessage
from bot.core.types import Attachment, Button, MerchantKey, Outgoing
from tests.wechat.fake_api import FakeWechatApi
from tests.wechat.wire import APP_ID, SECRET

ME = MerchantKey("wechat", "oStaffReply000000000000000")
STAFF = (Outgoing("您好，我是卖家支持团队的小王。您的保证金已经退回。"),)


class Clock:
    def __init__(self) -> None:
        self.now = datetime.now(UTC).timestamp()

    def __call__(self) -> float:
        return self.now


@dataclass
class History:
    messages: list[StoredMessage] = field(default_factory=list)

    async def history(self, key: MerchantKey, limit: int = 100) -> list[StoredMessage]:
        return self.messages[-limit:]


@pytest.fixture
async def api(fake_api: FakeWechatApi) -> AsyncIterator[CustomerServiceApi]:
    client = CustomerServiceApi(APP_ID, SECRET, fake_api.url)
    yield client
    await client.aclose()


async def test_a_staff_reply_goes_out_through_custom_send(
    api: CustomerServiceApi, fake_api: FakeWechatApi
) -> None:
    outbound: Outbound = WechatOutbound(api)
    assert outbound.channel == "wechat"
    await outbound.send(ME, STAFF, "zh_Hans")
    [sent] = fake_api.sent
    assert (sent.touser, sent.content) == (ME.user_id, STAFF[0].text)


async def test_buttons_become_a_numbered_menu(
    api: CustomerServiceApi, fake_api: FakeWechatApi
) -> None:
    rate = (
        Outgoing("请为这次服务评分：", (Button("1 ⭐", "rate:7:1"), Button("5 ⭐", "rate:7:5"))),
    )
    await WechatOutbound(api).send(ME, rate, "zh_Hans")
    assert fake_api.sent[0].content == "请为这次服务评分：\n\n1. 1 ⭐\n2. 5 ⭐\n回复数字即可选择。"


async def test_45015_is_permanent_and_closes_the_window(
    api: CustomerServiceApi, fake_api: FakeWechatApi
) -> None:
    outbound = WechatOutbound(api)
    outbound.window.opened(ME.user_id)
    fake_api.script = [45015]
    with pytest.raises(DeliveryError) as caught:
        await outbound.send(ME, STAFF, "zh_Hans")
    assert caught.value.permanent and "45015" in caught.value.reason
    with pytest.raises(DeliveryError) as again:  # known closed: WeChat is not even asked
        await outbound.send(ME, STAFF, "zh_Hans")
    assert again.value.permanent and fake_api.send_calls == 1


async def test_a_window_past_48_hours_is_undeliverable_without_calling_the_api(
    api: CustomerServiceApi, fake_api: FakeWechatApi
) -> None:
    clock = Clock()
    outbound = WechatOutbound(api, Window(clock))
    outbound.window.opened(ME.user_id)
    clock.now += 48 * 3600
    with pytest.raises(DeliveryError) as caught:
        await outbound.send(ME, STAFF, "zh_Hans")
    assert caught.value.permanent and "48 hours" in caught.value.reason
    assert fake_api.send_calls == 0 and fake_api.token_requests == []


async def test_the_sixth_message_of_a_window_is_undeliverable(
    api: CustomerServiceApi, fake_api: FakeWechatApi
) -> None:
    outbound = WechatOutbound(api)
    outbound.window.opened(ME.user_id)
    for _ in range(5):
        await outbound.send(ME, STAFF, "zh_Hans")
    with pytest.raises(DeliveryError) as caught:
        await outbound.send(ME, STAFF, "zh_Hans")
    assert caught.value.permanent and len(fake_api.sent) == 5
    outbound.window.opened(ME.user_id)  # the merchant wrote again
    await outbound.send(ME, STAFF, "zh_Hans")
    assert len(fake_api.sent) == 6


async def test_after_a_restart_the_window_is_seeded_from_the_history(
    api: CustomerServiceApi, fake_api: FakeWechatApi
) -> None:
    long_ago = datetime.now(UTC) - timedelta(hours=49)
    old = History([StoredMessage(1, "in", "text", "保证金？", id=1, created_at=long_ago)])
    with pytest.raises(DeliveryError) as caught:
        await WechatOutbound(api, history=old).send(ME, STAFF, "zh_Hans")
    assert caught.value.permanent and fake_api.send_calls == 0

    naive_recent = datetime.now(UTC).replace(tzinfo=None) - timedelta(hours=1)
    recent = History([StoredMessage(1, "in", "text", "?", id=1, created_at=naive_recent)])
    await WechatOutbound(api, history=recent).send(ME, STAFF, "zh_Hans")
    assert len(fake_api.sent) == 1


async def test_without_credentials_or_for_another_channel_it_is_permanent() -> None:
    with pytest.raises(DeliveryError) as caught:
        await WechatOutbound(None).send(ME, STAFF, "zh_Hans")
    assert caught.value.permanent
    with pytest.raises(DeliveryError):
        await WechatOutbound(None).send(MerchantKey("telegram", "1"), STAFF, "en")


async def test_an_image_over_wechats_10_mb_is_never_uploaded_and_fails_for_good(
    api: CustomerServiceApi, fake_api: FakeWechatApi
) -> None:
    big = Attachment("image/png", b"\x89PNG\r\n\x1a\n" + bytes(10 * 1024 * 1024), "big.png")
    with pytest.raises(DeliveryError) as caught:
        await WechatOutbound(api).send(ME, (Outgoing("附件", attachment=big),), "zh_Hans")
    assert caught.value.permanent and "10 MB" in str(caught.value)
    assert fake_api.uploads == {} and fake_api.sent == []  # not even the text went
