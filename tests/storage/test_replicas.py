"""Two replicas on one database (issue 16): two stores on the same data, working at once.

Each test runs on the fake, SQLite and PostgreSQL; "two replicas" are two ``SqlStore`` instances
on one database (the fake: one store, two units of work). Concurrency comes from
``asyncio.gather``; nothing here asserts on the wall clock.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import pytest
from argon2 import PasswordHasher

from bot.core.delivery import Deliverer
from bot.core.escalation import Escalation
from bot.core.ports import MerchantRecord, NewMessage, StoredMessage
from bot.core.teams import DefaultTeamOnly
from bot.core.tickets import STAFF_KIND, NewTicket, OpenTicketExists
from bot.core.types import MerchantKey, Outgoing
from bot.staff.accounts import Accounts
from bot.staff.auth import StaffAuth
from bot.staff.passwords import Passwords
from bot.staff.throttle import HashGate
from bot.web.mapping import history_json, updates_json
from tests.staff.conftest import FAST, PASSWORD
from tests.storage.conftest import StoreUnderTest

WECHAT = MerchantKey("wechat", "o-merchant-1")
T0 = datetime(2026, 11, 25, 8, 0, tzinfo=UTC)


class Channel:
    """An outbound that records what it sent and lets other tasks run mid-send."""

    channel = "wechat"

    def __init__(self, sent: list[tuple[MerchantKey, str]] | None = None) -> None:
        self.sent: list[tuple[MerchantKey, str]] = [] if sent is None else sent

    async def send(self, merchant: MerchantKey, messages: Sequence[Outgoing], locale: str) -> None:
        await asyncio.sleep(0)
        await asyncio.sleep(0.01)  # a network call: the other replica works meanwhile
        self.sent += [(merchant, m.text) for m in messages]


async def queue_replies(store: StoreUnderTest, key: MerchantKey, texts: Sequence[str]) -> int:
    async with store.uow() as uow:
        merchant = await uow.merchants.get_or_create(key)
        ticket = await uow.tickets.add(
            NewTicket(merchant.id, key.channel, "asked_for_person", "en", "default", T0)
        )
        for text in texts:
            message = await uow.messages.add(NewMessage(merchant.id, "out", STAFF_KIND, text))
            await uow.outbox.add(message.id, ticket.id, merchant.id, key.channel)
        await uow.commit()
    return ticket.id


async def test_two_deliverers_never_send_one_reply_twice_and_keep_each_merchants_order(
    store: StoreUnderTest, twin: StoreUnderTest
) -> None:
    merchants = [MerchantKey("wechat", f"o-merchant-{n}") for n in range(3)]
    for key in merchants:
        await queue_replies(store, key, [f"{key.user_id}: {i}" for i in range(3)])
    sent: list[tuple[MerchantKey, str]] = []  # what merchants received, in order
    one = Deliverer(store.uow, {"wechat": Channel(sent)})
    two = Deliverer(twin.uow, {"wechat": Channel(sent)})
    counts = await asyncio.gather(one.deliver_due(), two.deliver_due(), one.deliver_due())
    assert sorted(text for _, text in sent) == sorted(
        f"{key.user_id}: {i}" for key in merchants for i in range(3)
    ), "a reply was sent twice (or not at all)"
    assert sum(counts) == 9
    for key in merchants:  # each merchant's replies arrived in order, whoever sent them
        assert [text for k, text in sent if k == key] == [f"{key.user_id}: {i}" for i in range(3)]
    async with store.uow() as uow:
        for key in merchants:
            merchant = await uow.merchants.get_or_create(key)
            ticket = await uow.tickets.active_for(merchant.id)
            assert ticket is not None
            items = await uow.outbox.for_ticket(ticket.id)
            assert [i.status for i in items] == ["sent"] * 3
            for item in items:  # one attempt each, and it went out
                attempts = await uow.outbox.attempts(item.id)
                assert [(a.attempt, a.result) for a in attempts] == [(1, "sent")]


async def test_a_reply_is_not_claimed_while_an_earlier_one_of_its_merchant_is_open(
    store: StoreUnderTest, twin: StoreUnderTest
) -> None:
    ticket_id = await queue_replies(store, WECHAT, ["one", "two"])
    now = datetime.now(UTC)
    async with store.uow() as uow:
        (claimed,) = await uow.outbox.claim(now, timedelta(minutes=5))
        await uow.commit()
    async with twin.uow() as uow:  # "one" is being sent: "two" waits behind it
        assert await uow.outbox.claim(now, timedelta(minutes=5)) == []
    async with store.uow() as uow:
        items = await uow.outbox.for_ticket(ticket_id)
        assert [i.status for i in items] == ["sending", "pending"]
        assert items[0].id == claimed.id
        assert claimed.lease_until == now + timedelta(minutes=5)


async def test_an_expired_lease_is_sent_again_and_both_attempts_are_on_record(
    store: StoreUnderTest, twin: StoreUnderTest
) -> None:
    ticket_id = await queue_replies(store, WECHAT, ["one", "two"])
    now = datetime.now(UTC)
    async with store.uow() as uow:  # a replica claims "one" and dies before sending it
        (lost,) = await uow.outbox.claim(now, timedelta(minutes=5))
        await uow.commit()
    channel = Channel()
    later = [now + timedelta(minutes=1)]
    deliverer = Deliverer(twin.uow, {"wechat": channel}, clock=lambda: later[0])
    assert await deliverer.deliver_due() == 0  # still leased: nothing goes, in order
    later[0] = now + timedelta(minutes=6)
    assert await deliverer.deliver_due() == 2
    assert [text for _, text in channel.sent] == ["one", "two"]
    async with store.uow() as uow:
        items = await uow.outbox.for_ticket(ticket_id)
        assert [(i.status, i.lease_until) for i in items] == [("sent", None), ("sent", None)]
        attempts = await uow.outbox.attempts(lost.id)
    assert [(a.attempt, a.result) for a in attempts] == [(1, "sending"), (2, "sent")]
    assert attempts[0].finished_at is None and attempts[1].finished_at == later[0]


class BarrierPasswords(Passwords):
    """Wrong-password checks that all finish together: every request read the account first."""

    def __init__(self, parties: int) -> None:
        super().__init__(PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))
        self.barrier = threading.Barrier(parties, timeout=30)

    def verify(self, password_hash: str, password: str) -> bool:
        self.barrier.wait()
        return super().verify(password_hash, password)


async def test_concurrent_wrong_passwords_over_two_replicas_count_each_and_lock_once(
    store: StoreUnderTest, twin: StoreUnderTest, caplog: pytest.LogCaptureFixture
) -> None:
    now = datetime.now(UTC)

    def clock() -> datetime:
        return now

    await Accounts(store.uow, passwords=FAST, clock=clock).add(
        "alice", "agent", PASSWORD, ["default"]
    )
    tries = 10
    passwords = BarrierPasswords(tries)

    async def no_delay(_seconds: float) -> None:
        return None

    def auth(replica: StoreUnderTest) -> StaffAuth:
        return StaffAuth(
            replica.uow,
            passwords=passwords,
            clock=clock,
            sleep=no_delay,
            gate=HashGate(running=tries, waiting=0),
        )

    replicas = [auth(store), auth(twin)]
    caplog.set_level(logging.INFO, logger="bot.staff.auth")
    results = await asyncio.gather(
        *(replicas[n % 2].login("alice", f"wrong {n}") for n in range(tries))
    )
    assert results == [None] * tries
    async with store.uow() as uow:
        account = await uow.staff.get("alice")
    assert account is not None
    assert account.failed_logins == tries
    assert account.locked_until == now + timedelta(minutes=15)
    locks = [r for r in caplog.records if r.getMessage() == "staff account locked"]
    assert len(locks) == 1
    after = StaffAuth(store.uow, passwords=FAST, clock=clock, sleep=no_delay)
    assert await after.login("alice", PASSWORD) is None  # locked: even the right password


async def _merchant_and_message(
    store: StoreUnderTest, key: MerchantKey, text: str
) -> tuple[MerchantRecord, StoredMessage]:
    async with store.uow() as uow:
        merchant = await uow.merchants.get_or_create(key)
        inbound = await uow.messages.add(NewMessage(merchant.id, "in", "text", text))
        await uow.commit()
    return merchant, inbound


async def test_the_web_chats_cursor_never_skips_a_reply_that_commits_late(
    store: StoreUnderTest, twin: StoreUnderTest
) -> None:
    key = MerchantKey("web", "page-1")
    merchant, _ = await _merchant_and_message(store, key, "hello")

    async def poll(after: int) -> tuple[list[str], int]:
        async with store.uow() as uow:
            stored = await uow.messages.since(merchant.id, after, 100)
        data = updates_json(stored, after)
        return [m["text"] for m in data["messages"]], int(data["cursor"])

    async with store.uow() as uow:
        history = await uow.messages.history(merchant.id)
    shown, cursor = [], int(history_json(history)["cursor"])

    async def merchant_writes() -> None:
        async with twin.uow() as uow:
            await uow.messages.add(NewMessage(merchant.id, "in", "text", "are you there?"))
            await uow.commit()

    async with store.uow() as staff:  # a staff reply, inserted first, committed last
        await staff.messages.add(NewMessage(merchant.id, "out", STAFF_KIND, "Hi, Mei here"))
        writer = asyncio.create_task(merchant_writes())
        await asyncio.wait({writer}, timeout=1.0)  # it commits first, or waits for us
        texts, cursor = await poll(cursor)
        shown += texts
        await staff.commit()
    await writer
    texts, cursor = await poll(cursor)
    shown += texts
    assert shown == ["Hi, Mei here"]
    texts, _ = await poll(cursor)
    assert texts == []


async def test_two_hand_overs_at_the_same_moment_open_one_ticket(
    store: StoreUnderTest, twin: StoreUnderTest
) -> None:
    key = MerchantKey("wechat", "o-compliance")
    merchant, first = await _merchant_and_message(store, key, "they sell fake reviews")
    _, second = await _merchant_and_message(store, key, "fake reviews here too")
    escalation = Escalation(DefaultTeamOnly)

    async def hand_over(replica: StoreUnderTest, inbound: StoredMessage) -> int:
        async with replica.uow() as uow:
            ticket, event, notice = await escalation.open(
                uow, merchant, "compliance:fake_reviews", "en", inbound
            )
            await uow.commit()
        assert notice
        assert event.message_id == inbound.id
        return ticket.id

    ids = await asyncio.gather(hand_over(store, first), hand_over(twin, second))
    assert ids[0] == ids[1]
    async with store.uow() as uow:
        ticket = await uow.tickets.active_for(merchant.id)
        assert ticket is not None and ticket.id == ids[0]
        events = await uow.tickets.events(ticket.id)
        assert sorted(e.message_id or 0 for e in events) == sorted([first.id, second.id])
        assert [e.action for e in events].count("opened") == 1
        # The repository refuses a second open ticket, naming the open one.
        with pytest.raises(OpenTicketExists) as refused:
            await uow.tickets.add(
                NewTicket(merchant.id, key.channel, "asked_for_person", "en", "default", T0)
            )
        assert refused.value.ticket.id == ticket.id


async def test_a_staff_reply_and_a_relayed_message_at_once_do_not_deadlock(
    store: StoreUnderTest, twin: StoreUnderTest
) -> None:
    ticket_id = await queue_replies(store, WECHAT, [])
    async with store.uow() as uow:
        merchant = await uow.merchants.get_or_create(WECHAT)

    async def staff_replies() -> None:  # the desk: the message, then the ticket
        async with store.uow() as uow:
            await uow.messages.add(NewMessage(merchant.id, "out", STAFF_KIND, "Hi"))
            await asyncio.sleep(0.05)  # let the other transaction start
            ticket = await uow.tickets.get(ticket_id)
            assert ticket is not None
            ticket.status = "waiting"
            await uow.tickets.update(ticket)
            await uow.commit()

    async def merchant_writes() -> None:  # a relay: the ticket, then the acknowledgement
        async with twin.uow() as uow:
            ticket = await uow.tickets.get(ticket_id)
            assert ticket is not None
            ticket.last_merchant_at = T0
            await uow.tickets.update(ticket)
            await asyncio.sleep(0.05)
            await uow.messages.add(NewMessage(merchant.id, "out", "text", "Added to your request"))
            await uow.commit()

    await asyncio.gather(staff_replies(), merchant_writes())
    async with store.uow() as uow:
        seqs = [m.seq for m in await uow.messages.history(merchant.id)]
    assert seqs == [1, 2]
