"""Daily roll-ups give the same insights as the raw rows, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import contextlib
import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from bot import bootstrap
from bot.cli.main import main
from bot.core.insights import InsightsQuery, compute, format_stats, to_csv
from bot.core.rollups import LEAD, RollupJob
from bot.settings import Settings
from bot.storage.insights import SqlInsights
from bot.storage.leader import elect_for
from bot.storage.models import (
    Feedback,
    InsightsDay,
    InsightsQuestions,
    Merchant,
    Message,
    TicketRow,
)
from bot.storage.rollups import GRACE, ROLLUP_TABLES, SqlRollups, live_ranges
from bot.storage.uow import SqlStore
from tests.fakes import FakeStore
from tests.storage.conftest import StoreUnderTest
from tests.storage.insights_world import Data, engine_of

NOW = datetime(2026, 11, 20, 13, 37, tzinfo=UTC)  # the virtual clock: a Friday afternoon
TODAY = NOW.date()
DAYS = 12
LOCALES = ("en", "zh_Hans", "zh_Hant", "ko", None)
CHANNELS = ("web", "telegram", "wechat")
TEAMS = ("default", "seoul", "shenzhen")
FIRST_RESPONSE = timedelta(hours=2)

both = pytest.mark.parametrize("store_url", ["sqlite", "postgresql"], indirect=True)


async def seed(engine: AsyncEngine, merchants: int = 40, questions: int = 600) -> Data:
    data = Data(18)
    rng = data.rng
    start = datetime.combine(TODAY - timedelta(days=DAYS), datetime.min.time(), UTC)
    span = (NOW - start).total_seconds()
    for _ in range(questions):
        data.ask(rng.randint(1, merchants), start + timedelta(seconds=rng.uniform(0, span)))
    data.ask(1, datetime.combine(TODAY, datetime.min.time(), UTC) - timedelta(seconds=1), "answer")
    tickets = []
    for m in rng.sample(range(1, merchants + 1), k=merchants // 3):
        opened = start + timedelta(seconds=rng.uniform(0, span))
        first = opened + timedelta(minutes=rng.uniform(1, 300))
        done = first + timedelta(hours=rng.uniform(1, 40))
        resolved = done < NOW
        tickets.append({
            "merchant_id": m, "channel": CHANNELS[m % 3], "reason": "no_answer",
            "status": "resolved" if resolved else "open", "locale": "en",
            "team": rng.choice(TEAMS), "created_at": opened, "updated_at": opened,
            "first_response_at": first if first < NOW else None,
            "resolved_at": done if resolved else None,
            "rating": rng.randint(1, 5) if resolved else None,
        })  # fmt: skip
    async with engine.begin() as connection:
        await connection.execute(insert(Merchant), [
            {"id": m, "channel": CHANNELS[m % 3], "channel_user_id": f"m{m}",
             "locale_pinned": False, "last_seq": 0, "created_at": start, "updated_at": start}
            for m in range(1, merchants + 1)
        ])  # fmt: skip
        await connection.execute(insert(Message), data.messages)
        await connection.execute(insert(Feedback), data.feedback)
        await connection.execute(insert(TicketRow), tickets)
    return data


QUERIES = [
    InsightsQuery(datetime(2026, 11, 10, tzinfo=UTC), datetime(2026, 11, 21, tzinfo=UTC)),
    InsightsQuery(NOW - timedelta(days=7.4), NOW),  # report stats: partial first day, today
    InsightsQuery(NOW - timedelta(days=30), NOW + timedelta(days=1), locale="ko"),
    InsightsQuery(NOW - timedelta(days=30), NOW, channel="wechat", team="seoul"),
    InsightsQuery(NOW - timedelta(days=30), NOW, locale="?"),  # replies with no locale
    InsightsQuery(datetime(2026, 11, 12, tzinfo=UTC), datetime(2026, 11, 13, tzinfo=UTC)),
    InsightsQuery(datetime(2026, 11, 9, tzinfo=UTC), datetime(2026, 11, 19, tzinfo=UTC)),  # built
]


async def assert_same_figures(engine: AsyncEngine) -> None:
    """Every query gives the same page, CSV and report from roll-ups + live as from raw rows."""
    for query in QUERIES:
        raw = compute(query, await SqlInsights(engine, rollups=False).rows(query),
                      first_response=FIRST_RESPONSE)  # fmt: skip
        rolled = compute(query, await SqlInsights(engine).rows(query),
                         first_response=FIRST_RESPONSE)  # fmt: skip
        assert rolled.as_dict() == raw.as_dict(), query
        assert to_csv(rolled) == to_csv(raw) and format_stats(rolled) == format_stats(raw)


async def built(engine: AsyncEngine) -> list[date]:
    async with engine.connect() as connection:
        return sorted((await connection.scalars(select(InsightsDay.day))).all())


@both
async def test_rollups_give_the_same_figures_as_the_raw_rows(store: StoreUnderTest) -> None:
    engine = engine_of(store)
    data = await seed(engine)
    raw = compute(QUERIES[0], await SqlInsights(engine).rows(QUERIES[0]),
                  first_response=FIRST_RESPONSE)  # fmt: skip
    assert raw.total.questions > 300 and raw.total.conversations == 40 and raw.feedback
    rollups = SqlRollups(engine)
    days = await rollups.refresh(NOW)
    closed = [TODAY - timedelta(days=n) for n in range(DAYS, 0, -1)]
    assert days == closed and await built(engine) == closed  # today stays live
    assert await rollups.refresh(NOW) == []  # nothing changed: nothing rebuilt
    await assert_same_figures(engine)
    assert len(data.messages) > 1000


@both
async def test_a_late_thumb_on_a_closed_day_updates_that_day(store: StoreUnderTest) -> None:
    engine = engine_of(store)
    data = await seed(engine)
    rollups = SqlRollups(engine)
    await rollups.refresh(NOW)
    old = min(data.feedback, key=lambda f: f["updated_at"])
    moved_from = old["updated_at"].date()
    answered = next(
        m for m in data.messages
        if m["direction"] == "in" and m["created_at"].date() == TODAY - timedelta(days=3)
        and not any(f["message_id"] == m["id"] for f in data.feedback)
        and any(r["reply_to"] == m["id"] and r["faq_id"] for r in data.messages)
    )  # fmt: skip
    late = datetime.combine(TODAY - timedelta(days=2), datetime.min.time(), UTC)
    async with engine.begin() as connection:
        # a 👍 changed to 👎 today: it leaves its old day for today's live figures
        await connection.execute(
            update(Feedback)
            .where(Feedback.message_id == old["message_id"])
            .values(helpful=not old["helpful"], updated_at=NOW - timedelta(minutes=5))
        )
        # a 👍 stamped on a closed day, committed after that day was built (a slow replica)
        await connection.execute(insert(Feedback), [{
            "message_id": answered["id"], "merchant_id": answered["merchant_id"],
            "helpful": True, "created_at": late + timedelta(hours=9),
            "updated_at": late + timedelta(hours=9),
        }])  # fmt: skip
    assert await rollups.stale(NOW) == [moved_from, late.date()]
    assert await rollups.refresh(NOW) == [moved_from, late.date()]
    await assert_same_figures(engine)


@both
async def test_a_late_reply_on_a_recent_day_is_rebuilt(store: StoreUnderTest) -> None:
    engine = engine_of(store)
    await seed(engine)
    rollups = SqlRollups(engine)
    await rollups.refresh(NOW)
    yesterday = datetime.combine(TODAY - timedelta(days=1), datetime.min.time(), UTC)
    async with engine.begin() as connection:
        top = int(await connection.scalar(select(func.max(Message.id))) or 0)
        await connection.execute(insert(Message), [
            {"id": top + 1, "merchant_id": 5, "seq": top + 1, "direction": "in", "kind": "text",
             "text": "late", "payload": "", "locale": "ko", "buttons": [],
             "reply_to": None, "action": None,
             "created_at": yesterday + timedelta(hours=23, minutes=59, seconds=59)},
            {"id": top + 2, "merchant_id": 5, "seq": top + 2, "direction": "out",
             "kind": "text", "text": "a", "payload": "", "locale": "ko", "buttons": [],
             "reply_to": top + 1, "action": "fallback",
             "created_at": yesterday + timedelta(hours=23, minutes=59, seconds=59)},
        ])  # fmt: skip
    assert await rollups.refresh(NOW) == [yesterday.date()]
    await assert_same_figures(engine)


@both
async def test_a_day_is_built_only_after_its_grace(store: StoreUnderTest) -> None:
    engine = engine_of(store)
    await seed(engine)
    midnight = datetime.combine(TODAY, datetime.min.time(), UTC)
    rollups = SqlRollups(engine)
    await rollups.refresh(midnight + GRACE - timedelta(seconds=1))
    assert (await built(engine))[-1] == TODAY - timedelta(days=2)  # yesterday still open
    await assert_same_figures(engine)  # yesterday read live meanwhile
    assert await rollups.refresh(midnight + GRACE) == [TODAY - timedelta(days=1)]


@both
async def test_the_jobs_backfill_builds_the_missing_days(store: StoreUnderTest) -> None:
    engine = engine_of(store)
    await seed(engine)
    rollups = SqlRollups(engine)
    closed = [TODAY - timedelta(days=n) for n in range(DAYS, 0, -1)]
    assert await rollups.build(closed[3], NOW)  # one day built before (by report stats)
    assert await rollups.missing(NOW) == closed[:3] + closed[4:]
    job = RollupJob(rollups, every=600, clock=lambda: NOW)
    assert await job.backfill() == (closed[:3] + closed[4:])[::-1]  # newest first
    assert await built(engine) == closed and await rollups.missing(NOW) == []
    await assert_same_figures(engine)  # the backfilled days give the raw rows' figures
    assert await rollups.refresh(NOW) == [] and await job.backfill() == []


async def built_at(engine: AsyncEngine, day: date) -> datetime | None:
    async with engine.connect() as connection:
        return await connection.scalar(select(InsightsDay.built_at).where(InsightsDay.day == day))


@both
async def test_a_missing_day_built_meanwhile_is_not_built_again(store: StoreUnderTest) -> None:
    engine = engine_of(store)
    await seed(engine)
    closed = [TODAY - timedelta(days=n) for n in range(DAYS, 0, -1)]
    later = NOW + timedelta(hours=1)
    assert await SqlRollups(engine).build(closed[-1], NOW, if_missing=True)
    assert not await SqlRollups(engine).build(closed[-1], later, if_missing=True)
    first = await built_at(engine, closed[-1])

    class Racing(SqlRollups):  # another builder builds the next missing day as this one looks
        async def missing(self, now: datetime) -> list[date]:
            days = await super().missing(now)
            assert await SqlRollups(engine).build(days[-1], NOW)
            return days

        async def _stale(self, now: datetime) -> tuple[list[date], set[date]]:
            days, missing = await super()._stale(now)
            assert await SqlRollups(engine).build(max(missing), NOW)
            return days, missing

    job = RollupJob(Racing(engine), every=600, clock=lambda: later)
    assert await job.backfill() == closed[-3::-1]  # serve's backfill: all but the raced one
    async with engine.begin() as connection:  # two days unbuilt (a merchant erased)
        for table in (*ROLLUP_TABLES, InsightsDay):
            await connection.execute(delete(table).where(table.day.in_(closed[:2])))
    assert await Racing(engine).refresh(later) == closed[:1]  # report stats: the other one
    assert await built(engine) == closed and await built_at(engine, closed[-1]) == first
    await assert_same_figures(engine)


def test_live_ranges_are_what_no_built_day_covers() -> None:
    d = date(2026, 11, 10)
    since, until = datetime(2026, 11, 9, 12, tzinfo=UTC), datetime(2026, 11, 14, 6, tzinfo=UTC)
    at = [datetime(2026, 11, day, tzinfo=UTC) for day in range(9, 15)]
    assert live_ranges(since, until, []) == [(since, until)]
    assert live_ranges(since, until, [d, d + timedelta(days=1), d + timedelta(days=3)]) == [
        (since, at[1]), (at[3], at[4]), (at[5], until)
    ]  # fmt: skip


@pytest.mark.parametrize("store_url", ["postgresql"], indirect=True)
async def test_one_replica_builds_and_another_takes_over(
    store: StoreUnderTest, store_url: str
) -> None:
    engine = engine_of(store)
    await seed(engine)
    elect = elect_for(store_url)
    assert elect is not None
    first, second = elect(LEAD), elect(LEAD)
    one = RollupJob(SqlRollups(engine), every=600, clock=lambda: NOW, lead=first)
    two = RollupJob(SqlRollups(engine), every=600, clock=lambda: NOW, lead=second)
    try:
        assert len(await one.once()) == DAYS
        assert await two.once() == []  # not the leader: builds nothing
        async with engine.begin() as connection:  # a 👍 on a closed day, changed
            await connection.execute(
                update(Feedback).where(Feedback.message_id == select(
                    func.min(Feedback.message_id)).scalar_subquery()
                ).values(updated_at=NOW - timedelta(minutes=1))
            )  # fmt: skip
        await first.resign()  # the leading replica stops (or dies: its connection goes)
        assert len(await two.once()) == 1
        await assert_same_figures(engine)
    finally:
        await first.resign()
        await second.resign()


@pytest.mark.parametrize("store_url", ["sqlite"], indirect=True)
async def test_the_background_job_builds_the_closed_days(store: StoreUnderTest) -> None:
    engine = engine_of(store)
    await seed(engine)
    done = asyncio.Event()

    class Signalling(SqlRollups):
        async def refresh(
            self, now: datetime, since: datetime | None = None, until: datetime | None = None
        ) -> list[date]:
            days = await super().refresh(now, since, until)
            done.set()
            return days

    job = RollupJob(Signalling(engine), every=3600, clock=lambda: NOW)
    task = asyncio.create_task(job.run())
    try:
        await asyncio.wait_for(done.wait(), 60)
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
    assert len(await built(engine)) == DAYS


def test_the_root_builds_the_job_from_its_setting(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}"
    store = SqlStore(url)
    every = Settings(database_url=url, insights_rollup_minutes=15)
    job = bootstrap.rollup_job(every, store, lambda: NOW)
    assert job is not None and job.every == 15 * 60
    off = Settings(database_url=url, insights_rollup_minutes=0)
    assert bootstrap.rollup_job(off, store, lambda: NOW) is None
    assert bootstrap.rollup_job(every, FakeStore(), lambda: NOW) is None  # no SQL: no roll-ups


@both
async def test_built_days_are_read_from_their_rollups(store: StoreUnderTest) -> None:
    engine = engine_of(store)
    await seed(engine)
    await SqlRollups(engine).refresh(NOW)
    query = QUERIES[0]
    before = compute(query, await SqlInsights(engine).rows(query), first_response=FIRST_RESPONSE)
    day = datetime.combine(TODAY - timedelta(days=4), datetime.min.time(), UTC)
    async with engine.begin() as connection:  # the raw replies of a built day go away
        await connection.execute(
            delete(Message).where(
                Message.direction == "out",
                Message.created_at >= day,
                Message.created_at < day + timedelta(days=1),
            )
        )
    after = compute(query, await SqlInsights(engine).rows(query), first_response=FIRST_RESPONSE)
    raw = compute(query, await SqlInsights(engine, rollups=False).rows(query),
                  first_response=FIRST_RESPONSE)  # fmt: skip
    assert after.as_dict() == before.as_dict()  # the day's roll-ups, not its rows
    assert raw.total.questions < before.total.questions


@pytest.mark.parametrize("store_url", ["sqlite"], indirect=True)
async def test_report_stats_builds_the_rollups_and_reads_them(
    store: StoreUnderTest, store_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    engine = engine_of(store)
    await seed(engine)
    argv = ["report", "stats", "--database-url", store_url, "--json",
            "--since", "2026-11-10", "--until", "2026-11-20"]  # fmt: skip
    assert await asyncio.to_thread(main, argv) == 0
    first = json.loads(capsys.readouterr().out)
    assert await built(engine) == [date(2026, 11, d) for d in range(10, 20)]  # the period's
    day = date(2026, 11, 12)
    async with engine.begin() as connection:  # proof that the built days are read, not raw rows
        await connection.execute(
            update(InsightsQuestions).where(InsightsQuestions.day == day).values(questions=0)
        )
    assert await asyncio.to_thread(main, argv) == 0
    then = json.loads(capsys.readouterr().out)
    daily = {d["day"]: d["questions"] for d in first["daily_questions"]}
    assert daily[day.isoformat()] > 10 and first["total"]["questions"] > 100
    assert then["total"]["questions"] == first["total"]["questions"] - daily[day.isoformat()]
