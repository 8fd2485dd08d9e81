"""Late WeChat answers go through the outbox (issue 16): once WeChat was told ``success``, the
answer is queued, leased and retried like a staff reply, so a failed customer-service send or
a replica that dies before sending does not lose it, and it still goes out exactly once."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from bot.channels.wechat import WechatConfig, build_channel
from bot.channels.wechat.api import CustomerServiceApi
from bot.channels.wechat.flights import KEEP_SECONDS, answer_key
from bot.core.conversation import ConversationService
from bot.core.delivery import Deliverer
from bot.core.tickets import OutboxItem, SendAttempt
from bot.core.types import Incoming, MerchantKey
from bot.faq.matcher import Matcher
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
QUESTION = "How much is the security deposit?"
LEASE = timedelta(seconds=30)
SYSTEM_BUSY = -1  # a transient errcode: the send is retried


class Clock:
    """The store's and the deliverers' time, moved only by the test."""

    def __init__(self) -> None:
        self.now = datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, by: timedelta) -> None:
        self.now += by


@dataclass
class Replica:
    """One replica: its WeChat endpoint (answers held back by ``slow``) and its delivery loop."""

    bot: Bot
    service: ConversationService
    slow: Gated
    deliverer: Deliverer

    async def settle(self) -> None:
        """Let the replica's answers in work and their hand-over to the outbox finish."""
        await self.bot.channel.endpoint.aclose()


MakeReplica = Callable[[], Awaitable[Replica]]


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def shared_store(clock: Clock) -> FakeStore:
    return FakeStore(clock)


@pytest.fixture
async def replica(
    fake_api: FakeWechatApi,
    make_redis: MakeShared,
    shipped_matcher: Matcher,
    shared_store: FakeStore,
    clock: Clock,
) -> AsyncIterator[MakeReplica]:
    """``replica()``: one more replica on the one store and Redis, answering past the budget."""
    made: list[Replica] = []

    async def make() -> Replica:
        deliverer = Deliverer(shared_store.uow, {}, clock=clock, lease=LEASE)
        service = ConversationService(
            lambda: shipped_matcher, shared_store.uow, wake=deliverer.wake
        )
        slow = Gated(service)
        config = WechatConfig(TOKEN, APP_ID, SECRET, "", fake_api.url, passive_budget=0.2)
        shared = make_redis()
        queue = service.queue_answer  # the answering service's own outbox, behind the gate
        channel = build_channel(slow, config, shared=shared, queue=queue)  # type: ignore[arg-type]
        if channel.outbound.api is not None:  # a failed send fails at once: the outbox retries
            await channel.outbound.api.aclose()
        channel.outbound.api = CustomerServiceApi(
            APP_ID, SECRET, fake_api.url, backoff=(), shared=shared
        )
        deliverer.outbounds[channel.name] = channel.outbound
        app = create_app(slow, healthy, routes=channel.routes())  # type: ignore[arg-type]
        client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://r")
        made.append(Replica(Bot(client, Wire(), channel), service, slow, deliverer))
        return made[-1]

    yield make
    for one in made:
        await one.bot.client.aclose()
        await one.bot.channel.stop()


async def answered_late(at: Replica, xml: str) -> None:
    """WeChat pushes the message; the answer takes longer than the budget: ``success``, then the
    answer is given and handed over."""
    first = await at.bot.post(xml)
    assert (first.status_code, first.text) == (200, "success")
    at.slow.gate.set()
    await at.settle()


async def outbox(store: FakeStore) -> list[tuple[OutboxItem, list[SendAttempt]]]:
    async with store.uow() as uow:
        items = [await uow.outbox.get(i) for i in sorted(store.committed.outbox)]
        return [(i, await uow.outbox.attempts(i.id)) for i in items if i is not None]


async def test_a_late_answer_whose_send_fails_is_retried_and_delivered_once(
    replica: MakeReplica, fake_api: FakeWechatApi, shared_store: FakeStore, clock: Clock
) -> None:
    a = await replica()
    await answered_late(a, wire.text(OPENID, QUESTION, msg_id=wire.next_msg_id()))
    [(queued, _)] = await outbox(shared_store)
    assert queued.status == "pending" and queued.ticket_id is None
    assert fake_api.send_calls == 0  # queued, not sent from the request's task

    fake_api.script.append(SYSTEM_BUSY)
    assert await a.deliverer.deliver_due() == 0
    [(failed, _)] = await outbox(shared_store)
    assert (failed.status, failed.attempts) == ("pending", 1) and "-1" in failed.error
    assert await a.deliverer.deliver_due() == 0  # not before its wait is over
    assert fake_api.sent == []

    clock.advance(timedelta(seconds=5))
    assert await a.deliverer.deliver_due() == 1
    clock.advance(timedelta(minutes=5))
    assert await a.deliverer.deliver_due() == 0
    [sent] = fake_api.sent
    assert sent.touser == OPENID and "500" in sent.content  # the stored answer
    [(done, attempts)] = await outbox(shared_store)
    assert (done.status, done.attempts) == ("sent", 2)
    assert [t.result for t in attempts] == ["failed", "sent"]


async def test_a_late_answer_left_by_a_dead_replica_is_sent_by_another_after_the_lease(
    replica: MakeReplica, fake_api: FakeWechatApi, shared_store: FakeStore, clock: Clock
) -> None:
    a, b = await replica(), await replica()
    xml = wire.text(OPENID, QUESTION, msg_id=wire.next_msg_id())
    await answered_late(a, xml)
    async with shared_store.uow() as uow:  # a's loop claims it, then a is killed mid-send
        [claimed] = await uow.outbox.claim(clock(), LEASE)
        await uow.commit()
    assert [r.text for r in await asyncio.gather(b.bot.post(xml), b.bot.post(xml))] == [
        "success"
    ] * 2  # WeChat's retries on b: never a second answer
    assert await b.deliverer.deliver_due() == 0  # a's lease still holds it
    assert fake_api.send_calls == 0

    clock.advance(LEASE)
    assert await b.deliverer.deliver_due() == 1
    clock.advance(timedelta(minutes=5))
    assert await a.deliverer.deliver_due() + await b.deliverer.deliver_due() == 0
    [sent] = fake_api.sent
    assert sent.touser == OPENID and "500" in sent.content
    [(done, attempts)] = await outbox(shared_store)
    assert done.id == claimed.id and done.status == "sent"
    assert [t.result for t in attempts] == ["sending", "sent"]  # a's attempt never ended
    assert b.slow.calls == 0


async def test_the_normal_late_path_delivers_exactly_once(
    replica: MakeReplica, fake_api: FakeWechatApi, shared_store: FakeStore, clock: Clock
) -> None:
    a = await replica()
    loop = asyncio.create_task(a.deliverer.run(poll_seconds=0.05))
    try:
        msg_id = wire.next_msg_id()
        xml = wire.text(OPENID, QUESTION, msg_id=msg_id)
        await answered_late(a, xml)
        [sent] = await fake_api.wait_sent(1)  # woken by the queueing: no poll, no lease
        retries = await asyncio.gather(*(a.bot.post(xml) for _ in range(3)))
        assert [r.text for r in retries] == ["success"] * 3
        await a.settle()
        event = Incoming(
            MerchantKey("wechat", OPENID), "text", QUESTION, delivery_key=f"msg:{msg_id}"
        )
        assert await a.service.queue_answer(event)  # already queued: no second item
        clock.advance(timedelta(minutes=5))
        assert await a.deliverer.deliver_due() == 0
    finally:
        loop.cancel()
        await asyncio.gather(loop, return_exceptions=True)
    assert fake_api.sent == [sent] and fake_api.send_calls == 1
    assert sent.touser == OPENID and "500" in sent.content
    [(done, attempts)] = await outbox(shared_store)
    assert (done.status, done.attempts) == ("sent", 1) and len(attempts) == 1
    assert a.slow.calls == 1


async def test_a_replica_that_lost_the_message_queues_nothing(
    replica: MakeReplica,
    fake_api: FakeWechatApi,
    shared_store: FakeStore,
    make_redis: MakeShared,
) -> None:
    a = await replica()
    msg_id = wire.next_msg_id()
    first = asyncio.create_task(a.bot.post(wire.text(OPENID, QUESTION, msg_id=msg_id)))
    while a.slow.calls == 0:  # A holds the claim and is answering
        await asyncio.sleep(0.01)
    # Meanwhile another replica took the message over (A stalled) and answered it passively:
    # A, past its budget, says "success" and hands its answer over, but must not queue it.
    assert await make_redis().claim(answer_key(f"msg:{msg_id}"), KEEP_SECONDS, "passive:theirs")
    assert (await first).text in ("success", "theirs")
    a.slow.gate.set()
    await a.settle()
    assert await a.deliverer.deliver_due() == 0
    assert await outbox(shared_store) == [] and fake_api.send_calls == 0
