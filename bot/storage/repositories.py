"""The core's repositories on an AsyncSession. They flush but never commit."""

from __future__ import annotations

from dataclasses import asdict
from datetime import UTC
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.clock import Clock, system_clock
from bot.core.ports import MerchantRecord, NewMessage, StoredMessage, UnansweredQuestion
from bot.core.types import Button, Direction, Location, MerchantKey, Venue
from bot.storage.models import Base, Delivery, Feedback, Merchant, Message, UnansweredQuestionRow


def insert_for(session: AsyncSession, model: type[Base]) -> sqlite.Insert | postgresql.Insert:
    """An INSERT with ON CONFLICT support for the session's database."""
    bind = session.bind
    name = bind.dialect.name if bind is not None else ""
    if name == "postgresql":
        return postgresql.insert(model)
    if name == "sqlite":
        return sqlite.insert(model)
    raise RuntimeError(f"unsupported database: {name or 'no engine bound'}")


def _merchant_record(row: Merchant) -> MerchantRecord:
    location = None
    if row.lat is not None and row.lon is not None:
        location = Location(row.lat, row.lon)
    return MerchantRecord(
        id=row.id,
        key=MerchantKey(row.channel, row.channel_user_id),
        locale=row.locale,
        locale_pinned=row.locale_pinned,
        location=location,
        centre_id=row.centre_id,
        display_name=row.display_name,
        feedback_asked_at=row.feedback_asked_at,
    )


def _venue(data: dict[str, Any] | None) -> Venue | None:
    if not data:
        return None
    return Venue(str(data["title"]), str(data["address"]), float(data["lat"]), float(data["lon"]))


def _stored_message(row: Message) -> StoredMessage:
    direction: Direction = "in" if row.direction == "in" else "out"
    return StoredMessage(
        merchant_id=row.merchant_id,
        direction=direction,
        kind=row.kind,
        text=row.text,
        payload=row.payload,
        channel_message_id=row.channel_message_id,
        reply_to=row.reply_to,
        locale=row.locale,
        action=row.action,
        faq_id=row.faq_id,
        score=row.score,
        buttons=tuple(Button(b["label"], b["payload"]) for b in row.buttons),
        venue=_venue(row.venue),
        id=row.id,
        created_at=row.created_at,
        seq=row.seq,
    )


class SqlMerchantRepository:
    """Merchants by channel identity."""

    def __init__(self, session: AsyncSession, clock: Clock = system_clock) -> None:
        self.session = session
        self._clock = clock

    async def get_or_create(self, key: MerchantKey) -> MerchantRecord:
        """The merchant for a channel identity, created on first contact (race-safe)."""
        now = self._clock()
        await self.session.execute(
            insert_for(self.session, Merchant)
            .values(
                channel=key.channel,
                channel_user_id=key.user_id,
                locale_pinned=False,
                created_at=now,
                updated_at=now,
            )
            .on_conflict_do_nothing(index_elements=["channel", "channel_user_id"])
        )
        row = await self.session.scalar(
            select(Merchant)
            .where(Merchant.channel == key.channel, Merchant.channel_user_id == key.user_id)
            .execution_options(populate_existing=True)
        )
        assert row is not None
        return _merchant_record(row)

    async def get(self, merchant_id: int) -> MerchantRecord | None:
        """A merchant by id."""
        row = await self.session.get(Merchant, merchant_id, populate_existing=True)
        return _merchant_record(row) if row is not None else None

    async def update(self, merchant: MerchantRecord) -> None:
        """Store the merchant's locale, location, centre and last feedback prompt."""
        location = merchant.location
        await self.session.execute(
            update(Merchant)
            .where(Merchant.id == merchant.id)
            .values(
                locale=merchant.locale,
                locale_pinned=merchant.locale_pinned,
                lat=location.lat if location else None,
                lon=location.lon if location else None,
                centre_id=merchant.centre_id,
                display_name=merchant.display_name,
                feedback_asked_at=merchant.feedback_asked_at,
                updated_at=self._clock(),
            )
            .execution_options(synchronize_session=False)
        )


class SqlMessageRepository:
    """Every inbound and outbound message, with the FAQ decision taken."""

    def __init__(self, session: AsyncSession, clock: Clock = system_clock) -> None:
        self.session = session
        self._clock = clock

    async def add(self, message: NewMessage) -> StoredMessage:
        """Store one message; returns it with its id."""
        row = Message(
            merchant_id=message.merchant_id,
            direction=message.direction,
            kind=message.kind,
            text=message.text,
            payload=message.payload,
            channel_message_id=message.channel_message_id,
            reply_to=message.reply_to,
            locale=message.locale,
            action=message.action,
            faq_id=message.faq_id,
            score=message.score,
            buttons=[{"label": b.label, "payload": b.payload} for b in message.buttons],
            venue=asdict(message.venue) if message.venue is not None else None,
            created_at=self._clock(),
            seq=await self._next_seq(message.merchant_id),
        )
        self.session.add(row)
        await self.session.flush()
        return _stored_message(row)

    async def _next_seq(self, merchant_id: int) -> int:
        """The merchant's next ``seq``; its row stays locked until this transaction ends.

        So a second transaction adding a message for the merchant waits for this one to commit
        and numbers after it: ``seq`` follows commit order (SQLite has one writer anyway).
        """
        seq: int | None = await self.session.scalar(
            update(Merchant)
            .where(Merchant.id == merchant_id)
            .values(last_seq=Merchant.last_seq + 1)
            .returning(Merchant.last_seq)
            .execution_options(synchronize_session=False)
        )
        if seq is None:
            raise LookupError(f"no merchant {merchant_id}")
        return seq

    async def get(self, message_id: int) -> StoredMessage | None:
        """One message by id."""
        row = await self.session.get(Message, message_id)
        return _stored_message(row) if row is not None else None

    async def history(self, merchant_id: int, limit: int = 100) -> list[StoredMessage]:
        """A merchant's latest messages, oldest first."""
        rows = await self.session.scalars(
            select(Message)
            .where(Message.merchant_id == merchant_id)
            .order_by(Message.seq.desc())
            .limit(limit)
        )
        return [_stored_message(row) for row in reversed(rows.all())]

    async def replies_to(self, message_id: int) -> list[StoredMessage]:
        """The bot's messages answering one inbound message, in order."""
        rows = await self.session.scalars(
            select(Message)
            .where(Message.reply_to == message_id, Message.direction == "out")
            .order_by(Message.id)
        )
        return [_stored_message(row) for row in rows]

    async def since(self, merchant_id: int, after: int, limit: int = 100) -> list[StoredMessage]:
        """A merchant's messages with ``seq`` above ``after``, in commit order."""
        rows = await self.session.scalars(
            select(Message)
            .where(Message.merchant_id == merchant_id, Message.seq > after)
            .order_by(Message.seq)
            .limit(limit)
        )
        return [_stored_message(row) for row in rows]


class SqlDeliveryRepository:
    """Processed-delivery keys, so a repeat delivery gets one answer."""

    def __init__(self, session: AsyncSession, clock: Clock = system_clock) -> None:
        self.session = session
        self._clock = clock

    async def claim(self, channel: str, key: str, message_id: int) -> bool:
        """Record a delivery key; False when it was seen before (a repeat delivery)."""
        result = await self.session.execute(
            insert_for(self.session, Delivery)
            .values(channel=channel, key=key, message_id=message_id, created_at=self._clock())
            .on_conflict_do_nothing(index_elements=["channel", "key"])
            .returning(Delivery.message_id)
        )
        return result.first() is not None

    async def message_for(self, channel: str, key: str) -> int | None:
        """The inbound message stored for a delivery key, if any."""
        found: int | None = await self.session.scalar(
            select(Delivery.message_id).where(Delivery.channel == channel, Delivery.key == key)
        )
        return found


class SqlFeedbackRepository:
    """Whether an answer helped, one row per question."""

    def __init__(self, session: AsyncSession, clock: Clock = system_clock) -> None:
        self.session = session
        self._clock = clock

    async def record(self, message_id: int, merchant_id: int, helpful: bool) -> None:
        """Store (or change) whether an answer helped; ``message_id`` is the question."""
        now = self._clock()
        stmt = insert_for(self.session, Feedback).values(
            message_id=message_id,
            merchant_id=merchant_id,
            helpful=helpful,
            created_at=now,
            updated_at=now,
        )
        await self.session.execute(
            stmt.on_conflict_do_update(
                index_elements=["message_id"],
                set_={
                    "merchant_id": stmt.excluded.merchant_id,
                    "helpful": stmt.excluded.helpful,
                    "updated_at": stmt.excluded.updated_at,
                },
            )
        )


class SqlUnansweredRepository:
    """Questions the FAQ could not answer confidently."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, question: UnansweredQuestion) -> None:
        """Log a question that got no confident answer."""
        self.session.add(
            UnansweredQuestionRow(
                message_id=question.message_id,
                text=question.text,
                locale=question.locale,
                action=question.action,
                score=question.score,
                candidates=[[faq_id, score] for faq_id, score in question.candidates],
                created_at=question.created_at.astimezone(UTC),
            )
        )
        await self.session.flush()

    async def all(self) -> list[UnansweredQuestion]:
        """Every logged question, oldest first."""
        rows = await self.session.scalars(
            select(UnansweredQuestionRow).order_by(UnansweredQuestionRow.id)
        )
        return [_unanswered(row) for row in rows]


def _unanswered(row: UnansweredQuestionRow) -> UnansweredQuestion:
    candidates: list[list[Any]] = row.candidates
    return UnansweredQuestion(
        message_id=row.message_id,
        text=row.text,
        locale=row.locale,
        action=row.action,
        score=row.score,
        candidates=tuple((str(c[0]), float(c[1])) for c in candidates),
        created_at=row.created_at,
    )
