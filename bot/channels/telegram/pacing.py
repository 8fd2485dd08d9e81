"""Outgoing pace within Telegram's limits: per chat, per group and for the whole bot.

Telegram's guidance: about one message per second in a chat, 30 per second overall, 20 per
minute in a group. Going faster earns 429s; waiting here is cheaper than waiting there.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

PRUNE_AT = 1000  # chats tracked before idle ones are forgotten


@dataclass(frozen=True)
class Rate:
    """At most ``count`` sends in any ``seconds`` long window."""

    count: int
    seconds: float


@dataclass(frozen=True)
class Limits:
    """The three limits (tests shrink the windows)."""

    per_chat: Rate = field(default_factory=lambda: Rate(1, 1.0))
    overall: Rate = field(default_factory=lambda: Rate(30, 1.0))
    per_group: Rate = field(default_factory=lambda: Rate(20, 60.0))


class _Window:
    """Send times within the last window of one rate."""

    def __init__(self, rate: Rate) -> None:
        self.rate = rate
        self.times: deque[float] = deque()

    def wait(self, now: float) -> float:
        while self.times and self.times[0] <= now - self.rate.seconds:
            self.times.popleft()
        if len(self.times) < self.rate.count:
            return 0.0
        return self.times[0] + self.rate.seconds - now

    def idle(self, now: float) -> bool:
        return not self.times or self.times[-1] <= now - self.rate.seconds


class RateLimiter:
    """``await acquire(chat_id)`` before each send; returns when all three limits allow it."""

    def __init__(
        self,
        limits: Limits | None = None,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.limits = limits or Limits()
        self._clock = clock
        self._sleep = sleep
        self._overall = _Window(self.limits.overall)
        self._chats: dict[int, _Window] = {}
        self._groups: dict[int, _Window] = {}

    async def acquire(self, chat_id: int) -> None:
        """Wait for a free slot for this chat, then take it."""
        while True:
            now = self._clock()
            windows = self._windows(chat_id)
            wait = max(w.wait(now) for w in windows)
            if wait <= 0:
                for w in windows:
                    w.times.append(now)
                return
            await self._sleep(wait)

    def _windows(self, chat_id: int) -> list[_Window]:
        if len(self._chats) > PRUNE_AT:
            now = self._clock()
            self._chats = {k: w for k, w in self._chats.items() if not w.idle(now)}
            self._groups = {k: w for k, w in self._groups.items() if not w.idle(now)}
        chat = self._chats.setdefault(chat_id, _Window(self.limits.per_chat))
        if chat_id >= 0:  # users have positive ids, groups and channels negative ones
            return [self._overall, chat]
        group = self._groups.setdefault(chat_id, _Window(self.limits.per_group))
        return [self._overall, chat, group]
