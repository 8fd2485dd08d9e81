"""A channel's late answer queued in the outbox (``queue_answer``, issue 16) on every store: one
item per delivery however often it is queued, by any replica, with no ticket needed; the
deliverer sends the stored answer in one send, as the channel would have."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from bot.core.conversation import ConversationService
from bot.core.delivery import Deliverer
from bot.core.types import Incoming, MerchantKey, Outgoing
from bot.faq.matcher import Matcher
from tests.storage.conftest import StoreUnderTest

WECHAT = MerchantKey("wechat", "o-late-1")


class Channel:
    """An outbound that records each send, whole."""

    channel = "wechat"

    def __init__(self) -> None:
        self.sends: list[tuple[MerchantKey, list[str]]] = []

    async def send(self, merchant: MerchantKey, messages: Sequence[Outgoing], locale: str) -> None:
        self.sends.append((merchant, [m.text for m in messages]))


async def test_a_queued_answer_is_one_item_sent_whole_by_any_replica(
    store: StoreUnderTest, twin: StoreUnderTest, shipped_matcher: Matcher
) -> None:
    woken: list[str] = []
    here = ConversationService(lambda: shipped_matcher, store.uow, wake=lambda: woken.append("a"))
    there = ConversationService(lambda: shipped_matcher, twin.uow, wake=lambda: woken.append("b"))
    event = Incoming(WECHAT, "text", "How much is the security deposit?", delivery_key="msg:1")
    reply = await here.handle(event)
    assert reply.messages
    unknown = Incoming(WECHAT, "text", "never stored", delivery_key="msg:2")
    assert not await here.queue_answer(unknown)  # nothing stored: the channel sends it itself

    queued = await asyncio.gather(here.queue_answer(event), there.queue_answer(event))
    assert queued == [True, True] and len(woken) == 1  # the one that queued it wakes its loop
    channel = Channel()
    deliverer = Deliverer(twin.uow, {"wechat": channel})
    assert await deliverer.deliver_due() == 1
    assert await deliverer.deliver_due() == 0
    assert channel.sends == [(WECHAT, [m.text for m in reply.messages])]
    async with store.uow() as uow:
        item = await uow.outbox.get(1)
    assert item is not None
    assert (item.status, item.ticket_id, item.channel) == ("sent", None, "wechat")
    async with store.uow() as uow:
        named = await uow.messages.get(item.message_id)
    # A replica still on the previous release sends the item's message as a staff reply: it
    # must be the answer's first message, never the merchant's question.
    assert named is not None and named.direction == "out" and named.text == reply.messages[0].text
