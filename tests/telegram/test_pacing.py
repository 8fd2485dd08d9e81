"""The rate limiter on a virtual clock: per chat, overall and per group."""

from __future__ import annotations

import asyncio

from bot.channels.telegram.pacing import Limits, Rate, RateLimiter


class Clock:
    """Virtual time: ``sleep`` advances it at once."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += seconds
        await asyncio.sleep(0)


async def times(limiter: RateLimiter, clock: Clock, chats: list[int]) -> list[float]:
    out = []
    for chat in chats:
        await limiter.acquire(chat)
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
        await limiter.acquire(chat)
        granted.append(clock.now)

    await asyncio.gather(*(send(c) for c in range(1, 8)))
    assert sorted(granted) == [0.0] * 3 + [1.0] * 3 + [2.0]


async def test_idle_chats_are_forgotten() -> None:
    clock = Clock()
    limiter = RateLimiter(Limits(overall=Rate(10_000, 1.0)), clock=clock, sleep=clock.sleep)
    for chat in range(1, 1500):
        await limiter.acquire(chat)
    clock.now += 5
    await limiter.acquire(1)
    assert len(limiter._chats) < 10  # the bound is the point
