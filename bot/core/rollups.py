"""The insights' daily roll-ups, kept up to date in the background by one replica at a time.

The builder (``bot.storage.rollups.SqlRollups``) knows which closed days to build or rebuild;
this job only runs it now and then, on the service's clock. On PostgreSQL the replicas elect
one builder (an advisory lock, ``Leadership``): two building the same day at once would both
do the work (safely: a day is built under its own lock, as ``report stats`` builds beside this
job). Without an election (SQLite, one replica) it always builds.

Right after start-up the job first backfills the closed days never built (a database that
predates the roll-ups, or one that ``serve`` has not run on for a while), newest first, so
that the recent periods the insights page opens on are read from roll-ups soonest: one day
per transaction, letting the other tasks run between days, and stopping when this replica
loses the lead. Until a day is built the page reads its raw rows (the same figures, slower)
and ``report stats`` builds it.
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

    async def missing(self, now: datetime) -> list[date]:
        """The closed days never built, oldest first."""
        ...

    async def build(self, day: date, now: datetime, *, if_missing: bool = False) -> bool:
        """Build one day in one transaction (with ``if_missing``, only if nobody built it
        meanwhile); whether it was built."""
        ...


class RollupJob:
    """Backfill the missing days, then refresh the roll-ups every ``every`` seconds, while
    this replica leads."""

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

    async def _leads(self) -> bool:
        return self._lead is None or await self._lead.try_lead()

    async def backfill(self) -> list[date]:
        """Build the closed days never built, newest first, one per transaction, if this
        replica leads; stops when it no longer does. Returns the days built."""
        if not await self._leads():
            return []
        now = self._clock()
        days = await self.builder.missing(now)
        if days:
            log.info("backfilling the insights' roll-ups", extra={"days": len(days)})
        done: list[date] = []
        for day in reversed(days):
            if self._lead is not None and not await self._lead.still_leading():
                log.info("backfill stopped: another replica leads now", extra={"day": str(day)})
                break
            if await self.builder.build(day, now, if_missing=True):
                done.append(day)
            await asyncio.sleep(0)  # a day at a time: requests run between the days
        if done:
            log.info("insights backfilled", extra={"days": len(done), "first": str(done[-1])})
        return done

    async def once(self) -> list[date]:
        """One refresh, if this replica leads (or nobody needs to); returns the days built."""
        if not await self._leads():
            return []
        days = await self.builder.refresh(self._clock())
        if days:
            log.info("insights rolled up", extra={"days": len(days), "last": str(days[-1])})
        return days

    async def run(self) -> None:
        """Backfill, then refresh now and then, until cancelled (started by
        ``bot.bootstrap.running``)."""
        try:
            try:
                await self.backfill()
            except Exception:  # the refreshes below build what is left
                log.exception("backfilling the insights' roll-ups failed")
            while True:
                try:
                    await self.once()
                except Exception:  # the page reads raw rows meanwhile: same figures, slower
                    log.exception("rolling up the insights failed; trying again later")
                await asyncio.sleep(self.every)
        finally:
            if self._lead is not None:
                await self._lead.resign()
