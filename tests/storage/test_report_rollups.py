"""``report stats`` builds the roll-ups it reads, beside serve's job, on SQLite and PostgreSQL.

The data are generated over the last days and today (the command runs on the real clock), and
every figure is checked against one counted here from the generated messages themselves.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.cli.main import main
from bot.core.insights import InsightsQuery, compute
from bot.storage.insights import SqlInsights
from bot.storage.models import Feedback, InsightsDay
from bot.storage.rollups import GRACE, SqlRollups
from bot.storage.uow import SqlStore
from tests.storage.conftest import StoreUnderTest
from tests.storage.insights_world import (
    DAYS,
    PERIOD_DAYS,
    World,
    engine_of,
    figures,
    midnight,
    period,
    report,
)

both = pytest.mark.parametrize("store_url", ["sqlite", "postgresql"], indirect=True)


async def built(engine: AsyncEngine) -> list[date]:
    """The built days."""
    async with engine.connect() as connection:
        return sorted((await connection.scalars(select(InsightsDay.day))).all())


def closed_days(now: datetime, since: datetime) -> list[date]:
    """The days of the period a refresh at ``now`` builds (wholly inside, closed, graced)."""
    last = (now - GRACE).date() - timedelta(days=1)
    return [d for n in range(PERIOD_DAYS) if (d := since.date() + timedelta(days=n)) <= last]


async def raw_figures(engine: AsyncEngine, since: datetime, until: datetime) -> dict[str, Any]:
    """The period's figures from the raw rows only (no roll-up read)."""
    query = InsightsQuery(since, until)
    rows = await SqlInsights(engine, rollups=False).rows(query)
    return figures(compute(query, rows, first_response=timedelta(minutes=120)).as_dict())


@both
async def test_report_stats_builds_the_period_and_gives_the_figures_of_the_messages(
    store: StoreUnderTest, store_url: str
) -> None:
    engine = engine_of(store)
    now = datetime.now(UTC)
    world = World(now)
    await world.store(engine)
    since, until = period(now)
    want = world.expected(since, until)
    assert (
        want["questions"] > 150 and want["feedback"] and want["deflected"] < want["conversations"]
    )
    assert len(want["daily"]) == PERIOD_DAYS + 1  # past days and today

    assert await built(engine) == []
    assert figures(await report(store_url, since, until)) == want
    assert await built(engine) == closed_days(now, since)  # the period's closed days only

    # A 👍 given on a built day after it was built (a slow replica), and a 👎 turned 👍 today:
    # both days are stale; the report rebuilds them before reading.
    three_ago = midnight(now.date() - timedelta(days=3)) + timedelta(hours=9)
    fresh = next(
        m for m in world.data.messages
        if m["direction"] == "out" and m["faq_id"] and m["created_at"] < three_ago
        and not any(f["message_id"] == m["reply_to"] for f in world.data.feedback)
    )  # fmt: skip
    changed = next(
        f for f in world.data.feedback
        if not f["helpful"] and f["updated_at"] < since + timedelta(days=2)
    )  # fmt: skip
    given = {"message_id": fresh["reply_to"], "merchant_id": fresh["merchant_id"],
             "helpful": True, "created_at": three_ago, "updated_at": three_ago}  # fmt: skip
    world.data.feedback.append(given)
    changed.update(helpful=True, updated_at=now - timedelta(seconds=1))
    async with engine.begin() as connection:
        await connection.execute(insert(Feedback), [given])
        await connection.execute(
            update(Feedback)
            .where(Feedback.message_id == changed["message_id"])
            .values(helpful=True, updated_at=changed["updated_at"])
        )
    want = world.expected(since, until)
    assert figures(await report(store_url, since, until)) == want
    assert figures(await report(store_url, since, until)) == await raw_figures(engine, since, until)


@both
async def test_report_stats_and_the_job_build_the_same_days_at_once(
    store: StoreUnderTest, store_url: str
) -> None:
    engine = engine_of(store)
    now = datetime.now(UTC)
    world = World(now)
    await world.store(engine)
    since, until = period(now)
    # two of serve's replicas (the election not settled yet) and the command, all at once:
    # each found every day to build, so they build the same days side by side
    replicas = [SqlStore(store_url) for _ in range(2)]
    try:
        command = asyncio.create_task(report(store_url, since, until))
        await asyncio.gather(*(SqlRollups(r.engine).refresh(now) for r in replicas))
        reported = await command
    finally:
        for r in replicas:
            await r.close()
    assert figures(reported) == world.expected(since, until)
    last = (now - GRACE).date() - timedelta(days=1)
    first = now.date() - timedelta(days=DAYS)
    every = [first + timedelta(days=n) for n in range((last - first).days + 1)]
    assert await built(engine) == every  # each closed day, once
    assert await SqlRollups(engine).stale(now) == []
    assert figures(await report(store_url, since, until)) == world.expected(since, until)


@both
async def test_an_erased_merchant_leaves_the_past_days_of_report_stats(
    store: StoreUnderTest, store_url: str
) -> None:
    engine = engine_of(store)
    now = datetime.now(UTC)
    world = World(now)
    await world.store(engine)
    since, until = period(now)
    before = figures(await report(store_url, since, until))
    assert await built(engine)
    replied = Counter(
        r["merchant_id"] for r in world.data.messages
        if r["direction"] == "out" and since <= r["created_at"] < until
    )  # fmt: skip
    gone = replied.most_common(1)[0][0]
    argv = ["merchant", "erase", str(gone), "--yes", "--database-url", store_url]
    assert await asyncio.to_thread(main, argv) == 0
    world.erased.add(gone)
    want = world.expected(since, until)
    assert want["questions"] < before["questions"] and want["conversations"] == (
        before["conversations"] - 1
    )
    # what serve's page reads before any rebuild: the merchant's days are read raw
    assert await raw_figures(engine, since, until) == want
    query = InsightsQuery(since, until)
    page = compute(query, await SqlInsights(engine).rows(query), first_response=timedelta(hours=2))
    assert figures(page.as_dict()) == want
    assert figures(await report(store_url, since, until)) == want  # rebuilt without it
    assert await built(engine) == closed_days(now, since)
