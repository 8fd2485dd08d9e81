"""The roll-up job: it refreshes on the service's clock, only while its replica leads."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from itertools import pairwise

from bot.core.rollups import RollupJob

NOW = datetime(2026, 11, 20, 13, 37, tzinfo=UTC)


@dataclass
class Builder:
    asked: list[datetime] = field(default_factory=list)
    unbuilt: list[date] = field(default_factory=list)  # the missing days, oldest first
    log: list[str] = field(default_factory=list)  # what happened, in order

    async def refresh(self, now: datetime) -> list[date]:
        self.asked.append(now)
        self.log.append("refresh")
        return [now.date() - timedelta(days=1)]

    async def missing(self, now: datetime) -> list[date]:
        self.asked.append(now)
        return list(self.unbuilt)

    async def build(self, day: date, now: datetime, *, if_missing: bool = False) -> bool:
        assert if_missing and now in self.asked
        self.log.append(f"build {day}")
        self.unbuilt.remove(day)
        return True


def unbuilt(days: int) -> list[date]:
    return [NOW.date() - timedelta(days=n) for n in range(days, 0, -1)]


@dataclass
class Lead:
    """One lock the replicas share: the first to try holds it until it resigns."""

    holder: list[str] = field(default_factory=list)

    def of(self, name: str) -> Replica:
        return Replica(self, name)


@dataclass
class Replica:
    lock: Lead
    name: str

    async def try_lead(self) -> bool:
        if not self.lock.holder:
            self.lock.holder.append(self.name)
        return self.lock.holder == [self.name]

    async def still_leading(self) -> bool:
        return self.lock.holder == [self.name]

    async def resign(self) -> None:
        if self.lock.holder == [self.name]:
            self.lock.holder.clear()


async def test_it_refreshes_at_the_clocks_time() -> None:
    builder, now = Builder(), [NOW]
    job = RollupJob(builder, every=600, clock=lambda: now[0])
    assert await job.once() == [date(2026, 11, 19)]
    now[0] += timedelta(days=1)
    assert await job.once() == [date(2026, 11, 20)]
    assert builder.asked == [NOW, NOW + timedelta(days=1)]


async def test_only_the_leading_replica_refreshes() -> None:
    lock, a, b = Lead(), Builder(), Builder()
    first = RollupJob(a, every=600, clock=lambda: NOW, lead=lock.of("a"))
    second = RollupJob(b, every=600, clock=lambda: NOW, lead=lock.of("b"))
    assert await first.once() and await second.once() == []
    assert (len(a.asked), len(b.asked)) == (1, 0)
    await lock.of("a").resign()  # the leader goes away: the other takes over
    assert await second.once() and await first.once() == []
    assert (len(a.asked), len(b.asked)) == (1, 1)


async def test_the_backfill_builds_the_missing_days_newest_first() -> None:
    builder = Builder(unbuilt=unbuilt(4))
    job = RollupJob(builder, every=600, clock=lambda: NOW)
    assert await job.backfill() == unbuilt(4)[::-1]  # the recent periods are ready first
    assert builder.unbuilt == [] and await job.backfill() == []


async def test_the_backfill_lets_other_tasks_run_between_days() -> None:
    builder = Builder(unbuilt=unbuilt(3))
    job = RollupJob(builder, every=600, clock=lambda: NOW)

    async def requests() -> None:  # what the service does meanwhile
        while True:
            builder.log.append("request")
            await asyncio.sleep(0)

    other = asyncio.create_task(requests())
    await asyncio.sleep(0)
    try:
        await job.backfill()
    finally:
        other.cancel()
    builds = [n for n, what in enumerate(builder.log) if what.startswith("build")]
    assert len(builds) == 3
    assert all("request" in builder.log[a:b] for a, b in pairwise(builds))


async def test_only_the_leader_backfills_and_it_stops_when_it_loses_the_lead() -> None:
    lock = Lead()
    builder, other = Builder(unbuilt=unbuilt(5)), Builder(unbuilt=unbuilt(5))
    first = RollupJob(builder, every=600, clock=lambda: NOW, lead=lock.of("a"))
    second = RollupJob(other, every=600, clock=lambda: NOW, lead=lock.of("b"))
    assert await first.once() and await second.backfill() == []  # "a" leads

    built = builder.build

    async def losing(day: date, now: datetime, *, if_missing: bool = False) -> bool:
        done = await built(day, now, if_missing=if_missing)
        if len(builder.unbuilt) == 3:
            await lock.of("a").resign()  # its connection is lost two days in
        return done

    builder.build = losing  # type: ignore[method-assign]
    assert await first.backfill() == unbuilt(5)[:-3:-1]  # the two newest, then it stops
    assert await second.backfill() == unbuilt(5)[::-1]  # "b" leads now


async def test_the_job_backfills_before_it_refreshes() -> None:
    builder = Builder(unbuilt=unbuilt(2))
    job = RollupJob(builder, every=3600, clock=lambda: NOW)
    task = asyncio.create_task(job.run())
    while "refresh" not in builder.log:
        await asyncio.sleep(0)
    task.cancel()
    days = [f"build {day}" for day in unbuilt(2)[::-1]]
    assert builder.log == [*days, "refresh"]
