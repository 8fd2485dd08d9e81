"""Limits on sign-in work: how many password hashes run at once, and attempts per address.

Every argon2 check takes its memory (19 MiB) for its whole run. ``HashGate`` runs them on a few
threads of its own, with a short bounded wait: past that bound a check is refused at once
(``Busy``) instead of queueing, so a flood of sign-ins costs a fixed amount of memory and
answers quickly rather than piling up. ``SlidingWindow`` counts attempts per key (the client's
address) in memory, with a bounded number of keys; ``SharedWindow`` counts them in the state
the replicas share (``REDIS_URL``), so a fleet allows an address the limit once, not once per
replica.
"""

from __future__ import annotations

import asyncio
import logging
import math
import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Protocol, TypeVar

from bot.core.shared import Quota, Shared

log = logging.getLogger(__name__)

T = TypeVar("T")

HASHES_AT_ONCE = 2  # 2 x 19 MiB; on the 2-vCPU box each takes ~18 ms, so ~110 checks a second
HASHES_WAITING = 8  # a burst of 10 is served within ~100 ms; more than that is refused at once
ATTEMPTS = 10  # sign-in attempts per address...
WINDOW = 60.0  # ...per this many seconds
ADDRESSES = 4096  # addresses remembered (a few hundred bytes each at most)
SIGN_IN_KEY = "staff-sign-in:"  # + the address: a shared quota's key


class Busy(Exception):
    """Too many password checks are running or waiting: refused without waiting."""


class HashGate:
    """Runs password hashes on ``running`` threads of its own, ``waiting`` more queued at most.

    The bound holds even when a caller stops waiting (a client that hangs up): a check counts
    until its thread has finished it, not until its caller gives up.
    """

    def __init__(self, running: int = HASHES_AT_ONCE, waiting: int = HASHES_WAITING) -> None:
        if running < 1 or waiting < 0:
            raise ValueError("a gate needs at least one thread and a non-negative queue")
        self.running, self.waiting = running, waiting
        self._executor = ThreadPoolExecutor(max_workers=running, thread_name_prefix="argon2")
        self._lock = threading.Lock()
        self._admitted = 0

    @property
    def admitted(self) -> int:
        """Checks running or waiting now."""
        return self._admitted

    def submit(self, work: Callable[[], T]) -> Future[T]:
        """Queue ``work`` on the gate's threads, or raise ``Busy`` when the gate is full."""
        with self._lock:
            if self._admitted >= self.running + self.waiting:
                raise Busy
            self._admitted += 1
        try:
            future = self._executor.submit(work)
        except BaseException:
            self._release()
            raise
        future.add_done_callback(self._release)  # on the worker thread, once the work is done
        return future

    async def run(self, work: Callable[[], T]) -> T:
        """``work``'s result, computed off the event loop; ``Busy`` when the gate is full."""
        return await asyncio.wrap_future(self.submit(work))

    def _release(self, _: object = None) -> None:
        with self._lock:
            self._admitted -= 1


class AttemptLimit(Protocol):
    """Counts attempts per key: what the sign-in form asks before it checks a password."""

    async def check(self, key: str) -> int | None:
        """Count an attempt by ``key``: None when allowed, else the whole seconds to wait."""
        ...


class SlidingWindow:
    """At most ``limit`` attempts per key in any ``window`` seconds, kept in memory.

    At most ``max_keys`` keys are remembered: a new key beyond that forgets the key least
    recently seen, so a flood of distinct addresses cannot grow the table (it can only make it
    forget an address's history sooner, which no per-address limit can prevent anyway).
    """

    def __init__(
        self,
        limit: int = ATTEMPTS,
        window: float = WINDOW,
        *,
        max_keys: int = ADDRESSES,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if limit < 1 or window <= 0 or max_keys < 1:
            raise ValueError("a sliding window needs a positive limit, window and size")
        self.limit, self.window, self.max_keys = limit, window, max_keys
        self._clock = clock
        self._seen: OrderedDict[str, deque[float]] = OrderedDict()

    def __len__(self) -> int:
        return len(self._seen)

    def attempt(self, key: str) -> int | None:
        """Count an attempt by ``key``: None when allowed, else the whole seconds to wait.

        A refused attempt is not counted: the wait does not grow while a client keeps trying.
        """
        now = self._clock()
        times = self._seen.get(key)
        if times is None:
            while len(self._seen) >= self.max_keys:
                self._seen.popitem(last=False)
            times = self._seen[key] = deque(maxlen=self.limit)
        else:
            self._seen.move_to_end(key)
        while times and times[0] <= now - self.window:
            times.popleft()
        if len(times) >= self.limit:
            return max(1, math.ceil(times[0] + self.window - now))
        times.append(now)
        return None

    async def check(self, key: str) -> int | None:
        """``attempt``, as ``AttemptLimit`` asks."""
        return self.attempt(key)


class SharedWindow:
    """At most ``limit`` attempts per key in any ``window`` seconds, counted in ``Shared``: one
    rate quota per key, so every replica counts against the same window.

    The keys expire with their window (the store's own TTL), so there is no table to bound.
    """

    def __init__(self, shared: Shared, limit: int = ATTEMPTS, window: float = WINDOW) -> None:
        if limit < 1 or window <= 0:
            raise ValueError("a sliding window needs a positive limit and window")
        self.shared, self.limit, self.window = shared, limit, window
        # Redis unreachable: this replica keeps counting alone rather than refusing sign-in
        self.fallback = SlidingWindow(limit, window)

    async def check(self, key: str) -> int | None:
        """Count an attempt by ``key``: None when allowed, else the whole seconds to wait.

        A refused attempt is not counted (``take`` takes nothing it refuses), as in memory.
        """
        quota = Quota(SIGN_IN_KEY + key, self.limit, self.window)
        try:
            # hold 0: an attempt counts from when it is made, not from when its check finishes
            taken = await self.shared.take([quota], hold=0.0)
        except Exception as exc:  # the shared store is down: sign-in still works, counted here
            log.warning("sign-in limit counted in this replica", extra={"error": repr(exc)})
            return await self.fallback.check(key)
        if taken.ticket is not None:
            return None
        return max(1, math.ceil(taken.wait))
