"""What the bot counts, as the core sees it: a small recorder it calls, no metrics library.

The core and the channels call a ``Metrics`` (``metrics.message_in("web")``,
``metrics.decision("answer")``, ...); ``NO_METRICS`` does nothing and is the default
everywhere, so a test or the terminal needs no wiring. The composition root hands in the
Prometheus recorder (``bot/web/metrics.py``, the one module that imports prometheus_client).
What is read from the database when scraped (the outbox backlog, open tickets by team) comes
from ``gauges``, through the storage ports.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from bot.core.ports import UnitOfWork


class Metrics(Protocol):
    """The counters and timings the core and the channels record."""

    def message_in(self, channel: str) -> None:
        """A merchant's message (or button press) came in on ``channel``."""
        ...

    def message_out(self, channel: str, count: int = 1) -> None:
        """``count`` messages went to merchants on ``channel`` (answers, staff replies)."""
        ...

    def decision(self, action: str) -> None:
        """What the reply was: answer, clarify, fallback, escalate, smalltalk, or another
        outcome the core reached without the matcher (a command, a relay to the ticket)."""
        ...

    def handled(self, channel: str, seconds: float) -> None:
        """How long the conversation service took over one message, storage included."""
        ...

    def delivery_failed(self, channel: str) -> None:
        """A message to a merchant on ``channel`` failed (a staff reply's send, or an answer
        the channel gave up on)."""
        ...

    def telegram_flood(self) -> None:
        """Telegram refused a call with 429 (flood control)."""
        ...


class NoMetrics:
    """Records nothing: the default where nothing was wired."""

    def message_in(self, channel: str) -> None:
        """Nothing."""

    def message_out(self, channel: str, count: int = 1) -> None:
        """Nothing."""

    def decision(self, action: str) -> None:
        """Nothing."""

    def handled(self, channel: str, seconds: float) -> None:
        """Nothing."""

    def delivery_failed(self, channel: str) -> None:
        """Nothing."""

    def telegram_flood(self) -> None:
        """Nothing."""


NO_METRICS: Metrics = NoMetrics()


@dataclass(frozen=True)
class Gauges:
    """Read from the database at scrape time."""

    outbox_pending: int = 0  # staff messages not yet sent (pending, or being sent)
    outbox_oldest: datetime | None = None  # when the oldest of them was queued
    open_tickets: Mapping[str, int] = field(default_factory=dict)  # by team


async def gauges(uow: Callable[[], UnitOfWork]) -> Gauges:
    """The outbox backlog and the open tickets by team, in one short read."""
    async with uow() as work:
        pending, oldest = await work.outbox.backlog()
        teams = await work.tickets.open_by_team()
    return Gauges(pending, oldest, teams)
