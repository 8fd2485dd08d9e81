"""Deliveries being answered, by delivery key: how WeChat's retries find the first answer.

WeChat retries a message it got no reply to within 5 s, up to three times. Every delivery of
one message waits on the same task; the first to run out of time hands the answer to the
customer-service API (``late``), after which every retry is told ``success`` and nothing else,
so the merchant never gets the answer twice or a different one.

Across replicas (``Shared``; Redis with REDIS_URL) a delivery key is claimed by the replica
that answers it (``claim_key``, holding the flight's ``token``; a lease its replica renews),
which publishes how it answered (``answer_key``: ``late``, or ``passive`` and the text); a
retry that lands on another replica waits for that and gives the same text, or ``success``,
and never answers a second time.

The answer is fenced: a replica stalled past its lease (a pause, a lost Redis connection, a
slow death) may find on waking that a retry on another replica took the message over. So
publishing the answer is one atomic step that succeeds only while no answer is published and
the claim still holds the flight's token (or nobody's): the replica that wins sends, passively
or by the API; the other says ``success`` or gives the winner's passive text (``lost``).
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from typing import Any, Literal

from bot.core.types import Reply

KEEP_SECONDS = 300.0  # WeChat's retries end within ~15 s; keep answers a while longer
# A claim lives this long unless its replica renews it (every CLAIM_RENEW_SECONDS while the
# answer is in work): when a replica dies mid-answer, a later retry takes the message over.
CLAIM_SECONDS = 6.0
CLAIM_RENEW_SECONDS = 2.0
# passive: answered in the HTTP reply; late: via the API; lost: another replica answers it
Route = Literal["pending", "passive", "late", "lost"]


def new_token() -> str:
    """A flight's owner token: what its claim holds while it is this flight's."""
    return uuid.uuid4().hex


@dataclass
class Flight:
    """One message being (or having been) answered."""

    task: asyncio.Task[Reply]
    started: float
    key: str = ""
    route: Route = "pending"
    # The claim's value while this flight owns it (a retry elsewhere may take it over).
    token: str = field(default_factory=new_token)
    # Whether this flight won the one answer (fenced on ``token``); set with the route.
    settled: asyncio.Task[bool] | None = None

    @property
    def late(self) -> bool:
        """The answer goes (or went) through the customer-service API."""
        return self.route == "late"

    @property
    def lost(self) -> bool:
        """Another replica took the message over and answers it (this one stalled)."""
        return self.route == "lost"


class Flights:
    """The in-process registry of flights; finished ones are forgotten after ``KEEP_SECONDS``."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._flights: dict[str, Flight] = {}

    def get(self, key: str) -> Flight | None:
        """The flight of a delivery key, if this process has one."""
        return self._flights.get(key)

    def start(self, key: str, work: Coroutine[Any, Any, Reply], token: str) -> Flight:
        """Start answering a delivery key (the caller claimed it with ``token``)."""
        self._prune()
        flight = Flight(asyncio.create_task(work), self._clock(), key, token=token)
        self._flights[key] = flight
        return flight

    def pending(self) -> list[asyncio.Task[Reply]]:
        """Tasks still running (for a clean shutdown)."""
        return [f.task for f in self._flights.values() if not f.task.done()]

    def _prune(self) -> None:
        cutoff = self._clock() - KEEP_SECONDS
        self._flights = {
            k: f for k, f in self._flights.items() if not f.task.done() or f.started >= cutoff
        }


def claim_key(key: str) -> str:
    """The shared key a replica claims to answer a delivery."""
    return f"wechat:flight:{key}"


def answer_key(key: str) -> str:
    """The shared key where the claiming replica says how it answered."""
    return f"wechat:answer:{key}"
