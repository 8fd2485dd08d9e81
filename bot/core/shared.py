"""State the replicas of one bot share: claims, values and rates that expire (issue 16).

``Shared`` is the port: a claim that only one caller wins (``claim``), kept alive by its owner
(``renew``: a compare-and-set on the owner's token, so a caller whose lease ran out and was
taken over cannot take it back), a claim fenced by another (``claim_fenced``: won only while
the caller still owns a lease), values with a time to live (``get``/``set``/``delete``),
counters (``incr``) and rate quotas over sliding windows (``take``/``done``: all of a
request's quotas at once, or none). With ``REDIS_URL`` set the
composition root hands the channels the Redis implementation (``bot/shared/redis_store.py``),
which every replica sees; ``MemoryShared`` is the same contract inside one process (one
replica, and the tests).

``Leadership`` is the other port: one replica of the fleet does a job (Telegram's getUpdates)
while it holds a lock; ``bot/storage/leader.py`` takes a PostgreSQL advisory lock. Without one
(SQLite: a single replica) every replica leads.
"""

from __future__ import annotations

import bisect
import itertools
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import NamedTuple, Protocol


@dataclass(frozen=True)
class Quota:
    """At most ``count`` requests under ``key`` in any ``seconds`` long window."""

    key: str
    count: int
    seconds: float


class Held(NamedTuple):
    """A stored value and the seconds it has left."""

    value: str
    ttl: float


class Taken(NamedTuple):
    """The answer of ``Shared.take``: a ticket (the request may go), or how long to wait."""

    ticket: str | None
    wait: float


class Shared(Protocol):
    """Expiring state shared by every replica; keys are plain strings."""

    async def claim(self, key: str, ttl: float, value: str = "1") -> bool:
        """Set ``key`` for ``ttl`` seconds unless it is set: True for the one caller that set it."""
        ...

    async def renew(self, key: str, value: str, ttl: float) -> bool:
        """Keep ``key`` ``ttl`` more seconds while it holds ``value`` (take it when unset);
        False when another caller holds it."""
        ...

    async def claim_fenced(
        self, key: str, value: str, ttl: float, *, fence: str, token: str
    ) -> bool:
        """``claim`` only while ``fence`` holds ``token`` or nothing, in one atomic step: a
        caller whose lease (``fence``) another caller took over can no longer win ``key``."""
        ...

    async def get(self, key: str) -> Held | None:
        """The value of ``key`` and its time left, or None."""
        ...

    async def set(self, key: str, value: str, ttl: float) -> None:
        """Set ``key`` for ``ttl`` seconds, whatever it held."""
        ...

    async def delete(self, key: str, value: str | None = None) -> bool:
        """Delete ``key`` (only while it holds ``value``, when given); True if it was deleted."""
        ...

    async def incr(self, key: str, ttl: float) -> int:
        """Add one to the counter ``key`` (it lives ``ttl`` seconds from its first count)."""
        ...

    async def take(self, quotas: Sequence[Quota], hold: float) -> Taken:
        """Take one request from every quota at once if all allow it, else none.

        A request taken counts as happening now until ``done`` (at most ``hold`` seconds);
        then it counts from when ``done`` was called. Refused: ``wait`` is the time until the
        oldest request counted leaves its window (a short pause when only requests still in
        flight fill it)."""
        ...

    async def done(self, quotas: Sequence[Quota], ticket: str) -> None:
        """The request of ``ticket`` has finished: it counts from now in each quota."""
        ...

    async def close(self) -> None:
        """Release the connection, if any."""
        ...


class Leadership(Protocol):
    """One replica at a time holds it (a lock on a connection that dies with the replica)."""

    async def try_lead(self) -> bool:
        """Take the lead if nobody holds it (True also while this replica holds it)."""
        ...

    async def still_leading(self) -> bool:
        """Whether this replica still holds the lead (False: its connection was lost)."""
        ...

    async def resign(self) -> None:
        """Give the lead up (another replica takes it over at its next try)."""
        ...


Elect = Callable[[str], Leadership]  # a leadership per job name ("telegram-poller:<bot id>")

IN_FLIGHT_POLL = 0.05  # seconds to wait when only requests in flight fill a quota


class MemoryShared:
    """``Shared`` inside one process: what one replica needs, and the contract's reference."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._values: dict[str, tuple[str, float]] = {}  # key -> (value, expires at)
        self._windows: dict[str, list[tuple[float, str]]] = {}  # key -> sorted (at, ticket)
        self._tickets = itertools.count(1)

    def _live(self, key: str) -> tuple[str, float] | None:
        held = self._values.get(key)
        if held is not None and held[1] <= self._clock():
            del self._values[key]
            return None
        return held

    async def claim(self, key: str, ttl: float, value: str = "1") -> bool:
        if self._live(key) is not None:
            return False
        self._values[key] = (value, self._clock() + ttl)
        return True

    async def renew(self, key: str, value: str, ttl: float) -> bool:
        held = self._live(key)
        if held is not None and held[0] != value:
            return False
        self._values[key] = (value, self._clock() + ttl)
        return True

    async def claim_fenced(
        self, key: str, value: str, ttl: float, *, fence: str, token: str
    ) -> bool:
        owner = self._live(fence)
        if owner is not None and owner[0] != token:
            return False
        return await self.claim(key, ttl, value)

    async def get(self, key: str) -> Held | None:
        held = self._live(key)
        return None if held is None else Held(held[0], held[1] - self._clock())

    async def set(self, key: str, value: str, ttl: float) -> None:
        self._values[key] = (value, self._clock() + ttl)
        if len(self._values) > 10_000:
            now = self._clock()
            self._values = {k: v for k, v in self._values.items() if v[1] > now}

    async def delete(self, key: str, value: str | None = None) -> bool:
        held = self._live(key)
        if held is None or (value is not None and held[0] != value):
            return False
        del self._values[key]
        return True

    async def incr(self, key: str, ttl: float) -> int:
        held = self._live(key)
        count = 1 if held is None else int(held[0]) + 1
        expires = self._clock() + ttl if held is None else held[1]
        self._values[key] = (str(count), expires)
        return count

    async def take(self, quotas: Sequence[Quota], hold: float) -> Taken:
        now = self._clock()
        wait = 0.0
        for quota in quotas:
            window = self._window(quota, now)
            if len(window) >= quota.count:
                finished = [at for at, _ in window if at <= now]
                pause = finished[0] + quota.seconds - now if finished else IN_FLIGHT_POLL
                wait = max(wait, pause, 1e-9)
        if wait > 0:
            return Taken(None, wait)
        ticket = f"m{next(self._tickets)}"
        for quota in quotas:
            bisect.insort(self._windows[quota.key], (now + hold, ticket))
        return Taken(ticket, 0.0)

    async def done(self, quotas: Sequence[Quota], ticket: str) -> None:
        now = self._clock()
        for quota in quotas:
            window = self._windows.get(quota.key, [])
            for i, (_, held) in enumerate(window):
                if held == ticket:
                    del window[i]
                    bisect.insort(window, (now, ticket))
                    break

    async def close(self) -> None:
        """Nothing to release."""

    def _window(self, quota: Quota, now: float) -> list[tuple[float, str]]:
        window = self._windows.setdefault(quota.key, [])
        cut = bisect.bisect_right(window, (now - quota.seconds, "\uffff"))
        del window[:cut]
        return window
