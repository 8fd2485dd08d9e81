"""The roll-up job: it refreshes on the service's clock, only while its replica leads."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from bot.core.rollups import RollupJob

NOW = datetime(2026, 11, 20, 13, 37, tzinfo=UTC)


@dataclass
class Builder:
    asked: list[datetime] = field(default_factory=list)

    async def refresh(self, now: datetime) -> list[date]:
        self.asked.append(now)
        return [now.date() - timedelta(days=1)]


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
