"""Tickets, the outbox and staff accounts: the same behaviour on the fake, SQLite and PostgreSQL."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from bot.core.accounts import StaffAccount, StaffSession
from bot.core.conversation import ConversationService
from bot.core.delivery import Deliverer
from bot.core.desk import Desk
from bot.core.outbound import DeliveryError
from bot.core.ports import NewMessage, UnitOfWork
from bot.core.teams import DefaultTeamOnly
from bot.core.tickets import NewTicket, TicketEvent, TicketFilter
from bot.core.types import Button, Incoming, MerchantKey, Outgoing
from bot.faq.matcher import Matcher
from bot.storage.uow import SqlStore
from tests.storage.conftest import StoreUnderTest

ALICE = MerchantKey("telegram", "1001")
T0 = datetime(2026, 11, 25, 8, 0, tzinfo=UTC)


async def open_ticket(uow: UnitOfWork, key: MerchantKey = ALICE, **kw: str) -> int:
    merchant = await uow.merchants.get_or_create(key)
    fields = {"reason": "asked_for_person", "locale": "zh_Hans", "team": "shenzhen", **kw}
    ticket = await uow.tickets.add(NewTicket(merchant.id, key.channel, created_at=T0, **fields))
    return ticket.id


async def test_tickets_round_trip_and_active_is_the_unresolved_one(store: StoreUnderTest) -> None:
    async with store.uow() as uow:
        first = await open_ticket(uow)
        await uow.commit()
    async with store.uow() as uow:
        ticket = await uow.tickets.get(first)
        assert ticket is not None
        assert (ticket.status, ticket.team, ticket.locale, ticket.created_at) == (
            "open", "shenzhen", "zh_Hans", T0
        )  # fmt: skip
        merchant = await uow.merchants.get_or_create(ALICE)
        assert (await uow.tickets.active_for(merchant.id)) == ticket
        ticket.status, ticket.assignee, ticket.rating = "resolved", "mei", 5
        ticket.resolved_at = T0 + timedelta(hours=1)
        await uow.tickets.update(ticket)
        await uow.commit()
    async with store.uow() as uow:
        assert await uow.tickets.active_for(merchant.id) is None
        latest = await uow.tickets.latest_for(merchant.id)
        assert latest is not None
        assert (latest.status, latest.assignee, latest.rating, latest.resolved_at) == (
            "resolved", "mei", 5, T0 + timedelta(hours=1)
        )  # fmt: skip


async def test_an_uncommitted_ticket_is_rolled_back(store: StoreUnderTest) -> None:
    async with store.uow() as uow:
        ticket_id = await open_ticket(uow)
    async with store.uow() as uow:
        assert await uow.tickets.get(ticket_id) is None


async def test_find_filters_and_orders_oldest_first(store: StoreUnderTest) -> None:
    async with store.uow() as uow:
        a = await open_ticket(uow, MerchantKey("web", "a"), reason="compliance:fake-reviews")
        b = await open_ticket(uow, MerchantKey("web", "b"), team="seoul", locale="ko")
        c = await open_ticket(uow, MerchantKey("web", "c"))
        done = await uow.tickets.get(c)
        assert done is not None
        done.status = "resolved"
        await uow.tickets.update(done)
        await uow.commit()
    async with store.uow() as uow:

        async def ids(**kw: object) -> list[int]:
            return [t.id for t in await uow.tickets.find(TicketFilter(**kw))]  # type: ignore[arg-type]

        assert await ids() == [a, b]
        assert await ids(teams=frozenset({"seoul"})) == [b]
        assert await ids(locale="zh_Hans") == [a]
        assert await ids(reason="compliance") == [a]
        assert await ids(statuses=frozenset({"resolved"})) == [c]
        assert await ids(assignee="nobody") == []
        assert await ids(teams=frozenset()) == []


async def test_events_keep_the_audit_trail_in_order(store: StoreUnderTest) -> None:
    async with store.uow() as uow:
        ticket_id = await open_ticket(uow)
        for actor, action in (("merchant", "opened"), ("mei", "assigned"), ("mei", "note")):
            await uow.tickets.log(TicketEvent(ticket_id, actor, action, f"{action}!", None, T0))
        await uow.commit()
    async with store.uow() as uow:
        events = await uow.tickets.events(ticket_id)
    assert [(e.actor, e.action, e.detail) for e in events] == [
        ("merchant", "opened", "opened!"),
        ("mei", "assigned", "assigned!"),
        ("mei", "note", "note!"),
    ]
    assert all(e.id > 0 and e.created_at == T0 for e in events)


async def test_outbox_due_save_and_per_ticket(store: StoreUnderTest) -> None:
    async with store.uow() as uow:
        ticket_id = await open_ticket(uow)
        merchant = await uow.merchants.get_or_create(ALICE)
        m1 = await uow.messages.add(NewMessage(merchant.id, "out", "staff", "one"))
        m2 = await uow.messages.add(NewMessage(merchant.id, "out", "staff", "two"))
        i1 = await uow.outbox.add(m1.id, ticket_id, merchant.id, "telegram")
        await uow.outbox.add(m2.id, ticket_id, merchant.id, "telegram")
        await uow.commit()
    now = datetime.now(UTC)
    async with store.uow() as uow:
        due = await uow.outbox.due(now)
        assert [(i.message_id, i.status) for i in due] == [(m1.id, "pending"), (m2.id, "pending")]
        first = await uow.outbox.get(i1)
        assert first is not None
        await uow.outbox.save(replace(first, status="pending", attempts=1, error="timeout",
                                      next_attempt_at=now + timedelta(minutes=1)))  # fmt: skip
        await uow.commit()
    async with store.uow() as uow:
        assert [i.message_id for i in await uow.outbox.due(now)] == [m2.id]
        later = await uow.outbox.due(now + timedelta(minutes=2))
        assert [i.message_id for i in later] == [m1.id, m2.id]
        items = await uow.outbox.for_ticket(ticket_id)
        assert [(i.attempts, i.error) for i in items] == [(1, "timeout"), (0, "")]


async def test_staff_accounts_and_sessions(store: StoreUnderTest) -> None:
    expires = T0 + timedelta(hours=12)
    async with store.uow() as uow:
        await uow.staff.add(StaffAccount("mei", "agent", "$argon2id$x", ("shenzhen", "foshan")))
        await uow.staff.add(StaffAccount("root", "admin", "$argon2id$y"))
        await uow.staff.add_session(StaffSession("h" * 64, "mei", "csrf-token", expires))
        await uow.commit()
    async with store.uow() as uow:
        mei = await uow.staff.get("mei")
        assert mei is not None and mei.teams == ("shenzhen", "foshan") and mei.role == "agent"
        assert [a.username for a in await uow.staff.all()] == ["mei", "root"]
        mei.disabled, mei.failed_logins, mei.locked_until = True, 3, expires
        await uow.staff.update(mei)
        session = await uow.staff.session("h" * 64)
        assert session is not None and (session.username, session.csrf) == ("mei", "csrf-token")
        assert session.expires_at == expires
        await uow.staff.drop_session("h" * 64)
        await uow.staff.add_session(StaffSession("i" * 64, "mei", "c2", expires))
        await uow.staff.add_session(StaffSession("j" * 64, "root", "c3", expires))
        await uow.staff.drop_sessions("mei")
        await uow.commit()
    async with store.uow() as uow:
        again = await uow.staff.get("mei")
        assert again is not None and again.disabled and again.failed_logins == 3
        assert again.locked_until == expires
        assert await uow.staff.session("h" * 64) is None
        assert await uow.staff.session("i" * 64) is None  # every session of mei's
        assert await uow.staff.session("j" * 64) is not None
        assert await uow.staff.get("nobody") is None


# -- end to end on each store: a reply outlives a restart, failures are kept -------------------


class Recorder:
    """An outbound channel that records, failing as scripted."""

    channel = "telegram"

    def __init__(self, failures: list[DeliveryError] | None = None) -> None:
        self.sent: list[tuple[MerchantKey, str]] = []
        self.failures = failures or []

    async def send(self, merchant: MerchantKey, messages: list[Outgoing], locale: str) -> None:
        if self.failures:
            raise self.failures.pop(0)
        self.sent += [(merchant, m.text) for m in messages]


@pytest.mark.parametrize("store_url", ["sqlite", "postgresql"], indirect=True)
async def test_escalation_survives_a_restart_and_failed_replies_can_be_retried(
    store: StoreUnderTest, store_url: str, shipped_matcher: Matcher
) -> None:
    mei = StaffAccount("mei", "admin", "x")
    first = SqlStore(store_url)
    try:
        chat = ConversationService(lambda: shipped_matcher, first.uow)
        await chat.handle(Incoming(ALICE, "text", text="I want to talk to a person"))
        async with first.uow() as uow:
            await uow.staff.add(mei)
            await uow.commit()
        desk = Desk(first.uow, DefaultTeamOnly)
        (row,) = await desk.queue(mei, TicketFilter())
        await desk.reply(mei, row.ticket.id, "Hello from Mei")  # queued; nothing sends it yet
    finally:
        await first.close()

    second = SqlStore(store_url)  # the server restarted
    try:
        desk = Desk(second.uow, DefaultTeamOnly)
        (row,) = await desk.queue(mei, TicketFilter())
        assert row.ticket.status == "waiting"
        channel = Recorder([DeliveryError("bot was blocked by the user", permanent=True)])
        deliverer = Deliverer(second.uow, {"telegram": channel}, first_wait=timedelta(0))
        assert await deliverer.deliver_due() == 0
        view = await desk.thread(mei, row.ticket.id)
        (failed,) = view.deliveries.values()
        assert (failed.status, failed.error) == ("failed", "bot was blocked by the user")
        await desk.retry(mei, row.ticket.id, failed.message_id)
        assert await deliverer.deliver_due() == 1
        assert channel.sent == [(ALICE, "Hello from Mei")]
        view = await desk.thread(mei, row.ticket.id)
        assert [d.status for d in view.deliveries.values()] == ["sent"]
        staff_texts = [m.text for m in view.messages if m.kind == "staff"]
        assert staff_texts == ["Hello from Mei"]
    finally:
        await second.close()


async def test_transient_failures_are_retried_in_order(store: StoreUnderTest) -> None:
    async with store.uow() as uow:
        ticket_id = await open_ticket(uow)
        merchant = await uow.merchants.get_or_create(ALICE)
        for text in ("one", "two"):
            m = await uow.messages.add(
                NewMessage(merchant.id, "out", "staff", text, buttons=(Button("ok", "menu"),))
            )
            await uow.outbox.add(m.id, ticket_id, merchant.id, "telegram")
        await uow.commit()
    channel = Recorder([DeliveryError("timeout"), DeliveryError("timeout")])
    deliverer = Deliverer(store.uow, {"telegram": channel}, first_wait=timedelta(0))
    assert await deliverer.deliver_due() == 0  # "one" failed: "two" waits behind it
    assert await deliverer.deliver_due() == 0
    assert await deliverer.deliver_due() == 2
    assert [text for _, text in channel.sent] == ["one", "two"]
    gave_up = Deliverer(store.uow, {}, max_attempts=1)  # a channel that is switched off
    async with store.uow() as uow:
        m = await uow.messages.add(NewMessage(merchant.id, "out", "staff", "three"))
        await uow.outbox.add(m.id, ticket_id, merchant.id, "wechat")
        await uow.commit()
    await gave_up.deliver_due()
    async with store.uow() as uow:
        last = (await uow.outbox.for_ticket(ticket_id))[-1]
    assert (last.status, last.error) == ("failed", "channel wechat is off")


async def test_a_channel_that_is_down_keeps_its_messages_without_using_up_attempts(
    store: StoreUnderTest,
) -> None:
    async with store.uow() as uow:
        ticket_id = await open_ticket(uow)
        merchant = await uow.merchants.get_or_create(ALICE)
        for text in ("one", "two"):
            m = await uow.messages.add(NewMessage(merchant.id, "out", "staff", text))
            await uow.outbox.add(m.id, ticket_id, merchant.id, "telegram")
        await uow.commit()
    down = [DeliveryError("Bot API unreachable", unavailable=True)] * 8
    channel = Recorder(down)
    now = [datetime.now(UTC)]
    deliverer = Deliverer(store.uow, {"telegram": channel}, clock=lambda: now[0], max_attempts=2)
    for _ in range(8):  # far more passes than max_attempts: nothing is given up
        assert await deliverer.deliver_due() == 0
        now[0] += timedelta(minutes=1)
    async with store.uow() as uow:
        waiting = await uow.outbox.for_ticket(ticket_id)
    assert [(i.status, i.attempts) for i in waiting] == [("pending", 0), ("pending", 0)]
    assert channel.failures == []  # each pass did try (and met the channel down)
    assert await deliverer.deliver_due() == 2  # the channel is back: both, in order
    assert [text for _, text in channel.sent] == ["one", "two"]


async def test_ticket_refs_map_both_ways(store: StoreUnderTest) -> None:
    async with store.uow() as uow:
        first = await open_ticket(uow)
        second = await open_ticket(uow, MerchantKey("web", "b"))
        await uow.ticket_refs.set(first, "telegram-topic", "-100:7")
        await uow.ticket_refs.set(second, "telegram-topic", "-100:8")
        await uow.ticket_refs.set(first, "telegram-topic", "-100:9")  # the topic was recreated
        await uow.commit()
    async with store.uow() as uow:
        assert await uow.ticket_refs.get(first, "telegram-topic") == "-100:9"
        assert await uow.ticket_refs.ticket_for("telegram-topic", "-100:8") == second
        assert await uow.ticket_refs.ticket_for("telegram-topic", "-100:7") is None
        assert await uow.ticket_refs.get(first, "other") is None
