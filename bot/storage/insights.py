"""The insights' aggregates in SQL, the same on SQLite and PostgreSQL (``InsightsSource``).

The counting is done by the database (GROUP BY over the period's bot replies, which carry the
FAQ decision: a question is the inbound message they reply to); only the period's tickets come
back as rows, for the medians and p90s computed in ``bot.core.insights``.

A period is read as the daily roll-ups of its built days (``bot.storage.rollups``) plus the raw
rows of the rest: today, a first or last day only partly inside, a day not built yet. Both come
from the same statements (``bot.storage.insights_sql``), so the figures are the same either way
(``rollups=False`` reads every raw row, as the benchmark and the equality tests do).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any, TypeVar

from sqlalchemy import and_, case, exists, func, or_, select, union
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from sqlalchemy.orm import InstrumentedAttribute, aliased
from sqlalchemy.sql.elements import ColumnElement

from bot.core.insights import (
    DISLIKED,
    ConversationCount,
    FeedbackCount,
    InsightsQuery,
    InsightsRows,
    QuestionCount,
    TicketFacts,
)
from bot.core.ports import UnansweredQuestion
from bot.storage.database import create_sessionmaker
from bot.storage.insights_sql import (
    AnySelect,
    Ranges,
    active_select,
    feedback_select,
    questions_select,
)
from bot.storage.models import (
    Feedback,
    InsightsActive,
    InsightsFeedback,
    InsightsQuestions,
    Message,
    TicketRow,
)
from bot.storage.rollups import built_days, live_ranges

S = TypeVar("S", bound=AnySelect)


def _filtered(statement: S, table: Any, query: InsightsQuery) -> S:
    """A roll-up table's rows in the query's language and channel."""
    if query.locale:
        statement = statement.where(table.locale == query.locale)
    if query.channel:
        statement = statement.where(table.channel == query.channel)
    return statement


def _on(column: InstrumentedAttribute[date], days: Sequence[date]) -> ColumnElement[bool]:
    """A roll-up row of one of the built ``days``: a range, not IN (...), for the index. The
    same rows: a day's roll-ups exist while it is built, and ``days`` are all the built days
    inside the period."""
    return column.between(days[0], days[-1])


@dataclass(frozen=True)
class _Span:
    """One read of a period: its session and query, its built days and the live ranges."""

    session: AsyncSession
    query: InsightsQuery
    days: Sequence[date]  # read from the roll-ups
    live: Ranges  # read from the raw rows


class SqlInsights:
    """The aggregates behind the insights page and ``report stats``."""

    def __init__(self, engine: AsyncEngine, *, rollups: bool = True) -> None:
        self.sessions: async_sessionmaker[AsyncSession] = create_sessionmaker(engine)
        self.rollups = rollups  # False: every figure from the raw rows

    async def rows(self, query: InsightsQuery) -> InsightsRows:
        """The period's grouped counts and its tickets."""
        async with self.sessions() as session:
            days = await built_days(session, query.since, query.until) if self.rollups else []
            live = live_ranges(query.since, query.until, days)
            rows = InsightsRows()
            span = _Span(session, query, days, live)
            await self._questions(span, rows)
            await self._conversations(span, rows)
            await self._feedback(span, rows)
            await self._tickets(session, query, rows)
            return rows

    async def _questions(self, span: _Span, rows: InsightsRows) -> None:
        session, query, days = span.session, span.query, span.days
        # the raw rows' statement and the roll-up's give the same columns
        statements = [
            questions_select(session, period, query.locale, query.channel) for period in span.live
        ]
        if days:
            q = InsightsQuestions
            statement = select(q.channel, q.locale, q.action, q.day, q.questions)
            statements.append(_filtered(statement.where(_on(q.day, days)), q, query))
        found: list[QuestionCount] = []
        for statement in statements:
            found += [
                QuestionCount(channel, locale, action, str(d)[:10], int(n))
                for channel, locale, action, d, n in await session.execute(statement)
            ]
        rows.questions = found

    async def _conversations(self, span: _Span, rows: InsightsRows) -> None:
        session, query, days = span.session, span.query, span.days
        parts = [active_select(period, query.locale, query.channel) for period in span.live]
        if days:
            a = InsightsActive
            statement = select(a.merchant_id, a.channel, a.locale).where(_on(a.day, days))
            parts.append(_filtered(statement, a, query).distinct())  # one row a day
        if not parts:  # an empty period
            parts.append(active_select((query.since, query.since)))
        # UNION (not ALL): a merchant replied to on several days is one conversation
        active = (union(*parts) if len(parts) > 1 else parts[0]).subquery()
        ticketed = exists().where(
            TicketRow.merchant_id == active.c.merchant_id,
            TicketRow.created_at >= query.since,
            TicketRow.created_at < query.until,
        )
        solved = func.sum(case((ticketed, 0), else_=1))
        result = await session.execute(
            select(active.c.channel, active.c.locale, func.count(), solved).group_by(
                active.c.channel, active.c.locale
            )
        )
        rows.conversations = [
            ConversationCount(channel, locale, int(n), int(d or 0))
            for channel, locale, n, d in result
        ]
        merchants = select(active.c.merchant_id).distinct().subquery()
        ticketed_total = exists().where(
            TicketRow.merchant_id == merchants.c.merchant_id,
            TicketRow.created_at >= query.since,
            TicketRow.created_at < query.until,
        )
        total = (
            await session.execute(
                select(func.count(), func.sum(case((ticketed_total, 0), else_=1))).select_from(
                    merchants
                )
            )
        ).one()
        rows.conversations_total, rows.deflected_total = int(total[0]), int(total[1] or 0)

    async def _feedback(self, span: _Span, rows: InsightsRows) -> None:
        session, query, days = span.session, span.query, span.days
        counts: dict[str, list[int]] = {}
        found: list[Any] = []
        for period in span.live:
            result = await session.execute(feedback_select(period, query.locale, query.channel))
            found += [(faq_id, helpful, n) for _ch, _loc, faq_id, helpful, n in result]
        if days:
            f = InsightsFeedback
            statement = select(f.faq_id, f.helpful, f.answers).where(_on(f.day, days))
            found += list(await session.execute(_filtered(statement, f, query)))
        for faq_id, helpful, n in found:
            counts.setdefault(str(faq_id), [0, 0])[0 if helpful else 1] += int(n)
        rows.feedback = [FeedbackCount(k, up, down) for k, (up, down) in counts.items()]

    async def _tickets(
        self, session: AsyncSession, query: InsightsQuery, rows: InsightsRows
    ) -> None:
        where: list[ColumnElement[bool]] = [
            or_(
                and_(TicketRow.created_at >= query.since, TicketRow.created_at < query.until),
                and_(TicketRow.resolved_at >= query.since, TicketRow.resolved_at < query.until),
            )
        ]
        if query.locale:
            where.append(TicketRow.locale == query.locale)
        if query.channel:
            where.append(TicketRow.channel == query.channel)
        if query.team:
            where.append(TicketRow.team == query.team)
        result = await session.execute(
            select(
                TicketRow.channel,
                TicketRow.locale,
                TicketRow.team,
                TicketRow.created_at,
                TicketRow.first_response_at,
                TicketRow.resolved_at,
                TicketRow.rating,
            ).where(*where)
        )
        rows.tickets = [TicketFacts(*row) for row in result]

    async def disliked(self, since: datetime | None, limit: int = 500) -> list[UnansweredQuestion]:
        """Questions whose answer got a 👎, the latest first, as unanswered questions."""
        question, reply = aliased(Message), aliased(Message)
        first_reply = (
            select(func.min(reply.id))
            .where(reply.reply_to == Feedback.message_id, reply.faq_id.is_not(None))
            .correlate(Feedback)
            .scalar_subquery()
        )
        statement = (
            select(
                Feedback.message_id,
                question.text,
                reply.locale,
                reply.faq_id,
                reply.score,
                Feedback.updated_at,
            )
            .join(question, question.id == Feedback.message_id)
            .join(reply, reply.id == first_reply)
            .where(Feedback.helpful.is_(False))
            .order_by(Feedback.updated_at.desc())
            .limit(limit)
        )
        if since is not None:
            statement = statement.where(Feedback.updated_at >= since)
        async with self.sessions() as session:
            result = await session.execute(statement)
            found = [
                UnansweredQuestion(
                    message_id=message_id,
                    text=text,
                    locale=locale or "en",
                    action=DISLIKED,
                    score=float(score or 0.0),
                    candidates=((str(faq_id), float(score or 0.0)),),
                    created_at=at.astimezone(UTC),
                )
                for message_id, text, locale, faq_id, score, at in result
            ]
        found.reverse()  # oldest first, like the unanswered log
        return found
