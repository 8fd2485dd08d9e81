"""The insights' statements over the raw tables, for one time range.

The insights page reads a period as built daily roll-ups plus the raw rows of the rest (today,
a partial first day, a day not built yet); the roll-ups are built from these same statements
over one day. One definition of each figure, so the two ways cannot drift apart.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Date, Select, and_, cast, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased
from sqlalchemy.sql.elements import ColumnElement

from bot.core.insights import ACTIONS
from bot.storage.models import Feedback, Merchant, Message

UNKNOWN = "?"  # a reply stored without a locale
# A [start, end) time range. A period with holes (the built days) is read one range at a time:
# an OR of ranges keeps SQLite from the (direction, created_at) index, and it scans every reply.
Range = tuple[datetime, datetime]
Ranges = Sequence[Range]  # not overlapping
AnySelect = Select[*tuple[Any, ...]]  # a SELECT of any columns


def day_of(session: AsyncSession, column: Any) -> Any:
    """The UTC calendar day of a timestamp column."""
    bind = session.bind
    if bind is not None and bind.dialect.name == "postgresql":
        return cast(func.timezone("UTC", column), Date)
    return func.date(column)  # SQLite stores UTC text: "YYYY-MM-DD HH:MM:SS"


def within(column: Any, period: Range) -> ColumnElement[bool]:
    """The column's time falls in the range."""
    return and_(column >= period[0], column < period[1])


def replies_where(
    period: Range, locale: str | None = None, channel: str | None = None
) -> list[ColumnElement[bool]]:
    """The bot's replies in the range, in a language and channel (``Merchant`` joined)."""
    where: list[ColumnElement[bool]] = [
        Message.direction == "out",
        Message.reply_to.is_not(None),
        within(Message.created_at, period),
    ]
    if locale:  # "?" asks for the replies stored without one
        where.append(func.coalesce(Message.locale, UNKNOWN) == locale)
    if channel:
        where.append(Merchant.channel == channel)
    return where


def questions_select(
    session: AsyncSession, period: Range, locale: str | None = None, channel: str | None = None
) -> AnySelect:
    """Questions (the inbound messages replies answer) by channel, locale, decision and day."""
    day = day_of(session, Message.created_at).label("day")
    return (
        select(
            Merchant.channel,
            func.coalesce(Message.locale, UNKNOWN),
            Message.action,
            day,
            func.count(func.distinct(Message.reply_to)),
        )
        .join(Merchant, Merchant.id == Message.merchant_id)
        .where(*replies_where(period, locale, channel), Message.action.in_(ACTIONS))
        .group_by(Merchant.channel, Message.locale, Message.action, day)
    )


def active_select(
    period: Range, locale: str | None = None, channel: str | None = None
) -> AnySelect:
    """The merchants the bot replied to, with their channel and the replies' locale."""
    return (
        select(
            Message.merchant_id.label("merchant_id"),
            Merchant.channel.label("channel"),
            func.coalesce(Message.locale, UNKNOWN).label("locale"),
        )
        .join(Merchant, Merchant.id == Message.merchant_id)
        .where(*replies_where(period, locale, channel))
        .distinct()
    )


def feedback_select(
    period: Range, locale: str | None = None, channel: str | None = None
) -> AnySelect:
    """👍/👎 last given in the range, by channel, the answer's locale, entry and verdict."""
    reply = aliased(Message)
    where: list[ColumnElement[bool]] = [within(Feedback.updated_at, period)]
    if locale:
        where.append(func.coalesce(reply.locale, UNKNOWN) == locale)
    if channel:
        where.append(Merchant.channel == channel)
    reply_locale = func.coalesce(reply.locale, UNKNOWN)
    return (
        select(
            Merchant.channel,
            reply_locale,
            reply.faq_id,
            Feedback.helpful,
            func.count(func.distinct(Feedback.message_id)),
        )
        .join(
            reply,
            and_(
                reply.reply_to == Feedback.message_id,
                # a function of the column, not the column: SQLite (no statistics) would
                # otherwise scan every reply by the direction index instead of looking the
                # day's few feedback rows up by reply_to
                func.coalesce(reply.direction, "") == "out",
                reply.faq_id.is_not(None),
            ),
        )
        .join(Merchant, Merchant.id == Feedback.merchant_id)
        .where(*where)
        .group_by(Merchant.channel, reply_locale, reply.faq_id, Feedback.helpful)
    )
