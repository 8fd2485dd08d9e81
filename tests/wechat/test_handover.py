"""A WeChat merchant asking for a person, and a staff reply that reaches them (or cannot)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.channels.wechat.mapping import merchant_key
from bot.core import texts
from bot.core.accounts import StaffAccount
from bot.core.delivery import Deliverer
from bot.core.desk import Desk
from bot.core.outbound import DeliveryError
from bot.core.teams import DefaultTeamOnly
from bot.core.texts import t
from bot.core.tickets import TicketFilter
from bot.core.types import Outgoing, Reply
from tests.fakes import FakeStore
from tests.wechat import wire
from tests.wechat.conftest import MakeBot
from tests.wechat.fake_api import FakeWechatApi
from tests.wechat.services import Canned

OPENID = "oHandover00000000000000000"


async def test_talk_to_a_person_then_a_staff_reply_goes_out(
    make_bot: MakeBot, fake_api: FakeWechatApi
) -> None:
    bot = await make_bot()
    await bot.content(wire.event(OPENID, "subscribe"))
    handed = await bot.content(wire.text(OPENID, "3"))  # 3. 转人工
    assert t("zh_Hans", texts.HUMAN_REQUESTED) in handed

    staff = (Outgoing("您好，我是卖家支持团队的小王，您的问题已经处理好了。"),)
    merchant = bot.channel.outbound  # what the staff console's reply path will call
    await merchant.send(merchant_key(OPENID), staff, "zh_Hans")
    [sent] = fake_api.sent
    assert (sent.touser, sent.content) == (OPENID, staff[0].text)

    fake_api.script = [45015]  # the merchant has not written for too long
    with pytest.raises(DeliveryError) as caught:
        await merchant.send(merchant_key(OPENID), staff, "zh_Hans")
    assert caught.value.permanent


async def test_a_message_relayed_to_staff_gets_success_and_no_bot_answer(
    make_bot: MakeBot, fake_api: FakeWechatApi
) -> None:
    quiet = Canned(Reply((), "zh_Hans"))  # what the core answers while people hold the thread
    bot = await make_bot(service=quiet)
    assert await bot.say(wire.text(OPENID, "还在吗？")) is None
    await bot.channel.endpoint.aclose()
    assert fake_api.send_calls == 0


async def test_escalation_reaches_the_desk_and_staff_replies_go_out_through_the_api(
    make_bot: MakeBot, fake_api: FakeWechatApi, store: FakeStore
) -> None:
    bot = await make_bot()
    await bot.content(wire.text(OPENID, "转人工客服"))
    admin = StaffAccount("root", "admin", "x")
    async with store.uow() as uow:
        await uow.staff.add(admin)
        await uow.commit()
    desk = Desk(store.uow, DefaultTeamOnly)
    (row,) = await desk.queue(admin, TicketFilter())
    assert (row.ticket.channel, row.ticket.reason) == ("wechat", "asked_for_person")
    deliverer = Deliverer(store.uow, {"wechat": bot.channel.outbound}, first_wait=timedelta(0))

    await desk.reply(admin, row.ticket.id, "您好，我是小王，请问是哪个店铺？")
    assert await deliverer.deliver_due() == 1
    assert [(s.touser, s.content) for s in fake_api.sent] == [
        (OPENID, "您好，我是小王，请问是哪个店铺？")
    ]
    # While the ticket is open the merchant's words go to staff; a clear FAQ question is still
    # answered, and the merchant hears that the team has the message (issue 17).
    answered = await bot.content(wire.text(OPENID, "保证金要交多少？"))
    assert "500" in answered and t("zh_Hans", texts.ACK_FIRST, notice="") in answered

    fake_api.script = [45015]  # the 48-hour window closed on WeChat's side
    await desk.reply(admin, row.ticket.id, "还需要您的营业执照。")
    assert await deliverer.deliver_due() == 0
    view = await desk.thread(admin, row.ticket.id)
    failed = [d for d in view.deliveries.values() if d.status == "failed"]
    assert len(failed) == 1 and "45015" in failed[0].error
