"""Webhook replicas behind one URL (issue 16): an update is answered by the replica that claims
it in ``Shared``. A retry reaching another replica while the first is still answering gets a
503 and sends nothing; once the answer went out the claim is released and a retry is not
answered again; a dead replica's claim lapses and a retry elsewhere sends the answer once.
Both with one ``MemoryShared`` in the process and with the real Redis, one client a replica."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import aiohttp
import pytest

from bot.channels.telegram import TelegramChannel
from bot.channels.telegram.claims import Claims
from bot.channels.telegram.sends import SendRequest
from bot.channels.telegram.webhook import SECRET_HEADER
from bot.core.shared import MemoryShared, Shared
from tests.sharedstate import MakeShared, make_redis
from tests.telegram import builders as b
from tests.telegram.conftest import SECRET, Harness, wait_for

__all__ = ["make_redis"]

pytestmark = pytest.mark.slow

MERCHANT = 6101
QUESTION = "How much is the security deposit?"
LEASE, RENEW = 0.5, 0.1  # a short lease for the takeover test (production: 10 s, 3 s)


@pytest.fixture(params=["memory", "redis"])
def fleet(request: pytest.FixtureRequest, make_redis: MakeShared) -> Callable[[], Shared]:
    """Each call: the ``Shared`` of one more replica (one MemoryShared for all, or a Redis
    client of its own on this test's prefix)."""
    if request.param == "memory":
        one = MemoryShared()
        return lambda: one
    return make_redis


class Gate:
    """Holds a replica's sends until opened: its answer is slow."""

    def __init__(self, channel: TelegramChannel) -> None:
        self.reached, self.opened = asyncio.Event(), asyncio.Event()
        send = channel.api.send

        async def held(request: SendRequest) -> int:
            self.reached.set()
            await self.opened.wait()
            return await send(request)

        channel.api.send = held  # type: ignore[method-assign]


async def replica(
    harness: Harness, shared: Shared, lease: float | None = None, renew: float = RENEW
) -> TelegramChannel:
    """A webhook replica served on a port of its own, on the harness's store and fake API;
    ``lease``: its claims' lease instead of the default."""

    def make(config: Any) -> TelegramChannel:
        channel = harness.build(config, harness.service(), shared=shared)
        if lease is not None:  # before its routes are made
            channel.claims = Claims(shared, config.bot_id, lease=lease, renew_every=renew)
        return channel

    return await harness._webhook(make)


async def push(channel: TelegramChannel, update: dict[str, Any]) -> int:
    """POST an update to this replica's webhook, as Telegram does; the HTTP status."""
    async with aiohttp.ClientSession() as session:
        headers = {SECRET_HEADER: SECRET}
        async with session.post(channel.config.webhook_url, json=update, headers=headers) as r:
            await r.read()
            return r.status


def inbound(harness: Harness) -> int:
    """How many times the merchant's question was stored."""
    messages = harness.store.committed.messages
    return sum(m.direction == "in" and m.text == QUESTION for m in messages)


async def crash(harness: Harness, channel: TelegramChannel) -> None:
    """End a replica as SIGKILL would: its claims no longer renewed nor released, its sends
    never made, nothing recorded."""
    harness.channels.remove(channel)
    assert channel.claims is not None
    keepers = list(channel.claims._keeping)
    for task in keepers:  # first: a keeper that saw its answer end would release the claim
        task.cancel()
    await asyncio.gather(*keepers, return_exceptions=True)
    channel.sender._on_failure = None
    work: list[asyncio.Future[Any]] = [
        *channel.claims._working.values(),
        *channel.sender._workers.values(),
        *channel.intake._answers.values(),
    ]
    for future in work:
        future.cancel()
    await asyncio.gather(*work, return_exceptions=True)
    await channel.api.close()


async def test_a_retry_on_another_replica_while_the_first_answers_gets_503(
    harness: Harness, fleet: Callable[[], Shared]
) -> None:
    first, second = await replica(harness, fleet()), await replica(harness, fleet())
    gate = Gate(first)
    update = harness.fake.new_update(b.text(MERCHANT, QUESTION))
    answering = asyncio.create_task(push(first, update))
    await gate.reached.wait()  # stored and answered by the core, the answer on its way
    assert inbound(harness) == 1

    assert await push(second, update) == 503  # Telegram's retry, while the first answers
    assert await push(second, update) == 503
    assert inbound(harness) == 1
    assert harness.fake.sent(MERCHANT) == []

    gate.opened.set()
    assert await answering == 200  # sent, recorded as sent, and the claim released
    assert harness.fake.texts(MERCHANT) == [harness.answer(QUESTION)]
    assert await push(second, update) == 200  # a later retry: the stored, sent answer
    assert await push(first, update) == 200
    assert harness.fake.texts(MERCHANT) == [harness.answer(QUESTION)]  # once
    assert len(harness.fake.sent(MERCHANT)) == 1
    assert inbound(harness) == 1


async def test_a_repeat_on_the_replica_answering_joins_its_answer(
    harness: Harness, fleet: Callable[[], Shared]
) -> None:
    first = await replica(harness, fleet())
    gate = Gate(first)
    update = harness.fake.new_update(b.text(MERCHANT, QUESTION))
    answering = asyncio.create_task(push(first, update))
    await gate.reached.wait()
    again = asyncio.create_task(push(first, update))  # waits for the same answer, not a 503
    await asyncio.sleep(0.05)
    assert not again.done()
    gate.opened.set()
    assert list(await asyncio.gather(answering, again)) == [200, 200]
    assert harness.fake.texts(MERCHANT) == [harness.answer(QUESTION)]
    assert inbound(harness) == 1


async def test_a_dead_replicas_claim_lapses_and_a_retry_sends_the_answer_once(
    harness: Harness, fleet: Callable[[], Shared]
) -> None:
    first = await replica(harness, fleet(), lease=LEASE)
    second = await replica(harness, fleet(), lease=LEASE)
    gate = Gate(first)  # never opened: the answer never leaves the first replica
    update = harness.fake.new_update(b.text(MERCHANT, QUESTION))
    answering = asyncio.create_task(push(first, update))
    await gate.reached.wait()
    await crash(harness, first)
    await asyncio.gather(answering, return_exceptions=True)  # its connection went with it
    assert harness.fake.sent(MERCHANT) == []

    # Telegram retries until a replica takes the update; once the lease lapsed, one does.
    status = 503
    while status == 503:
        status = await push(second, update)
        if status == 503:
            await asyncio.sleep(RENEW)
    assert status == 200
    assert harness.fake.texts(MERCHANT) == [harness.answer(QUESTION)]  # the stored answer
    assert await push(second, update) == 200  # recorded as sent this time: not again
    assert harness.fake.texts(MERCHANT) == [harness.answer(QUESTION)]
    assert inbound(harness) == 1


async def test_a_claim_is_released_when_storing_failed(
    harness: Harness, fleet: Callable[[], Shared]
) -> None:
    first, second = await replica(harness, fleet()), await replica(harness, fleet())
    broken = first.intake._conversation

    class Down:
        async def handle(self, event: object) -> object:
            raise ConnectionError("database unavailable")

    first.intake._conversation = Down()  # type: ignore[assignment]
    update = harness.fake.new_update(b.text(MERCHANT, QUESTION))
    assert await push(first, update) == 500
    first.intake._conversation = broken
    assert await push(second, update) == 200  # not held back by the failed replica's claim
    await wait_for(lambda: len(harness.fake.delivered(MERCHANT)) == 1)
    assert harness.fake.texts(MERCHANT) == [harness.answer(QUESTION)]
    assert inbound(harness) == 1


async def test_without_shared_state_nothing_is_claimed(harness: Harness) -> None:
    channel = await harness.webhook()
    assert channel.claims is None
    assert await push(channel, harness.fake.new_update(b.text(MERCHANT, QUESTION))) == 200
    assert harness.fake.texts(MERCHANT) == [harness.answer(QUESTION)]


def test_a_lease_must_outlast_its_renewals() -> None:
    with pytest.raises(ValueError, match="renewed"):
        Claims(MemoryShared(), "1", lease=1.0, renew_every=1.0)
