"""Outgoing pace within Telegram's limits: per chat, per group and for the whole bot.

Telegram's guidance: about one message per second in a chat, 30 per second overall, 20 per
minute in a group. Going faster earns 429s; waiting here is cheaper than waiting there.

The limits count from when a request was really made, not from when it was allowed: a send
holds its slot while its request is in flight, and the slot's time is when the request
finished (``async with limiter.slot(chat_id): ...``). Telegram receives a request somewhere
between its start and its end, so the next send that waits a window after the previous one's
end cannot reach Telegram within a window of it, however long the first one stalled (in the
HTTP client's queue, on the network, or in a busy event loop).

With ``shared`` (Redis, REDIS_URL) the same three limits are also taken from quotas every
replica of the bot draws on (``Shared.take``: all three at once or none), so N replicas stay
within 30 per second together, not N times 30; a send in flight there counts until it is done
(or ``hold`` seconds, when its replica died mid-send).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

from bot.core.shared import Quota, Shared

PRUNE_AT = 1000  # chats tracked before idle ones are forgotten
# A shared slot of a send that never finished (its replica died) frees then: the whole chat waits
# that long for its next message, so it is a send's usual worst (PTB times out in 5 s, a
# Telegram 429 asks for seconds), not the longest HTTP timeout (60 s, which stretched one chat
# by a minute after a kill in the fleet benchmark); a slower send only risks one early message.
HOLD_SECONDS = 15.0

log = logging.getLogger(__name__)


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
    """One rate's sends: the end times of those that finished within the last window, and
    how many are still in flight (they count as happening now until they finish)."""

    def __init__(self, rate: Rate) -> None:
        self.rate = rate
        self.times: deque[float] = deque()  # in the order they finished: ascending
        self.in_flight = 0

    def wait(self, now: float) -> float | None:
        """Seconds until a send may start; None: only a send in flight finishing frees one."""
        while self.times and self.times[0] + self.rate.seconds <= now:  # the same sum as below:
            self.times.popleft()  # a send still in the window never has a wait of 0
        if len(self.times) + self.in_flight < self.rate.count:
            return 0.0
        if not self.times:
            return None
        return self.times[0] + self.rate.seconds - now

    def idle(self, now: float) -> bool:
        return self.in_flight == 0 and (not self.times or self.times[-1] + self.rate.seconds <= now)


@dataclass(frozen=True)
class Slot:
    """A send allowed by all its limits, in flight until ``RateLimiter.release``."""

    windows: tuple[_Window, ...]


class RateLimiter:
    """``async with limiter.slot(chat_id):`` around each request; the block starts when all
    three limits allow it, and the send counts from when the block ends."""

    def __init__(
        self,
        limits: Limits | None = None,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        shared: Shared | None = None,
        hold: float = HOLD_SECONDS,
    ) -> None:
        self.limits = limits or Limits()
        self._shared, self._hold = shared, hold
        self._clock = clock
        self._sleep = sleep
        self._overall = _Window(self.limits.overall)
        self._chats: dict[int, _Window] = {}
        self._groups: dict[int, _Window] = {}
        self._released: list[asyncio.Future[None]] = []  # waiting for a send to finish

    @asynccontextmanager
    async def slot(self, chat_id: int) -> AsyncIterator[None]:
        """Wait for a free slot for this chat, hold it while the block runs (the request),
        then count the send at the time the block ended, however it ended."""
        taken = await self.acquire(chat_id)
        try:
            if self._shared is None:
                yield
            else:
                quotas = self.quotas(chat_id)
                ticket = await self._take_shared(self._shared, quotas)
                try:
                    yield
                finally:
                    await self._done_shared(self._shared, quotas, ticket)
        finally:
            self.release(taken)

    def quotas(self, chat_id: int) -> list[Quota]:
        """The fleet's quotas a send to this chat draws on (``shared``)."""
        limits = self.limits
        quotas = [
            Quota("telegram:pace:all", limits.overall.count, limits.overall.seconds),
            Quota(f"telegram:pace:chat:{chat_id}", limits.per_chat.count, limits.per_chat.seconds),
        ]
        if chat_id < 0:
            group = limits.per_group
            quotas.append(Quota(f"telegram:pace:group:{chat_id}", group.count, group.seconds))
        return quotas

    async def _take_shared(self, shared: Shared, quotas: list[Quota]) -> str:
        while True:
            try:
                taken = await shared.take(quotas, self._hold)
            except Exception as exc:  # Redis away: this replica's own limits still hold
                log.warning(
                    "telegram: shared pace unavailable", extra={"reason": type(exc).__name__}
                )
                return ""
            if taken.ticket is not None:
                return taken.ticket
            await self._sleep(taken.wait)

    async def _done_shared(self, shared: Shared, quotas: list[Quota], ticket: str) -> None:
        if not ticket:
            return
        try:
            await shared.done(quotas, ticket)
        except Exception as exc:  # the slot frees itself after ``hold``
            log.warning("telegram: shared pace not updated", extra={"reason": type(exc).__name__})

    async def acquire(self, chat_id: int) -> Slot:
        """Wait for a free slot for this chat and take it; ``release`` it when the request
        has finished (or failed)."""
        while True:
            now = self._clock()
            windows = self._windows(chat_id)
            waits = [w.wait(now) for w in windows]
            if all(wait is not None and wait <= 0 for wait in waits):
                for w in windows:
                    w.in_flight += 1
                return Slot(tuple(windows))
            if any(wait is None for wait in waits):
                await self._next_release()
            else:
                await self._sleep(max(wait for wait in waits if wait is not None))

    def release(self, slot: Slot) -> None:
        """The slot's request has finished: it counts from now in each of its windows."""
        now = self._clock()
        for w in slot.windows:
            w.in_flight -= 1
            w.times.append(now)
        released, self._released = self._released, []
        for waiter in released:
            if not waiter.done():
                waiter.set_result(None)

    async def _next_release(self) -> None:
        waiter = asyncio.get_running_loop().create_future()
        self._released.append(waiter)
        await waiter

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
