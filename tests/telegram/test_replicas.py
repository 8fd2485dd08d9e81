"""Replicas of the Telegram channel: one polls getUpdates (a PostgreSQL advisory lock; another
takes over when it stops), and their sends share one pace in Redis (REDIS_URL)."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Sequence

from bot.channels.telegram import TelegramChannel, build_channel
from bot.channels.telegram.pacing import Limits, Rate
from bot.channels.telegram.sends import SendText
from bot.storage.leader import AdvisoryLock
from tests.sharedstate import MakeShared, make_redis
from tests.storage.conftest import PG_URL
from tests.telegram import builders as b
from tests.telegram.conftest import Harness, VirtualClock, fast_config
from tests.telegram.fake_api import Call, FakeBotApi

__all__ = ["make_redis"]

LEAD_RETRY = 0.1  # seconds between a standby's tries (production: a few seconds)


async def test_one_replica_polls_and_another_takes_over_when_it_stops(harness: Harness) -> None:
    name = f"telegram-poller-test-{uuid.uuid4().hex}"  # a lock of this test's own
    service = harness.service()
    channels = [
        build_channel(
            fast_config(harness.fake, harness.framework),
            service,
            leadership=AdvisoryLock(PG_URL, name),
            lead_retry=LEAD_RETRY,
        )
        for _ in range(2)
    ]
    for channel in channels:
        await channel.start()
    await harness.fake.wait_until(lambda: any(c.leading for c in channels), timeout=10)
    await asyncio.sleep(5 * LEAD_RETRY)  # the standby has tried, and been refused, a few times
    [leader] = [c for c in channels if c.leading]
    [standby] = [c for c in channels if not c.leading]
    assert standby.status()["polling"] == "standby" and leader.status()["polling"] == "leader"

    await harness.fake.add_update(b.text(7001, "How long until I get paid?"))
    await harness.fake.wait_until(lambda: len(harness.fake.delivered(7001)) >= 1)
    assert not standby.leading

    await leader.stop()  # the leader goes away: its lock with it
    await harness.fake.wait_until(lambda: standby.leading, timeout=10)
    await harness.fake.add_update(b.text(7002, "How long until I get paid?"))
    await harness.fake.wait_until(lambda: len(harness.fake.delivered(7002)) >= 1)
    await standby.stop()
    assert len(harness.fake.delivered(7001)) == 1  # answered once, by one of them
    assert len([m for m in harness.store.committed.messages if m.direction == "in"]) == 2


async def test_two_replicas_sending_together_stay_within_the_shared_limits(
    fake: FakeBotApi, framework: str, harness: Harness, make_redis: MakeShared
) -> None:
    # Virtual time: the fake stamps each call with the clock the limits are counted on.
    clock = VirtualClock()
    fake.clock = clock
    limits = Limits(per_chat=Rate(1, 1.0), overall=Rate(5, 1.0), per_group=Rate(3, 60.0))
    config = fast_config(fake, framework, limits=limits)
    replicas: list[TelegramChannel] = []
    for _ in range(2):
        channel = build_channel(
            config,
            harness.service(),
            clock=clock,
            sleep=clock.sleep,
            shared=make_redis(clock),
        )
        await channel.api.start()
        replicas.append(channel)
    group = -1009876543210
    users = [8000 + i for i in range(12)]
    try:
        chats = [*users, *[group] * 6]  # each replica sends every other one
        sends = [
            replicas[i % 2].sender.deliver(chat, [SendText(chat, str(i))])
            for i, chat in enumerate(chats)
        ]
        await asyncio.gather(*sends)
    finally:
        for replica in replicas:
            await replica.api.close()
    calls = [c for c in fake.calls if c.method.lower() == "sendmessage"]
    assert len(calls) == 18
    within(calls, 5, 1.0)  # the fleet's overall limit, not 2 x 5
    within([c for c in calls if str(c.params["chat_id"]) == str(group)], 3, 60.0)


def within(calls: Sequence[Call], count: int, seconds: float) -> None:
    """No ``count + 1`` calls in any window of ``seconds``."""
    times = sorted(c.at for c in calls)
    for i in range(len(times) - count):
        assert times[i] + seconds <= times[i + count], (times, i)
