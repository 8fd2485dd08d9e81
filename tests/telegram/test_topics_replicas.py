"""Replicas mirroring tickets into one staff chat (REDIS_URL): a ticket gets one forum topic
however many replicas post about it at once, and the start-up catch-up runs in one of them."""

from __future__ import annotations

import asyncio
import dataclasses

from bot.channels.telegram import TelegramChannel
from bot.channels.telegram.staff import POSTED, StaffGroup
from bot.channels.telegram.topics import SYSTEM, topic_ref
from bot.core.desk import Desk
from bot.core.ports import NewMessage, StoredMessage
from bot.core.teams import DefaultTeamOnly
from bot.core.tickets import NewTicket, Ticket, TicketEvent
from bot.core.types import MerchantKey
from tests.sharedstate import MakeShared, make_redis
from tests.telegram.conftest import STAFF_CHAT, Harness, fast_config

__all__ = ["make_redis"]

DRAIN = 30.0  # seconds a stopping replica may take to post what it has queued (a guard)


async def replicas(harness: Harness, make_redis: MakeShared, count: int = 2) -> list[StaffGroup]:
    """``count`` channels with the staff side, on one store, one fake Bot API and one Redis."""
    store = harness.store
    desk = Desk(store.uow, DefaultTeamOnly)
    config = dataclasses.replace(
        fast_config(harness.fake, harness.framework), staff_chat_id=STAFF_CHAT
    )
    groups: list[StaffGroup] = []
    for _ in range(count):
        channel: TelegramChannel = harness.build(
            config, harness.service(), desk=desk, uow=store.uow, shared=make_redis()
        )
        await channel.api.start()
        assert channel.staff is not None
        harness.channels.append(channel)  # closed (api and staff side) by the fixture
        groups.append(channel.staff)
    return groups


async def open_ticket(
    harness: Harness, user: int, *texts: str
) -> tuple[Ticket, list[tuple[TicketEvent, StoredMessage]]]:
    """A merchant's open ticket and an event per message (``opened``, then ``message``)."""
    async with harness.store.uow() as uow:
        merchant = await uow.merchants.get_or_create(MerchantKey("telegram", str(user)))
        ticket = await uow.tickets.add(
            NewTicket(merchant.id, "telegram", "asked for a person", "en", "seller-support")
        )
        said: list[tuple[TicketEvent, StoredMessage]] = []
        for i, text in enumerate(texts):
            message = await uow.messages.add(NewMessage(merchant.id, "in", "text", text))
            action = "opened" if i == 0 else "message"
            event = await uow.tickets.log(
                TicketEvent(ticket.id, "merchant", action, message_id=message.id)
            )
            said.append((event, message))
        await uow.commit()
    return ticket, said


def posts(harness: Harness, thread: int, text: str) -> int:
    """How many posts of the topic end with ``text``."""
    return sum(post.endswith(text) for post in harness.fake.in_topic(STAFF_CHAT, thread))


async def test_a_ticket_changed_on_two_replicas_at_once_gets_one_topic(
    harness: Harness, make_redis: MakeShared
) -> None:
    first, second = await replicas(harness, make_redis)
    ticket, [(opened, asked), (added, more)] = await open_ticket(
        harness, 8101, "Where is my payout?", "It was due on Monday."
    )
    # Each replica mirrors the change made on it, both before either topic exists.
    await asyncio.gather(
        first.ticket_changed(ticket, opened, asked),
        second.ticket_changed(ticket, added, more),
    )
    await asyncio.gather(first.stop(DRAIN), second.stop(DRAIN))

    assert len(harness.fake.called("createForumTopic")) == 1
    [thread] = harness.fake.topics[STAFF_CHAT]
    assert harness.store.committed.refs[(ticket.id, SYSTEM)] == topic_ref(STAFF_CHAT, thread)
    assert posts(harness, thread, "Where is my payout?") == 1  # with the header, from one
    assert posts(harness, thread, "It was due on Monday.") == 1  # the other posted there too
    assert sum("Ticket #" in p for p in harness.fake.in_topic(STAFF_CHAT, thread)) == 1


async def test_replicas_starting_together_catch_up_once(
    harness: Harness, make_redis: MakeShared
) -> None:
    # Left from the last run: two open tickets that never got a topic, and a topic whose
    # last post ("It was due on Monday.") was still queued when the replicas stopped.
    orphans = [(await open_ticket(harness, 8200 + i, f"Orphan {i} here"))[0] for i in range(2)]
    behind, [(opened, _), _] = await open_ticket(
        harness, 8300, "Where is my payout?", "It was due on Monday."
    )
    thread = 7  # the fake numbers the topics it creates from 100
    harness.fake.topics[STAFF_CHAT] = {thread: "#3 earlier"}
    async with harness.store.uow() as uow:
        await uow.ticket_refs.set(behind.id, SYSTEM, topic_ref(STAFF_CHAT, thread))
        await uow.ticket_refs.set(behind.id, POSTED, str(opened.id))
        await uow.commit()

    groups = await replicas(harness, make_redis)
    for group in groups:
        group.start()
    await asyncio.gather(*(group.stop(DRAIN) for group in groups))

    assert posts(harness, thread, "It was due on Monday.") == 1
    assert len(harness.fake.called("createForumTopic")) == len(orphans)
    for ticket in orphans:
        ref = harness.store.committed.refs[(ticket.id, SYSTEM)]
        made = int(ref.rsplit(":", 1)[1])
        texts = harness.fake.in_topic(STAFF_CHAT, made)
        assert sum("Opened before this topic existed." in t for t in texts) == 1, texts
