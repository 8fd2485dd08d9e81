"""What the core needs from storage: repositories and a unit of work (implemented in bot.storage).

Repositories never commit; the unit of work rolls back unless ``commit()`` is called.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from types import TracebackType
from typing import Protocol, Self

from bot.core.types import Button, Direction, EventKind, Location, MerchantKey


@dataclass
class MerchantRecord:
    """A merchant as stored. ``locale`` is the UI locale in use; ``locale_pinned`` when chosen."""

    id: int
    key: MerchantKey
    locale: str | None = None
    locale_pinned: bool = False
    location: Location | None = None
    centre_id: str | None = None


@dataclass(frozen=True)
class NewMessage:
    """A message to store: the merchant's (``in``) or the bot's (``out``)."""

    merchant_id: int
    direction: Direction
    kind: EventKind | str
    text: str
    payload: str = ""
    channel_message_id: str | None = None
    reply_to: int | None = None  # for "out": the inbound message answered
    locale: str | None = None
    action: str | None = None  # the FAQ decision for an inbound question
    faq_id: str | None = None
    score: float | None = None
    buttons: tuple[Button, ...] = ()


@dataclass(frozen=True)
class StoredMessage(NewMessage):
    """A stored message with its id and time."""

    id: int = 0
    created_at: datetime = field(default_factory=datetime.now)


@dataclass(frozen=True)
class UnansweredQuestion:
    """A question the FAQ could not answer confidently, with what the matcher saw."""

    message_id: int
    text: str
    locale: str
    action: str
    score: float
    candidates: tuple[tuple[str, float], ...] = ()
    created_at: datetime = field(default_factory=datetime.now)


class MerchantRepository(Protocol):
    async def get_or_create(self, key: MerchantKey) -> MerchantRecord:
        """The merchant for a channel identity, created on first contact."""
        ...

    async def update(self, merchant: MerchantRecord) -> None:
        """Store the merchant's locale, location and centre."""
        ...


class MessageRepository(Protocol):
    async def add(self, message: NewMessage) -> StoredMessage:
        """Store one message; returns it with its id."""
        ...

    async def get(self, message_id: int) -> StoredMessage | None:
        """One message by id."""
        ...

    async def history(self, merchant_id: int, limit: int = 100) -> list[StoredMessage]:
        """A merchant's latest messages, oldest first."""
        ...

    async def replies_to(self, message_id: int) -> list[StoredMessage]:
        """The bot's messages answering one inbound message, in order."""
        ...


class DeliveryRepository(Protocol):
    async def claim(self, channel: str, key: str, message_id: int) -> bool:
        """Record a delivery key; False when it was seen before (a repeat delivery)."""
        ...

    async def message_for(self, channel: str, key: str) -> int | None:
        """The inbound message stored for a delivery key, if any."""
        ...


class FeedbackRepository(Protocol):
    async def record(self, message_id: int, merchant_id: int, helpful: bool) -> None:
        """Store (or change) whether an answer helped; ``message_id`` is the question."""
        ...


class UnansweredRepository(Protocol):
    async def add(self, question: UnansweredQuestion) -> None:
        """Log a question that got no confident answer."""
        ...

    async def all(self) -> list[UnansweredQuestion]:
        """Every logged question, oldest first."""
        ...


class UnitOfWork(Protocol):
    merchants: MerchantRepository
    messages: MessageRepository
    deliveries: DeliveryRepository
    feedback: FeedbackRepository
    unanswered: UnansweredRepository

    async def __aenter__(self) -> Self: ...

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        """Roll back whatever was not committed."""
        ...

    async def commit(self) -> None:
        """Make the work so far durable."""
        ...

    async def rollback(self) -> None:
        """Discard the work since the last commit."""
        ...
