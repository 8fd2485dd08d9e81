"""Two replicas of the WeChat endpoint on one store and one Redis (REDIS_URL): WeChat's retry of
a MsgId may land on either, and the merchant still gets one answer; one access token for both."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from typing import NamedTuple

import httpx
import pytest

from bot.channels.wechat import WechatConfig, build_channel
from bot.channels.wechat.api import CustomerServiceApi
from bot.channels.wechat.flights import claim_key
from bot.channels.wechat.window import MAX_SENDS
from bot.core.conversation import ConversationService
from bot.core.outbound import DeliveryError
from bot.core.ports import Conversation
from bot.core.shared import Held, Quota, Shared, Taken
from bot.core.types import MerchantKey, Outgoing
from bot.web import create_app
from tests.fakes import FakeStore
from tests.sharedstate import MakeShared, make_redis
from tests.wechat import wire
from tests.wechat.conftest import Bot, healthy
from tests.wechat.fake_api import FakeWechatApi
from tests.wechat.services import Gated
from tests.wechat.wire import APP_ID, SECRET, TOKEN, Wire

__all__ = ["make_redis"]

OPENID = "oia2TjjewbmiOUlr6X-1crbLOvLw"
Replica = Callable[..., Awaitable[Bot]]


@pytest.fixture
async def replica(fake_api: FakeWechatApi, make_redis: MakeShared) -> AsyncIterator[Replica]:
    """``replica(service, budget=..., shared=...)``: one more replica, with its own Redis client
    (or ``shared``, wrapping one)."""
    made: list[Bot] = []

    async def make(service: Conversation, budget: float = 4.0, shared: Shared | None = None) -> Bot:
        config = WechatConfig(TOKEN, APP_ID, SECRET, "", fake_api.url, passive_budget=budget)
        channel = build_channel(service, config, shared=shared or make_redis())
        app = create_app(service, healthy, routes=channel.routes())  # type: ignore[arg-type]
        client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://r")
        bot = Bot(client, Wire(), channel)
        made.append(bot)
        return bot

    yield make
    for bot in made:
        await bot.client.aclose()
        await bot.channel.stop()


def inbound(store: FakeStore) -> int:
    return len([m for m in store.committed.messages if m.direction == "in"])


async def test_a_retry_on_another_replica_after_a_late_answer_is_not_answered_again(
    replica: Replica, conversation: ConversationService, store: FakeStore, fake_api: FakeWechatApi
) -> None:
    slow_a, slow_b = Gated(conversation), Gated(conversation)
    a = await replica(slow_a, budget=0.2)
    b = await replica(slow_b, budget=0.2)
    xml = wire.text(OPENID, "How much is the security deposit?", msg_id=wire.next_msg_id())
    first = await a.post(xml)  # past the budget: "success", the answer goes through the API
    assert (first.status_code, first.text) == (200, "success")
    retries = await asyncio.gather(b.post(xml), b.post(xml), a.post(xml))  # WeChat's retries
    assert [r.text for r in retries] == ["success"] * 3
    slow_a.gate.set()
    slow_b.gate.set()
    [sent] = await fake_api.wait_sent(1)
    assert sent.touser == OPENID
    assert (await b.post(xml)).text == "success"  # a retry after the API sent it
    await a.channel.endpoint.aclose()
    await b.channel.endpoint.aclose()
    assert (slow_a.calls, slow_b.calls) == (1, 0)  # the second replica never answered it
    assert len(fake_api.sent) == 1 and inbound(store) == 1


async def test_a_retry_on_another_replica_gets_the_same_passive_answer(
    replica: Replica, conversation: ConversationService, store: FakeStore, fake_api: FakeWechatApi
) -> None:
    gated_a, gated_b = Gated(conversation), Gated(conversation)
    gated_a.gate.set()
    gated_b.gate.set()
    a = await replica(gated_a)
    b = await replica(gated_b)
    xml = wire.text(OPENID, "How long until I get paid?", msg_id=wire.next_msg_id())
    first = await a.content(xml)
    again = await asyncio.gather(*(b.content(xml) for _ in range(3)))
    assert again == [first] * 3
    assert (gated_a.calls, gated_b.calls) == (1, 0)
    assert inbound(store) == 1 and fake_api.send_calls == 0


async def test_a_retry_on_another_replica_while_the_first_still_works_waits_for_it(
    replica: Replica, conversation: ConversationService
) -> None:
    gated_a, gated_b = Gated(conversation), Gated(conversation)
    a = await replica(gated_a, budget=3.0)
    b = await replica(gated_b, budget=3.0)
    xml = wire.text(OPENID, "How long until I get paid?", msg_id=wire.next_msg_id())
    first = asyncio.create_task(a.content(xml))
    while gated_a.calls == 0:
        await asyncio.sleep(0.01)
    retry = asyncio.create_task(b.content(xml))  # arrives while the first is answered
    await asyncio.sleep(0.1)
    gated_a.gate.set()
    assert await retry == await first
    assert gated_b.calls == 0


async def test_two_replicas_fetch_one_access_token(
    fake_api: FakeWechatApi, make_redis: MakeShared
) -> None:
    apis = [CustomerServiceApi(APP_ID, SECRET, fake_api.url, shared=make_redis()) for _ in range(2)]
    try:
        tokens = await asyncio.gather(*(api.token() for api in apis for _ in range(3)))
        assert len(set(tokens)) == 1
        assert len(fake_api.token_requests) == 1  # each fetch would void the other's token
        await asyncio.gather(*(api.send_text(OPENID, "hello") for api in apis))
        assert len(fake_api.sent) == 2 and len(fake_api.token_requests) == 1

        fake_api.revoke_tokens()  # refused (40001): one replica fetches anew, both use it
        await asyncio.gather(*(api.send_text(OPENID, "again") for api in apis))
        assert len(fake_api.sent) == 4 and len(fake_api.token_requests) == 2
    finally:
        for api in apis:
            await api.aclose()


async def test_the_window_counts_sends_from_every_replica(
    replica: Replica, conversation: ConversationService, fake_api: FakeWechatApi
) -> None:
    a = await replica(conversation)
    b = await replica(conversation)
    await a.content(wire.text(OPENID, "How long until I get paid?"))  # opens the window
    me = MerchantKey("wechat", OPENID)
    for i in range(MAX_SENDS):
        await (a if i % 2 else b).channel.outbound.send(me, [Outgoing(f"reply {i}")], "en")
    with pytest.raises(DeliveryError, match="5 messages"):
        await a.channel.outbound.send(me, [Outgoing("one too many")], "en")
    assert len(fake_api.sent) == MAX_SENDS


async def test_a_message_whose_replica_died_mid_answer_is_taken_over_by_a_retry(
    replica: Replica, conversation: ConversationService, store: FakeStore, make_redis: MakeShared
) -> None:
    msg_id = wire.next_msg_id()
    dead = make_redis()  # the replica that claimed the message, then died: its claim runs out
    assert await dead.claim(claim_key(f"msg:{msg_id}"), 60.0)
    b = await replica(conversation, budget=0.3)
    xml = wire.text(OPENID, "How much is the security deposit?", msg_id=msg_id)
    waiting = await b.post(xml)  # the claim is alive and nothing is published: retry, not stop
    assert waiting.status_code == 503 and waiting.text != "success"
    assert await dead.delete(claim_key(f"msg:{msg_id}"))  # unrenewed, the claim runs out
    taken = await b.post(xml)  # WeChat's next retry
    reply = b.wire.read(taken.content)
    assert taken.status_code == 200 and reply is not None and "500" in reply["Content"]
    again = await b.post(xml)  # a later retry gets the same answer, not a second one
    assert b.wire.read(again.content) == reply
    assert inbound(store) == 1


class Stalling:
    """A replica's view of Redis that freezes when the test says so (a stalled or dying process:
    nothing it sends reaches Redis until ``thaw``), the store behind it unchanged."""

    def __init__(self, inner: Shared) -> None:
        self.inner = inner
        self.frozen = False
        self.thawed = asyncio.Event()

    def freeze(self) -> None:
        self.frozen = True

    def thaw(self) -> None:
        self.frozen = False
        self.thawed.set()

    async def _wait(self) -> None:
        if self.frozen:
            await self.thawed.wait()

    async def claim(self, key: str, ttl: float, value: str = "1") -> bool:
        await self._wait()
        return await self.inner.claim(key, ttl, value)

    async def renew(self, key: str, value: str, ttl: float) -> bool:
        await self._wait()
        return await self.inner.renew(key, value, ttl)

    async def claim_fenced(
        self, key: str, value: str, ttl: float, *, fence: str, token: str
    ) -> bool:
        await self._wait()
        return await self.inner.claim_fenced(key, value, ttl, fence=fence, token=token)

    async def get(self, key: str) -> Held | None:
        await self._wait()
        return await self.inner.get(key)

    async def set(self, key: str, value: str, ttl: float) -> None:
        await self._wait()
        await self.inner.set(key, value, ttl)

    async def delete(self, key: str, value: str | None = None) -> bool:
        await self._wait()
        return await self.inner.delete(key, value)

    async def incr(self, key: str, ttl: float) -> int:
        await self._wait()
        return await self.inner.incr(key, ttl)

    async def take(self, quotas: Sequence[Quota], hold: float) -> Taken:
        await self._wait()
        return await self.inner.take(quotas, hold)

    async def done(self, quotas: Sequence[Quota], ticket: str) -> None:
        await self._wait()
        await self.inner.done(quotas, ticket)

    async def close(self) -> None:
        await self.inner.close()


class Stalled(NamedTuple):
    """Replica A, stalled mid-answer: the message's XML, A, A's gated service and its Redis."""

    xml: str
    a: Bot
    slow: Gated
    stalling: Stalling


Stall = Callable[[str], Awaitable[Stalled]]


@pytest.fixture
def stalled_mid_answer(
    replica: Replica, conversation: ConversationService, make_redis: MakeShared
) -> Stall:
    """``stalled_mid_answer(text)``: replica A claims a new message with ``text``, starts
    answering and stalls past WeChat's window (its answer due by the customer-service API);
    its lease on the message runs out unrenewed."""

    async def stall(text: str) -> Stalled:
        msg_id = wire.next_msg_id()
        xml = wire.text(OPENID, text, msg_id=msg_id)
        stalling = Stalling(make_redis())
        slow = Gated(conversation)
        a = await replica(slow, budget=0.2, shared=stalling)
        first = asyncio.create_task(a.post(xml))
        while slow.calls == 0:  # A holds the claim and is answering
            await asyncio.sleep(0.01)
        stalling.freeze()
        assert (await first).text == "success"  # past the budget: the answer is A's to send late
        assert await make_redis().delete(claim_key(f"msg:{msg_id}"))  # the lease ran out
        return Stalled(xml, a, slow, stalling)

    return stall


async def test_a_stalled_replica_whose_message_was_taken_over_never_sends_its_late_answer(
    replica: Replica,
    conversation: ConversationService,
    store: FakeStore,
    fake_api: FakeWechatApi,
    stalled_mid_answer: Stall,
) -> None:
    xml, a, slow, stalling = await stalled_mid_answer("How much is the security deposit?")
    b = await replica(conversation)
    taken = await b.content(xml)  # WeChat's retry on B: B takes the message over, answers
    stalling.thaw()  # A wakes up with its answer ready for the customer-service API
    slow.gate.set()
    await a.channel.endpoint.aclose()
    assert fake_api.send_calls == 0  # the merchant got B's passive answer, and only that
    later = await a.say(xml)  # a last retry on A: B's answer again, or "success"
    assert later is None or later["Content"] == taken
    assert inbound(store) == 1


async def test_a_stalled_replica_waking_while_another_answers_leaves_the_answer_to_it(
    replica: Replica,
    conversation: ConversationService,
    fake_api: FakeWechatApi,
    stalled_mid_answer: Stall,
) -> None:
    xml, a, slow_a, stalling = await stalled_mid_answer("How long until I get paid?")
    slow_b = Gated(conversation)
    b = await replica(slow_b, budget=30.0)
    retry = asyncio.create_task(b.content(xml))  # B takes the message over, still answering
    while slow_b.calls == 0:
        await asyncio.sleep(0.01)
    stalling.thaw()  # A wakes first: the message is B's now, A must not send its answer
    slow_a.gate.set()
    await a.channel.endpoint.aclose()
    assert fake_api.send_calls == 0
    slow_b.gate.set()
    assert "days" in await retry  # B's passive answer: the one the merchant gets
    await b.channel.endpoint.aclose()
    assert fake_api.send_calls == 0


async def test_a_stalled_replica_whose_lease_ran_out_still_answers_when_nobody_took_over(
    replica: Replica,
    conversation: ConversationService,
    fake_api: FakeWechatApi,
    stalled_mid_answer: Stall,
) -> None:
    xml, a, slow, stalling = await stalled_mid_answer("How much is the security deposit?")
    stalling.thaw()
    slow.gate.set()
    [sent] = await fake_api.wait_sent(1)  # no retry came: A's late answer is the one
    assert sent.touser == OPENID and "500" in sent.content
    await a.channel.endpoint.aclose()
    b = await replica(conversation)
    assert (await b.post(xml)).text == "success"  # a retry after it: never a second answer
    await b.channel.endpoint.aclose()
    assert fake_api.send_calls == 1
