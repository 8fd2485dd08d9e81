"""What the core needs from storage: repositories and a unit of work (implemented in bot.storage).

Repositories never commit; the unit of work rolls back unless ``commit()`` is called.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from types import TracebackType
from typing import Protocol, Self

from bot.core.accounts import StaffAccount, StaffSession
from bot.core.clock import Clock
from bot.core.files import FileRepository, StoredFile
from bot.core.tickets import (
    AttemptResult,
    NewTicket,
    OutboxItem,
    SendAttempt,
    Ticket,
    TicketEvent,
    TicketFilter,
    utcnow,
)
from bot.core.types import (
    Button,
    Direction,
    EventKind,
    Incoming,
    Location,
    MerchantKey,
    Reply,
    Venue,
)


@dataclass
class MerchantRecord:
    """A merchant as stored. ``locale`` is the UI locale in use; ``locale_pinned`` when chosen."""

    id: int
    key: MerchantKey
    locale: str | None = None
    locale_pinned: bool = False
    location: Location | None = None
    centre_id: str | None = None
    display_name: str | None = None  # as the channel names them (Telegram), for staff
    feedback_asked_at: datetime | None = None  # last "Did this help?" (bot.core.feedback)


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
    venue: Venue | None = None  # a map point shown with the message (a centre)


@dataclass(frozen=True)
class StoredMessage(NewMessage):
    """A stored message with its id and time.

    ``seq`` numbers a merchant's messages in the order they were committed (ids are handed out
    at insert, so on PostgreSQL they can commit out of order): a reader's cursor.
    """

    id: int = 0
    created_at: datetime = field(default_factory=utcnow)
    seq: int = 0
    file: StoredFile | None = None  # its attachment, where the reader filled it in


@dataclass(frozen=True)
class UnansweredQuestion:
    """A question the FAQ could not answer confidently, with what the matcher saw."""

    message_id: int
    text: str
    locale: str
    action: str
    score: float
    candidates: tuple[tuple[str, float], ...] = ()
    created_at: datetime = field(default_factory=utcnow)


class MerchantRepository(Protocol):
    async def get_or_create(self, key: MerchantKey) -> MerchantRecord:
        """The merchant for a channel identity, created on first contact."""
        ...

    async def update(self, merchant: MerchantRecord) -> None:
        """Store the merchant's locale, location and centre."""
        ...

    async def get(self, merchant_id: int) -> MerchantRecord | None:
        """A merchant by id."""
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

    async def since(self, merchant_id: int, after: int, limit: int = 100) -> list[StoredMessage]:
        """A merchant's messages with ``seq`` above ``after``, in commit order.

        Adding a message numbers it under a lock on its merchant held until commit, so a
        message committed later never gets a lower ``seq``: a cursor skips nothing.
        """
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


class TicketRepository(Protocol):
    async def add(self, ticket: NewTicket) -> Ticket:
        """Open a ticket; returns it with its id.

        Raises ``OpenTicketExists`` (the transaction stays usable) when the merchant already
        has an unresolved ticket, also one another transaction opened and committed meanwhile.
        """
        ...

    async def get(self, ticket_id: int) -> Ticket | None:
        """One ticket by id."""
        ...

    async def active_for(self, merchant_id: int) -> Ticket | None:
        """The merchant's unresolved ticket, if any."""
        ...

    async def latest_for(self, merchant_id: int) -> Ticket | None:
        """The merchant's most recent ticket, whatever its status."""
        ...

    async def update(self, ticket: Ticket) -> None:
        """Store the ticket's status, team, assignee, rating and times."""
        ...

    async def find(self, query: TicketFilter) -> list[Ticket]:
        """Tickets matching the filter, oldest first."""
        ...

    async def log(self, event: TicketEvent) -> TicketEvent:
        """Append to the audit trail."""
        ...

    async def events(self, ticket_id: int) -> list[TicketEvent]:
        """A ticket's audit trail, oldest first."""
        ...

    async def open_by_team(self) -> dict[str, int]:
        """How many tickets are active (open, assigned, waiting), by team (for /metrics)."""
        ...


class OutboxRepository(Protocol):
    async def add(
        self, message_id: int, ticket_id: int | None, merchant_id: int, channel: str
    ) -> int:
        """Queue a staff message (or an inbound one's stored answer) for delivery; its id."""
        ...

    async def due(self, now: datetime, limit: int = 50) -> list[OutboxItem]:
        """Pending items whose next attempt is due, oldest first (a read: nothing claimed)."""
        ...

    async def claim(self, now: datetime, lease: timedelta, limit: int = 50) -> list[OutboxItem]:
        """Claim items to send, atomically: they become ``sending`` until ``now + lease``.

        Claimed: due pending items and ``sending`` ones whose lease ran out, each only when no
        earlier item of its merchant is pending or sending (so at most one per merchant, in
        order). A claimed item is never claimed by anyone else before its lease ends. Each
        claim records a ``SendAttempt``; commit to make the claim stick.
        """
        ...

    async def finish_attempt(
        self, item: OutboxItem, result: AttemptResult, error: str, at: datetime
    ) -> None:
        """Record how a claimed item's send attempt (``item.attempt``) ended."""
        ...

    async def attempts(self, item_id: int) -> list[SendAttempt]:
        """Every send attempt of an item, first first."""
        ...

    async def get(self, item_id: int) -> OutboxItem | None:
        """One item by id."""
        ...

    async def for_ticket(self, ticket_id: int) -> list[OutboxItem]:
        """Every item of a ticket (to show sent/pending/failed next to each reply)."""
        ...

    async def save(self, item: OutboxItem) -> None:
        """Store an item's status, attempts, error and next attempt."""
        ...

    async def backlog(self) -> tuple[int, datetime | None]:
        """How many items are not yet sent (pending or being sent), and when the oldest of
        them was queued (None when there are none): for /metrics."""
        ...


class StaffRepository(Protocol):
    async def add(self, account: StaffAccount) -> None:
        """Create an account (the username must be new)."""
        ...

    async def get(self, username: str) -> StaffAccount | None:
        """An account by username."""
        ...

    async def all(self) -> list[StaffAccount]:
        """Every account, by username."""
        ...

    async def update(self, account: StaffAccount) -> None:
        """Store role, teams, password hash, disabled flag and lock-out state."""
        ...

    async def count_failure(self, username: str, now: datetime) -> StaffAccount | None:
        """Count one failed sign-in atomically (``failed_logins + 1`` in the database).

        A lock-out that ended by ``now`` is cleared and the count starts again at 1. Returns the
        account as counted (None for an unknown one); its row stays locked until the unit of
        work ends, so deciding on a lock-out from the count is race-free.
        """
        ...

    async def add_session(self, session: StaffSession) -> None:
        """Remember a signed-in browser."""
        ...

    async def session(self, token_hash: str) -> StaffSession | None:
        """A session by the hash of its cookie token."""
        ...

    async def drop_session(self, token_hash: str) -> None:
        """Sign a browser out."""
        ...

    async def drop_sessions(self, username: str) -> None:
        """Sign every browser of an account out (its password changed)."""
        ...


class TicketRefRepository(Protocol):
    """Where a ticket lives in other systems (its Telegram forum topic, say)."""

    async def set(self, ticket_id: int, system: str, ref: str) -> None:
        """Record (or replace) the ticket's reference in a system."""
        ...

    async def get(self, ticket_id: int, system: str) -> str | None:
        """The ticket's reference in a system, if any."""
        ...

    async def ticket_for(self, system: str, ref: str) -> int | None:
        """The ticket a system's reference points to, if any."""
        ...


class Transaction(Protocol):
    """One transaction, as ``async with``: committed by ``commit``, else rolled back at exit."""

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


class UnitOfWork(Transaction, Protocol):
    """Repositories on one transaction; ``clock`` (the store's, the service's one clock) stamps
    every row they write whose time the caller does not give."""

    clock: Clock
    merchants: MerchantRepository
    messages: MessageRepository
    deliveries: DeliveryRepository
    feedback: FeedbackRepository
    unanswered: UnansweredRepository
    tickets: TicketRepository
    outbox: OutboxRepository
    staff: StaffRepository
    ticket_refs: TicketRefRepository
    files: FileRepository

    async def rollback(self) -> None:
        """Discard the work since the last commit."""
        ...


class SentRecording(Protocol):
    """How far the answer to one delivery went out, recorded as each of the channel's sends
    of it returns (``Conversation.recorder``): ``open`` before a send takes a unit of work (a
    database connection) and finds the stored message, so that ``record`` right after the
    send is one short write, not a wait for a connection on a busy database; ``close`` gives
    the unit of work back when the send failed."""

    async def open(self) -> None:
        """Get ready to record (idempotent); raises when the database cannot be reached."""
        ...

    async def record(self, count: int | None = None) -> None:
        """``count`` of the channel's sends of the answer went out (None: all of them, the
        answer is ``sent``); committed, and the unit of work closed."""
        ...

    async def close(self) -> None:
        """Give back the unit of work ``open`` took, recording nothing."""
        ...


class Conversation(Protocol):
    """What every channel sees of the core (``bot.core.conversation.ConversationService``)."""

    async def handle(self, event: Incoming) -> Reply:
        """Store the event (committed first; a repeat delivery is answered once), reply."""
        ...

    async def sent(self, event: Incoming) -> None:
        """The answer to ``event`` has reached the merchant (for a channel that sends it after
        ``handle`` returns, as Telegram does): a repeat delivery says so (``Reply.sent``)."""
        ...

    def recorder(self, event: Incoming) -> SentRecording:
        """Records how far the answer to ``event`` went out, send by send, for a channel that
        sends one answer as several messages: a repeat delivery that is not ``sent`` says how
        many went out (``Reply.parts_sent``)."""
        ...

    async def queue_answer(self, event: Incoming) -> bool:
        """Queue the stored answer to ``event`` in the outbox (leased, retried, sent by any
        replica); True when the outbox has it (now or before), False when none is stored."""
        ...

    async def history(self, key: MerchantKey, limit: int = 100) -> list[StoredMessage]:
        """A merchant's latest messages, oldest first."""
        ...

    async def since(self, key: MerchantKey, after: int, limit: int = 100) -> list[StoredMessage]:
        """A merchant's messages committed after the cursor ``after`` (a ``seq``), in order."""
        ...

    async def file(self, key: MerchantKey, file_id: str) -> tuple[StoredFile, bytes] | None:
        """A file of this merchant's conversation (theirs or staff's), None for any other."""
        ...


class Store(Protocol):
    """A database as the composition root holds it (``bot.storage.uow.SqlStore``).

    ``clock`` is the service's one clock (``bot.core.clock``): the root sets it, and every unit
    of work opened afterwards stamps rows with it.
    """

    clock: Clock

    def uow(self) -> UnitOfWork:
        """A new unit of work (enter it with ``async with``)."""
        ...

    async def ping(self) -> None:
        """Raise when the database cannot be reached (for /healthz)."""
        ...

    async def close(self) -> None:
        """Release every connection."""
        ...
