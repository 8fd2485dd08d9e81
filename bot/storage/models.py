"""Tables: merchants, messages, feedback, unanswered questions, deliveries, tickets, staff."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UtcDateTime(TypeDecorator[datetime]):
    """A timestamp stored as UTC and read back timezone-aware on every database.

    No column has a default time: the code always passes one, read from the service's clock
    (``bot.core.clock``; the units of work stamp their own rows with it), so that no row carries
    the database's or the machine's time instead.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """Convert to UTC (a naive time is taken as local time)."""
        if value is None:
            return None
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        """Attach UTC where the database returns a naive time."""
        if value is None:
            return None
        assert isinstance(value, datetime)
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class Merchant(Base):
    __tablename__ = "merchants"
    __table_args__ = (UniqueConstraint("channel", "channel_user_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    channel: Mapped[str] = mapped_column(String(32))
    channel_user_id: Mapped[str] = mapped_column(String(255))
    locale: Mapped[str | None] = mapped_column(String(16))
    locale_pinned: Mapped[bool] = mapped_column(Boolean, default=False)
    lat: Mapped[float | None] = mapped_column(Float)
    lon: Mapped[float | None] = mapped_column(Float)
    centre_id: Mapped[str | None] = mapped_column(String(64))
    display_name: Mapped[str | None] = mapped_column(String(128))
    # When the merchant was last asked "Did this help?" (on the core's clock): one per burst.
    feedback_asked_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # The seq of the merchant's latest message; bumped (row locked until commit) per message.
    last_seq: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)


class Message(Base):
    __tablename__ = "messages"
    __table_args__ = (
        CheckConstraint("direction IN ('in', 'out')", name="direction"),
        Index("ix_messages_merchant_id_id", "merchant_id", "id"),
        Index("uq_messages_merchant_id_seq", "merchant_id", "seq", unique=True),
        Index("ix_messages_direction_created_at", "direction", "created_at"),  # insights
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    merchant_id: Mapped[int] = mapped_column(ForeignKey("merchants.id", ondelete="CASCADE"))
    # The merchant's messages numbered in commit order (see SqlMessageRepository.add).
    seq: Mapped[int] = mapped_column(Integer, server_default="0")
    direction: Mapped[str] = mapped_column(String(3))
    kind: Mapped[str] = mapped_column(String(16))
    text: Mapped[str] = mapped_column(Text)
    payload: Mapped[str] = mapped_column(Text, default="")
    channel_message_id: Mapped[str | None] = mapped_column(String(255))
    reply_to: Mapped[int | None] = mapped_column(
        ForeignKey("messages.id", ondelete="SET NULL"), index=True
    )
    locale: Mapped[str | None] = mapped_column(String(16))
    action: Mapped[str | None] = mapped_column(String(16))
    faq_id: Mapped[str | None] = mapped_column(String(128))
    score: Mapped[float | None] = mapped_column(Float)
    buttons: Mapped[list[dict[str, str]]] = mapped_column(JSON, default=list)
    venue: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


class Feedback(Base):
    __tablename__ = "feedback"
    # insights: the 👍/👎 given in a period or on a day (their last change)
    __table_args__ = (Index("ix_feedback_updated_at", "updated_at"),)

    message_id: Mapped[int] = mapped_column(
        ForeignKey("messages.id", ondelete="CASCADE"), primary_key=True
    )
    merchant_id: Mapped[int] = mapped_column(
        ForeignKey("merchants.id", ondelete="CASCADE"), index=True
    )
    helpful: Mapped[bool] = mapped_column(Boolean)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)


class UnansweredQuestionRow(Base):
    __tablename__ = "unanswered_questions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    message_id: Mapped[int] = mapped_column(
        ForeignKey("messages.id", ondelete="CASCADE"), index=True
    )
    text: Mapped[str] = mapped_column(Text)
    locale: Mapped[str] = mapped_column(String(16))
    action: Mapped[str] = mapped_column(String(16))
    score: Mapped[float] = mapped_column(Float)
    candidates: Mapped[list[list[Any]]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


class Delivery(Base):
    __tablename__ = "deliveries"

    channel: Mapped[str] = mapped_column(String(32), primary_key=True)
    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    message_id: Mapped[int] = mapped_column(
        ForeignKey("messages.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


UNRESOLVED = "status != 'resolved'"  # the partial unique index: one open ticket per merchant


class TicketRow(Base):
    __tablename__ = "tickets"
    __table_args__ = (
        CheckConstraint("status IN ('open', 'assigned', 'waiting', 'resolved')", name="status"),
        Index("ix_tickets_status_team", "status", "team"),
        Index("ix_tickets_merchant_id_created_at", "merchant_id", "created_at"),  # insights
        Index(
            "uq_tickets_merchant_id_unresolved",
            "merchant_id",
            unique=True,
            sqlite_where=text(UNRESOLVED),
            postgresql_where=text(UNRESOLVED),
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    merchant_id: Mapped[int] = mapped_column(
        ForeignKey("merchants.id", ondelete="CASCADE"), index=True
    )
    channel: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16), default="open")
    reason: Mapped[str] = mapped_column(String(64))
    locale: Mapped[str] = mapped_column(String(16))
    team: Mapped[str] = mapped_column(String(64))
    assignee: Mapped[str | None] = mapped_column(String(64))
    rating: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)
    first_response_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    resolved_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    last_merchant_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class TicketEventRow(Base):
    __tablename__ = "ticket_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ticket_id: Mapped[int] = mapped_column(
        ForeignKey("tickets.id", ondelete="CASCADE"), index=True
    )
    actor: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(32))
    detail: Mapped[str] = mapped_column(Text, default="")
    message_id: Mapped[int | None] = mapped_column(ForeignKey("messages.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


class _Leased:
    """The columns of a queue whose items a sender claims for a lease and retries (the outbox,
    team alerts); they come after the table's own columns."""

    status: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str] = mapped_column(Text, default="")
    next_attempt_at: Mapped[datetime] = mapped_column(UtcDateTime)
    lease_until: Mapped[datetime | None] = mapped_column(UtcDateTime)  # while "sending"
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


class OutboxRow(_Leased, Base):
    __tablename__ = "outbox"
    __table_args__ = (
        CheckConstraint("status IN ('pending', 'sending', 'sent', 'failed')", name="status"),
        Index("ix_outbox_status_next_attempt_at", "status", "next_attempt_at"),
        Index("ix_outbox_merchant_id_id", "merchant_id", "id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    message_id: Mapped[int] = mapped_column(
        ForeignKey("messages.id", ondelete="CASCADE"), unique=True
    )
    # NULL: a bot answer its channel queued while the merchant had no open ticket
    ticket_id: Mapped[int | None] = mapped_column(
        ForeignKey("tickets.id", ondelete="CASCADE"), index=True
    )
    merchant_id: Mapped[int] = mapped_column(ForeignKey("merchants.id", ondelete="CASCADE"))
    channel: Mapped[str] = mapped_column(String(32))


class OutboxAttemptRow(Base):
    """Every claim of an outbox item for an external send, and how it ended."""

    __tablename__ = "outbox_attempts"
    __table_args__ = (
        CheckConstraint(
            "result IN ('sending', 'sent', 'failed', 'unavailable')", name="result"
        ),
    )

    outbox_id: Mapped[int] = mapped_column(
        ForeignKey("outbox.id", ondelete="CASCADE"), primary_key=True
    )
    attempt: Mapped[int] = mapped_column(Integer, primary_key=True)
    started_at: Mapped[datetime] = mapped_column(UtcDateTime)
    result: Mapped[str] = mapped_column(String(16), default="sending")
    error: Mapped[str] = mapped_column(Text, default="")
    finished_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class StaffAccountRow(Base):
    __tablename__ = "staff_accounts"
    __table_args__ = (CheckConstraint("role IN ('agent', 'admin')", name="role"),)

    username: Mapped[str] = mapped_column(String(64), primary_key=True)
    role: Mapped[str] = mapped_column(String(16))
    password_hash: Mapped[str] = mapped_column(String(255))
    teams: Mapped[list[str]] = mapped_column(JSON, default=list)
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UtcDateTime)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


class StaffSessionRow(Base):
    __tablename__ = "staff_sessions"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    username: Mapped[str] = mapped_column(
        ForeignKey("staff_accounts.username", ondelete="CASCADE"), index=True
    )
    csrf: Mapped[str] = mapped_column(String(64))
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


class TicketRefRow(Base):
    __tablename__ = "ticket_refs"
    __table_args__ = (UniqueConstraint("system", "ref"),)

    ticket_id: Mapped[int] = mapped_column(
        ForeignKey("tickets.id", ondelete="CASCADE"), primary_key=True
    )
    system: Mapped[str] = mapped_column(String(32), primary_key=True)
    ref: Mapped[str] = mapped_column(String(255))


class TeamAlertRow(_Leased, Base):
    """E-mail to a team about a ticket (new, past its target), sent like the outbox's items."""

    __tablename__ = "team_alerts"
    __table_args__ = (
        CheckConstraint("status IN ('pending', 'sending', 'sent', 'failed')", name="status"),
        CheckConstraint("kind IN ('new_ticket', 'overdue')", name="kind"),
        UniqueConstraint("ticket_id", "kind"),
        Index("ix_team_alerts_status_next_attempt_at", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))
    team: Mapped[str] = mapped_column(String(64))
    address: Mapped[str] = mapped_column(String(320))
    subject: Mapped[str] = mapped_column(String(500))
    body: Mapped[str] = mapped_column(Text)


class FileRow(Base):
    """A file a merchant or staff sent (issue 17); the bytes are in the file store."""

    __tablename__ = "files"
    __table_args__ = (Index("ix_files_created_at", "created_at"),)

    id: Mapped[str] = mapped_column(String(64), primary_key=True)  # random, unguessable
    merchant_id: Mapped[int] = mapped_column(
        ForeignKey("merchants.id", ondelete="CASCADE"), index=True
    )
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id", ondelete="SET NULL"))
    message_id: Mapped[int] = mapped_column(
        ForeignKey("messages.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


# Daily roll-ups of the insights (issue 18; built by bot/storage/rollups.py): one UTC day's
# counts, so that a period reads a few rows per day instead of every message.


class InsightsDay(Base):
    """A UTC day whose roll-ups are built, and what they were built from (to see late rows)."""

    __tablename__ = "insights_days"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    built_at: Mapped[datetime] = mapped_column(UtcDateTime)
    replies: Mapped[int] = mapped_column(Integer)  # the bot's replies stamped that day
    # The feedback whose last change was that day: rows, and sums of their question ids (all,
    # and the 👍 ones): a 👍/👎 given, changed or removed later changes one of them.
    feedback_rows: Mapped[int] = mapped_column(Integer)
    feedback_sum: Mapped[int] = mapped_column(BigInteger)
    feedback_up_sum: Mapped[int] = mapped_column(BigInteger)


class InsightsQuestions(Base):
    """Questions of one day by channel, locale and decision."""

    __tablename__ = "insights_questions"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    channel: Mapped[str] = mapped_column(String(32), primary_key=True)
    locale: Mapped[str] = mapped_column(String(16), primary_key=True)
    action: Mapped[str] = mapped_column(String(16), primary_key=True)
    questions: Mapped[int] = mapped_column(Integer)


class InsightsActive(Base):
    """A merchant the bot replied to that day, in a locale: conversations are distinct
    merchants over a period, which daily counts cannot add up to."""

    __tablename__ = "insights_active"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    merchant_id: Mapped[int] = mapped_column(
        ForeignKey("merchants.id", ondelete="CASCADE"), primary_key=True
    )
    locale: Mapped[str] = mapped_column(String(16), primary_key=True)
    channel: Mapped[str] = mapped_column(String(32))


class InsightsFeedback(Base):
    """👍 or 👎 last given that day to one entry's answers, by channel and locale."""

    __tablename__ = "insights_feedback"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    channel: Mapped[str] = mapped_column(String(32), primary_key=True)
    locale: Mapped[str] = mapped_column(String(16), primary_key=True)
    faq_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    helpful: Mapped[bool] = mapped_column(Boolean, primary_key=True)
    answers: Mapped[int] = mapped_column(Integer)
