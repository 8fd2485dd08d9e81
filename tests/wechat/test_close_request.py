"""A WeChat merchant closes their own request from the numbered menu (issue 17), over signed and
encrypted pushes as WeChat sends them."""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.core import texts
from bot.core.accounts import StaffAccount
from bot.core.conversation import ConversationService
from bot.core.desk import Desk
from bot.core.ports import StoredMessage
from bot.core.teams import DefaultTeamOnly
from bot.core.texts import t
from bot.core.tickets import Ticket, TicketEvent, TicketFilter
from bot.faq.matcher import Matcher
from tests.fakes import FakeStore
from tests.wechat import wire
from tests.wechat.conftest import MakeBot

OPENID = "oCloseRequest000000000000"


@dataclass
class Heard:
    """A ticket listener, as the Telegram staff group is: what staff were told, in order."""

    changes: list[tuple[int, str, str]] = field(default_factory=list)

    async def ticket_changed(
        self, ticket: Ticket, event: TicketEvent, message: StoredMessage | None
    ) -> None:
        self.changes.append((ticket.id, event.action, message.text if message else ""))


async def test_the_merchant_closes_their_request_by_its_number(
    make_bot: MakeBot, shipped_matcher: Matcher, store: FakeStore
) -> None:
    heard = Heard()
    chat = ConversationService(lambda: shipped_matcher, store.uow, listeners=[heard])
    bot = await make_bot(safe=True, service=chat)
    await bot.content(wire.event(OPENID, "subscribe"))
    handed = await bot.content(wire.text(OPENID, "3"))  # 3. 转人工
    assert t("zh_Hans", texts.HUMAN_REQUESTED) in handed

    admin = StaffAccount("root", "admin", "x")
    async with store.uow() as uow:
        await uow.staff.add(admin)
        await uow.commit()
    desk = Desk(store.uow, DefaultTeamOnly)
    (row,) = await desk.queue(admin, TicketFilter())
    ticket_id = row.ticket.id
    assert (row.ticket.channel, row.ticket.status) == ("wechat", "open")

    # The next message is relayed and acknowledged, "close my request" a numbered option.
    ack = await bot.content(wire.text(OPENID, "我的店铺被冻结了"))
    assert t("zh_Hans", texts.ACK_FIRST, notice="") in ack
    menu = [line for line in ack.splitlines() if t("zh_Hans", texts.CLOSE_BUTTON) in line]
    assert menu == ["1. 关闭我的请求"]
    assert (await desk.thread(admin, ticket_id)).ticket.status == "open"  # the ack closes nothing

    done = await bot.content(wire.text(OPENID, "1"))
    assert done == t("zh_Hans", texts.REQUEST_CLOSED)
    view = await desk.thread(admin, ticket_id)
    assert view.ticket.status == "resolved" and view.ticket.resolved_at is not None
    assert [(e.actor, e.action) for e in view.events][-1] == ("merchant", "closed")
    assert await desk.queue(admin, TicketFilter()) == []  # off the active queue
    # Staff are told, once, with the option the number chose rather than a bare "1".
    assert heard.changes[-1] == (ticket_id, "closed", "关闭我的请求")
    assert [c for c in heard.changes if c[1] == "closed"] == [heard.changes[-1]]

    # "1" again now answers nothing from the old menu: there is no request left to close.
    again = await bot.content(wire.text(OPENID, "1"))
    assert t("zh_Hans", texts.REQUEST_CLOSED) not in again
    assert [c for c in heard.changes if c[1] == "closed"] == [heard.changes[-1]]
