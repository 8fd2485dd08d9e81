"""The ``Shared`` contract on both implementations: in memory and the real Redis."""

from __future__ import annotations

import asyncio

import pytest

from bot.core.shared import MemoryShared, Quota, Shared
from tests.sharedstate import MakeShared, make_redis

__all__ = ["make_redis"]


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture(params=["memory", "redis"])
def shared_and_clock(
    request: pytest.FixtureRequest, make_redis: MakeShared
) -> tuple[Shared, Clock]:
    clock = Clock()
    if request.param == "memory":
        return MemoryShared(clock), clock
    return make_redis(clock), clock


async def test_one_claim_wins(shared_and_clock: tuple[Shared, Clock]) -> None:
    shared, _ = shared_and_clock
    won = await asyncio.gather(*(shared.claim("k", 30) for _ in range(5)))
    assert sorted(won) == [False, False, False, False, True]


async def test_values_counters_and_conditional_delete(
    shared_and_clock: tuple[Shared, Clock],
) -> None:
    shared, _ = shared_and_clock
    assert await shared.get("v") is None
    await shared.set("v", "one", 60)
    held = await shared.get("v")
    assert held is not None and held.value == "one" and 0 < held.ttl <= 60
    assert not await shared.delete("v", "two")
    assert await shared.delete("v", "one")
    assert await shared.get("v") is None
    assert [await shared.incr("n", 60) for _ in range(3)] == [1, 2, 3]


async def test_quotas_are_taken_all_or_none_and_count_from_done(
    shared_and_clock: tuple[Shared, Clock],
) -> None:
    shared, clock = shared_and_clock
    overall, group = Quota("all", 3, 1.0), Quota("group", 2, 60.0)
    first = await shared.take([overall, group], hold=30)
    second = await shared.take([overall, group], hold=30)
    assert first.ticket and second.ticket
    refused = await shared.take([overall, group], hold=30)  # the group is full (in flight)
    assert refused.ticket is None and refused.wait > 0
    assert (await shared.take([overall], hold=30)).ticket  # the overall one was not taken
    assert (await shared.take([overall], hold=30)).ticket is None  # now it is full
    clock.now += 0.5
    await shared.done([overall, group], first.ticket)
    await shared.done([overall, group], second.ticket)
    later = await shared.take([group], hold=30)
    assert later.ticket is None and later.wait == pytest.approx(60.0)  # from when it was done
    clock.now += 60.0
    assert (await shared.take([group], hold=30)).ticket


# Redis expires keys on its own clock: a lease that "runs out" is deleted here instead.


async def test_a_claim_is_renewed_only_by_its_owner(shared_and_clock: tuple[Shared, Clock]) -> None:
    shared, _ = shared_and_clock
    assert await shared.claim("lease", 6, "a")
    assert await shared.renew("lease", "a", 60)
    held = await shared.get("lease")
    assert held is not None and held.value == "a" and 6 < held.ttl <= 60
    assert await shared.delete("lease")  # a stalled past its lease; b takes the lease over
    assert await shared.claim("lease", 6, "b")
    assert not await shared.renew("lease", "a", 60)  # a wakes up: the lease stays b's
    held = await shared.get("lease")
    assert held is not None and held.value == "b" and held.ttl <= 6
    assert await shared.delete("lease", "b")
    assert await shared.renew("lease", "a", 6)  # nobody holds it: a takes it again


async def test_a_fenced_claim_is_won_once_and_only_while_owning_the_fence(
    shared_and_clock: tuple[Shared, Clock],
) -> None:
    shared, _ = shared_and_clock
    assert await shared.claim("lease", 6, "a")
    assert await shared.delete("lease")  # a's lease ran out, and b took it over
    assert await shared.claim("lease", 6, "b")
    assert not await shared.claim_fenced("answer", "late", 60, fence="lease", token="a")
    assert await shared.get("answer") is None
    won = await asyncio.gather(
        *(shared.claim_fenced("answer", f"b{i}", 60, fence="lease", token="b") for i in range(4))
    )
    assert sorted(won) == [False, False, False, True]
    assert await shared.delete("lease")  # nobody holds the lease: its last owner may answer
    assert not await shared.claim_fenced("answer", "again", 60, fence="lease", token="b")
    assert await shared.claim_fenced("other", "x", 60, fence="lease", token="a")
    held = await shared.get("other")
    assert held is not None and held.value == "x"
