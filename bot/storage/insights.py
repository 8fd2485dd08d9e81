"""The insights' aggregates in SQL, the same on SQLite and PostgreSQL (``InsightsSource``).

The counting is done by the database (GROUP BY over the period's bot replies, which carry the
FAQ decision: a question is the inbound message they reply to); only the period's tickets come
back as rows, for the medians and p90s computed in ``bot.core.insights``.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Date, and_, case, cast, exists, func, or_, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from sqlalchemy.orm import aliased
from sqlalchemy.sql.elements import ColumnElement

from bot.core.insights import (
    ACTIONS,
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
from bot.storage.models import Feedback, Merchant, Message, TicketRow

UNKNOWN = "?"  # a reply stored without a locale


def _day(session: AsyncSession, column: Any) -> Any:
    """The UTC calendar day of a timestamp column."""
    bind = session.bind
    if bind is not None and bind.dialect.name == "postgresql":
        return cast(func.timezone("UTC", column), Date)
    return func.date(column)  # SQLite stores UTC text: "YYYY-MM-DD HH:MM:SS"


class SqlInsights:
    """The aggregates behind the insights page and ``report stats``."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.sessions: async_sessionmaker[AsyncSession] = create_sessionmaker(engine)

    def _replies(self, query: InsightsQuery) -> list[ColumnElement[bool]]:
        """The bot's replies in the period, in the query's language and channel."""
        where: list[ColumnElement[bool]] = [
            Message.direction == "out",
            Message.reply_to.is_not(None),
            Message.created_at >= query.since,
            Message.created_at < query.until,
        ]
        if query.locale:
            where.append(Message.locale == query.locale)
        if query.channel:
            where.append(Merchant.channel == query.channel)
        return where

    async def rows(self, query: InsightsQuery) -> InsightsRows:
        """The period's grouped counts and its tickets."""
        async with self.sessions() as session:
            rows = InsightsRows()
            await self._questions(session, query, rows)
            await self._conversations(session, query, rows)
            await self._feedback(session, query, rows)
            await self._tickets(session, query, rows)
            return rows

    async def _questions(
        self, session: AsyncSession, query: InsightsQuery, rows: InsightsRows
    ) -> None:
        day = _day(session, Message.created_at).label("day")
        result = await session.execute(
            select(
                Merchant.channel,
                Message.locale,
                Message.action,
                day,
                func.count(func.distinct(Message.reply_to)),
            )
            .join(Merchant, Merchant.id == Message.merchant_id)
            .where(*self._replies(query), Message.action.in_(ACTIONS))
            .group_by(Merchant.channel, Message.locale, Message.action, day)
        )
        rows.questions = [
            QuestionCount(channel, locale or UNKNOWN, action, str(d)[:10], int(n))
            for channel, locale, action, d, n in result
        ]

    async def _conversations(
        self, session: AsyncSession, query: InsightsQuery, rows: InsightsRows
    ) -> None:
        active = (
            select(Message.merchant_id, Merchant.channel, Message.locale)
            .join(Merchant, Merchant.id == Message.merchant_id)
            .where(*self._replies(query))
            .distinct()
            .subquery()
        )
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
            ConversationCount(channel, locale or UNKNOWN, int(n), int(d or 0))
            for channel, locale, n, d in result
        ]
        merchants = (
            select(Message.merchant_id)
            .join(Merchant, Merchant.id == Message.merchant_id)
            .where(*self._replies(query))
            .distinct()
            .subquery()
        )
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

    async def _feedback(
        self, session: AsyncSession, query: InsightsQuery, rows: InsightsRows
    ) -> None:
        reply = aliased(Message)
        where: list[ColumnElement[bool]] = [
            Feedback.updated_at >= query.since,
            Feedback.updated_at < query.until,
        ]
        if query.locale:
            where.append(reply.locale == query.locale)
        if query.channel:
            where.append(Merchant.channel == query.channel)
        result = await session.execute(
            select(reply.faq_id, Feedback.helpful, func.count(func.distinct(Feedback.message_id)))
            .join(
                reply,
                and_(
                    reply.reply_to == Feedback.message_id,
                    reply.direction == "out",
                    reply.faq_id.is_not(None),
                ),
            )
            .join(Merchant, Merchant.id == Feedback.merchant_id)
            .where(*where)
            .group_by(reply.faq_id, Feedback.helpful)
        )
        counts: dict[str, list[int]] = {}
        for faq_id, helpful, n in result:
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
