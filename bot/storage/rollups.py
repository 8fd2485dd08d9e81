"""Daily roll-ups of the insights: built once a UTC day is closed, rebuilt when it changes.

A day is built from the raw tables with the statements the live insights use
(``bot.storage.insights_sql``), in one transaction: its questions by channel, locale and
decision, the merchants replied to (conversations are distinct merchants over a whole period,
which daily counts cannot add up to), and the 👍/👎 per entry last given that day. Tickets are
not rolled up: they are few, and medians and p90s do not add up.

What a built day was built from is kept with it: its replies and a fingerprint of its
feedback (rows, sums of their question ids). ``refresh`` rebuilds a day whose feedback changed
since (a 👍/👎 given late, changed or removed: its last change moves it to another day), and
re-counts the replies of the last ``RECHECK_DAYS`` days, for a reply committed just after its
day was built. ``missing`` lists the closed days never built, which ``serve``'s job backfills
after start-up (``bot.core.rollups.RollupJob.backfill``); a day found missing is built only if
it still is once its lock is held, so the job and ``report stats`` do not build it twice.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import Date, case, delete, func, insert, literal, select, text, union
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.storage.database import create_sessionmaker
from bot.storage.insights_sql import (
    active_select,
    day_of,
    feedback_select,
    questions_select,
    replies_where,
)
from bot.storage.leader import lock_key
from bot.storage.models import (
    Feedback,
    InsightsActive,
    InsightsDay,
    InsightsFeedback,
    InsightsQuestions,
    Message,
)

# A day is built this long after it ended (a reply stamped 23:59:59 may commit a moment later).
GRACE = timedelta(minutes=5)
RECHECK_DAYS = 2  # the latest built days whose replies are counted again at each refresh
ROLLUP_TABLES = (InsightsQuestions, InsightsActive, InsightsFeedback)
Fingerprint = tuple[int, int, int]  # feedback rows, sum of question ids, sum of the 👍 ones


def day_range(day: date) -> tuple[datetime, datetime]:
    """A UTC day as a [start, end) time range."""
    start = datetime.combine(day, time(), UTC)
    return start, start + timedelta(days=1)


def live_ranges(
    since: datetime, until: datetime, built: Sequence[date]
) -> list[tuple[datetime, datetime]]:
    """The parts of [since, until) that no built day covers, to be read from the raw rows."""
    ranges: list[tuple[datetime, datetime]] = []
    at = since
    for day in sorted(built):
        start, end = day_range(day)
        if start > at:
            ranges.append((at, start))
        at = max(at, end)
    if at < until:
        ranges.append((at, until))
    return ranges


def whole_days(since: datetime, until: datetime) -> tuple[date, date]:
    """The first day lying wholly inside [since, until), and the day after the last one."""
    first = since.astimezone(UTC).date()
    if datetime.combine(first, time(), UTC) < since:
        first += timedelta(days=1)
    last = until.astimezone(UTC).date()  # the day ``until`` falls on is not wholly inside
    return first, last


async def built_days(session: AsyncSession, since: datetime, until: datetime) -> list[date]:
    """The built days lying wholly inside [since, until)."""
    first, last = whole_days(since, until)
    result = await session.scalars(
        select(InsightsDay.day).where(InsightsDay.day >= first, InsightsDay.day < last)
    )
    return sorted(result)


def _postgresql(session: AsyncSession) -> bool:
    return session.bind is not None and session.bind.dialect.name == "postgresql"


async def _lock_day(session: AsyncSession, day: date) -> None:
    """Start the session's transaction holding the day's lock (till commit or rollback)."""
    if _postgresql(session):
        await session.execute(
            text("SELECT pg_advisory_xact_lock(:key)"), {"key": lock_key(f"insights-day:{day}")}
        )
    else:  # SQLite has one writer: take its lock before reading, not at the first write
        await session.execute(text("BEGIN IMMEDIATE"))


async def forget_merchant(session: AsyncSession, merchant_id: int) -> list[date]:
    """Unbuild the days holding a merchant's replies or 👍/👎, in the caller's transaction,
    before it erases the merchant: those days are read raw, then rebuilt without it."""
    replies = select(day_of(session, Message.created_at)).where(
        Message.merchant_id == merchant_id,
        Message.direction == "out",
        Message.reply_to.is_not(None),
    )
    thumbs = select(day_of(session, Feedback.updated_at)).where(Feedback.merchant_id == merchant_id)
    days = sorted({_as_date(day) for day in await session.scalars(union(replies, thumbs))})
    if _postgresql(session):  # SQLite: the deletes below wait for a builder's write lock
        for day in days:  # a builder holds one day's lock at a time: no deadlock
            await _lock_day(session, day)
    if days:  # built or not: a builder may have committed one since
        for table in (*ROLLUP_TABLES, InsightsDay):
            await session.execute(delete(table).where(table.day.in_(days)))
    return days


def _last_closed(now: datetime) -> date:
    """The latest day closed for ``GRACE`` at ``now``."""
    return (now - GRACE).astimezone(UTC).date() - timedelta(days=1)


async def _first_reply_at(session: AsyncSession) -> datetime | None:
    """When the first bot reply was sent (no day before it has anything to roll up)."""
    return await session.scalar(
        select(func.min(Message.created_at)).where(
            Message.direction == "out", Message.reply_to.is_not(None)
        )
    )


def _days(first: datetime | None, last: date) -> list[date]:
    """The days from ``first``'s to ``last``, both included (none without ``first``)."""
    if first is None:
        return []
    day, days = first.astimezone(UTC).date(), []
    while day <= last:
        days.append(day)
        day += timedelta(days=1)
    return days


def _as_date(value: object) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


class SqlRollups:
    """Builds and refreshes the daily roll-ups (``bot.core.rollups.RollupBuilder``)."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.sessions: async_sessionmaker[AsyncSession] = create_sessionmaker(engine)

    async def refresh(
        self, now: datetime, since: datetime | None = None, until: datetime | None = None
    ) -> list[date]:
        """Build the closed days not built yet and rebuild the changed ones (only those lying
        wholly inside [since, until), when given: the ones a period's figures read); returns
        the days it built."""
        days, missing = await self._stale(now)
        if since is not None and until is not None:
            first, last = whole_days(since, until)
            days = [day for day in days if first <= day < last]
        # a missing day built meanwhile (by serve's backfill) is not built again
        return [day for day in days if await self.build(day, now, if_missing=day in missing)]

    async def stale(self, now: datetime) -> list[date]:
        """The closed days to build or rebuild, oldest first."""
        return (await self._stale(now))[0]

    async def missing(self, now: datetime) -> list[date]:
        """The closed days never built, oldest first (what ``RollupJob.backfill`` builds)."""
        async with self.sessions() as session:
            first = await _first_reply_at(session)
            built = set(map(_as_date, await session.scalars(select(InsightsDay.day))))
        return [day for day in _days(first, _last_closed(now)) if day not in built]

    async def _stale(self, now: datetime) -> tuple[list[date], set[date]]:
        """The closed days to build or rebuild, oldest first, and those never built."""
        last = _last_closed(now)
        async with self.sessions() as session:
            first_reply = await _first_reply_at(session)
            built = {
                _as_date(day): (replies, (rows, total, up))
                for day, replies, rows, total, up in await session.execute(
                    select(
                        InsightsDay.day,
                        InsightsDay.replies,
                        InsightsDay.feedback_rows,
                        InsightsDay.feedback_sum,
                        InsightsDay.feedback_up_sum,
                    )
                )
            }
            feedback = await self._fingerprints(session)
            stale = {day for day in _days(first_reply, last) if day not in built}
            for day in {*built, *feedback}:
                if day > last:
                    continue
                if day not in built:
                    stale.add(day)  # feedback on a day with no reply (none before it)
                elif feedback.get(day, (0, 0, 0)) != built[day][1]:
                    stale.add(day)
            for day in sorted(built, reverse=True)[:RECHECK_DAYS]:
                if await self._replies(session, day) != built[day][0]:
                    stale.add(day)
        return sorted(stale), stale - set(built)

    async def build(self, day: date, now: datetime, *, if_missing: bool = False) -> bool:
        """(Re)build one day's roll-ups from the raw rows, in one transaction; with
        ``if_missing``, only if it is still not built once its lock is held (another builder
        may have just built it). Whether it was built."""
        period = day_range(day)
        async with self.sessions() as session:
            await _lock_day(session, day)
            if if_missing and await session.scalar(
                select(InsightsDay.day).where(InsightsDay.day == day)
            ):
                return False  # rolled back when the session closes: the lock goes
            questions = [
                {"day": day, "channel": ch, "locale": loc, "action": act, "questions": int(n)}
                for ch, loc, act, _d, n in await session.execute(questions_select(session, period))
            ]
            merged: dict[tuple[str, str, str], int] = {}  # NULL and "?" locales are one
            for row in questions:
                key = (row["channel"], row["locale"], row["action"])
                merged[key] = merged.get(key, 0) + row["questions"]
            questions = [
                {"day": day, "channel": c, "locale": loc, "action": a, "questions": n}
                for (c, loc, a), n in merged.items()
            ]
            feedback = [
                {"day": day, "channel": ch, "locale": loc, "faq_id": str(faq), "helpful": bool(h),
                 "answers": int(n)}
                for ch, loc, faq, h, n in await session.execute(feedback_select(period))
            ]  # fmt: skip
            replies = await self._replies(session, day)
            rows, total, up = (await self._fingerprints(session, day)).get(day, (0, 0, 0))
            for table in (*ROLLUP_TABLES, InsightsDay):
                await session.execute(delete(table).where(table.day == day))
            for table, values in ((InsightsQuestions, questions), (InsightsFeedback, feedback)):
                if values:
                    await session.execute(insert(table), values)
            # thousands of merchants a day: copied inside the database, not through Python
            # (which would hold the event loop while it converts them)
            active = active_select(period).subquery()
            await session.execute(
                insert(InsightsActive).from_select(
                    ["day", "merchant_id", "channel", "locale"],
                    select(literal(day, Date), active.c.merchant_id, active.c.channel,
                           active.c.locale),
                )
            )  # fmt: skip
            await session.execute(
                insert(InsightsDay).values(
                    day=day,
                    built_at=now,
                    replies=replies,
                    feedback_rows=rows,
                    feedback_sum=total,
                    feedback_up_sum=up,
                )
            )
            await session.commit()
        return True

    async def _replies(self, session: AsyncSession, day: date) -> int:
        count = await session.scalar(
            select(func.count()).select_from(Message).where(*replies_where(day_range(day)))
        )
        return int(count or 0)

    async def _fingerprints(
        self, session: AsyncSession, day: date | None = None
    ) -> dict[date, Fingerprint]:
        """Each day's feedback fingerprint (of one day, when given)."""
        on = day_of(session, Feedback.updated_at).label("day")
        statement = select(
            on,
            func.count(),
            func.coalesce(func.sum(Feedback.message_id), 0),
            func.coalesce(func.sum(case((Feedback.helpful, Feedback.message_id), else_=0)), 0),
        ).group_by(on)
        if day is not None:
            start, end = day_range(day)
            statement = statement.where(Feedback.updated_at >= start, Feedback.updated_at < end)
        result = await session.execute(statement)
        return {_as_date(d): (int(n), int(s), int(u)) for d, n, s, u in result}
