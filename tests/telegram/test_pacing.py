"""The rate limiter on a virtual clock: per chat, overall and per group, counted from when each
request really ended (a stalled request cannot make the next ones bunch up behind it)."""

from __future__ import annotations

import asyncio
import bisect
import heapq
import itertools
import random

import pytest

from bot.channels.telegram.pacing import Limits, Rate, RateLimiter


class Clock:
    """Virtual time for one task at a time: ``sleep`` advances it at once."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += seconds
        await asyncio.sleep(0)


class Timeline:
    """Virtual time for many tasks: time moves only when every task waits, to the earliest
    wake-up; nothing here depends on how fast the machine is."""

    def __init__(self) -> None:
        self.now = 0.0
        self._sleepers: list[tuple[float, int, asyncio.Future[None]]] = []
        self._order = itertools.count()

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        wake: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        heapq.heappush(self._sleepers, (self.now + max(seconds, 0.0), next(self._order), wake))
        await wake

    async def run(self, *coros: object) -> None:
        tasks = [asyncio.ensure_future(c) for c in coros]  # type: ignore[call-overload]
        while True:
            for _ in range(50):  # let every task that can go on, go on
                await asyncio.sleep(0)
            if all(t.done() for t in tasks):
                break
            assert self._sleepers, "every task is waiting, none on the clock: a deadlock"
            until = self._sleepers[0][0]
            self.now = max(self.now, until)
            while self._sleepers and self._sleepers[0][0] <= self.now:
                heapq.heappop(self._sleepers)[2].set_result(None)
        await asyncio.gather(*tasks)


# Stalls in 1/64 s steps: their sums are exact, so the checks compare exact times.
BEFORE = [0.0, 0.0, 1 / 64, 13 / 64, 58 / 64, 3.0]  # a request on its way to Telegram
AFTER = [0.0, 3 / 64, 32 / 64, 2.0]  # its answer on the way back


async def times(limiter: RateLimiter, clock: Clock, chats: list[int]) -> list[float]:
    out = []
    for chat in chats:
        async with limiter.slot(chat):
            out.append(round(clock.now, 6))
    return out


async def test_one_message_per_second_per_chat_others_not_held_up() -> None:
    clock = Clock()
    limiter = RateLimiter(Limits(), clock=clock, sleep=clock.sleep)
    assert await times(limiter, clock, [1, 2, 3, 1, 1]) == [0.0, 0.0, 0.0, 1.0, 2.0]


async def test_thirty_per_second_overall() -> None:
    clock = Clock()
    limiter = RateLimiter(Limits(), clock=clock, sleep=clock.sleep)
    sent = await times(limiter, clock, list(range(1, 62)))
    assert sent[:30] == [0.0] * 30 and sent[30:60] == [1.0] * 30 and sent[60] == 2.0


async def test_twenty_per_minute_in_a_group() -> None:
    clock = Clock()
    limiter = RateLimiter(Limits(per_chat=Rate(100, 1.0)), clock=clock, sleep=clock.sleep)
    assert await times(limiter, clock, [-100] * 20 + [5, -200]) == [0.0] * 22  # others go on
    assert await times(limiter, clock, [-100]) == [60.0]


async def test_concurrent_senders_share_the_overall_limit() -> None:
    clock = Clock()
    limiter = RateLimiter(Limits(overall=Rate(3, 1.0)), clock=clock, sleep=clock.sleep)
    granted: list[float] = []

    async def send(chat: int) -> None:
        async with limiter.slot(chat):
            granted.append(clock.now)

    await asyncio.gather(*(send(c) for c in range(1, 8)))
    assert sorted(granted) == [0.0] * 3 + [1.0] * 3 + [2.0]


async def test_after_a_stall_two_sends_to_one_chat_are_still_the_pace_apart() -> None:
    clock = Clock()
    limiter = RateLimiter(Limits(), clock=clock, sleep=clock.sleep)
    received: list[float] = []

    async def send(stall: float) -> None:
        async with limiter.slot(1):
            await clock.sleep(stall)  # the request waits (client queue, busy loop, network)
            received.append(clock.now)  # ... and reaches Telegram only now

    await send(5.0)  # allowed at 0, really sent at 5
    await send(0.0)  # counting from 0 would let this one go at 5 too: two at once
    assert received == [5.0, 6.0]


async def test_a_send_in_flight_holds_its_slot_until_it_ends() -> None:
    timeline = Timeline()
    limiter = RateLimiter(Limits(overall=Rate(2, 1.0)), clock=timeline, sleep=timeline.sleep)
    started: dict[int, float] = {}

    async def send(chat: int, takes: float) -> None:
        async with limiter.slot(chat):
            started[chat] = timeline.now
            await timeline.sleep(takes)

    await timeline.run(send(1, 10.0), send(2, 10.0), send(3, 0.0))
    assert started == {1: 0.0, 2: 0.0, 3: 11.0}  # both slots busy until 10, free a second later


async def test_a_failed_request_counts_too() -> None:
    clock = Clock()
    limiter = RateLimiter(Limits(), clock=clock, sleep=clock.sleep)
    with pytest.raises(ConnectionError):
        async with limiter.slot(1):
            await clock.sleep(0.5)
            raise ConnectionError("it may have reached Telegram all the same")
    assert await times(limiter, clock, [1]) == [1.5]


async def test_limits_hold_over_any_sliding_window_whatever_the_stalls() -> None:
    """400 chats and a group sending at once, with requests that stall at random: at Telegram,
    no second has more than 30 messages, no chat two within a second, no minute more than
    20 in the group."""
    timeline = Timeline()
    limiter = RateLimiter(Limits(), clock=timeline, sleep=timeline.sleep)
    rng = random.Random(15)
    received: dict[int, list[float]] = {}
    group = -1001234567890

    async def chat_queue(chat: int, messages: int) -> None:  # one at a time, as the Sender does
        for _ in range(messages):
            async with limiter.slot(chat):
                await timeline.sleep(rng.choice(BEFORE))  # the request on its way
                received.setdefault(chat, []).append(timeline.now)  # Telegram has it
                await timeline.sleep(rng.choice(AFTER))  # the answer on its way back

    chats = [*range(1, 401), group]
    await timeline.run(*(chat_queue(c, 45 if c == group else 3) for c in chats))

    everything = sorted(t for chat in chats for t in received[chat])
    assert len(everything) == 400 * 3 + 45
    for i, start in enumerate(everything):  # the second that starts at each message
        assert bisect.bisect_left(everything, start + 1.0) - i <= 30, start
    for chat in chats:
        assert all(b - a >= 1.0 for a, b in itertools.pairwise(received[chat])), chat
    in_group = received[group]
    for i, start in enumerate(in_group):
        assert bisect.bisect_left(in_group, start + 60.0) - i <= 20, start


async def test_idle_chats_are_forgotten() -> None:
    clock = Clock()
    limiter = RateLimiter(Limits(overall=Rate(10_000, 1.0)), clock=clock, sleep=clock.sleep)
    for chat in range(1, 1500):
        async with limiter.slot(chat):
            pass
    clock.now += 5
    async with limiter.slot(1):
        pass
    assert len(limiter._chats) < 10  # the bound is the point
