"""The insights' daily roll-ups, kept up to date in the background by one replica at a time.

The builder (``bot.storage.rollups.SqlRollups``) knows which closed days to build or rebuild;
this job only runs it now and then, on the service's clock. On PostgreSQL the replicas elect
one builder (an advisory lock, ``Leadership``): two building the same day at once would both
do the work (safely: a day is built under its own lock, as ``report stats`` builds beside this
job). Without an election (SQLite, one replica) it always builds.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import date, datetime
from typing import Protocol

from bot.core.clock import Clock, system_clock
from bot.core.shared import Leadership

log = logging.getLogger(__name__)
LEAD = "insights-rollups"  # the job's name among the replicas (its advisory lock)


class RollupBuilder(Protocol):
    """Builds the roll-ups of the closed days that need it."""

    async def refresh(self, now: datetime) -> list[date]:
        """Build or rebuild what changed; returns the days built."""
        ...


class RollupJob:
    """Refresh the roll-ups every ``every`` seconds while this replica leads."""

    def __init__(
        self,
        builder: RollupBuilder,
        *,
        every: float,
        clock: Clock = system_clock,
        lead: Leadership | None = None,
    ) -> None:
        self.builder = builder
        self.every = every
        self._clock = clock
        self._lead = lead

    async def once(self) -> list[date]:
        """One refresh, if this replica leads (or nobody needs to); returns the days built."""
        if self._lead is not None and not await self._lead.try_lead():
            return []
        days = await self.builder.refresh(self._clock())
        if days:
            log.info("insights rolled up", extra={"days": len(days), "last": str(days[-1])})
        return days

    async def run(self) -> None:
        """Refresh now and then, until cancelled (started by ``bot.bootstrap.running``)."""
        try:
            while True:
                try:
                    await self.once()
                except Exception:  # the page reads raw rows meanwhile: same figures, slower
                    log.exception("rolling up the insights failed; trying again later")
                await asyncio.sleep(self.every)
        finally:
            if self._lead is not None:
                await self._lead.resign()
