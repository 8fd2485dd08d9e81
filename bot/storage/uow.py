"""The unit of work: one session and transaction; rolled back unless committed."""

from __future__ import annotations

from types import TracebackType
from typing import Self

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.core.alerts import AlertRepository
from bot.core.clock import Clock, system_clock
from bot.core.files import FileRepository
from bot.core.ports import (
    DeliveryRepository,
    FeedbackRepository,
    MerchantRepository,
    MessageRepository,
    OutboxRepository,
    StaffRepository,
    TicketRefRepository,
    TicketRepository,
    UnansweredRepository,
)
from bot.storage.alerts import SqlAlertRepository
from bot.storage.database import DEFAULT_DATABASE_URL, create_engine, create_sessionmaker
from bot.storage.files import SqlFileRepository
from bot.storage.repositories import (
    SqlDeliveryRepository,
    SqlFeedbackRepository,
    SqlMerchantRepository,
    SqlMessageRepository,
    SqlUnansweredRepository,
)
from bot.storage.staff import SqlStaffRepository
from bot.storage.tickets import (
    SqlOutboxRepository,
    SqlTicketRefRepository,
    SqlTicketRepository,
)


class SqlUnitOfWork:
    """Repositories sharing one session; ``commit()`` makes their work durable.

    ``clock`` stamps the rows the repositories write on their own (messages, merchants,
    deliveries, feedback, queued outbox items): the service's one clock, never the database's.
    """

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
    alerts: AlertRepository  # e-mail to teams (``bot/core/alerts.py``), SQL stores only

    def __init__(
        self, sessions: async_sessionmaker[AsyncSession], clock: Clock = system_clock
    ) -> None:
        self._sessions = sessions
        self.clock = clock
        self._session: AsyncSession | None = None

    async def __aenter__(self) -> Self:
        """Open a session and the repositories on it."""
        if self._session is not None:
            raise RuntimeError("this unit of work is already open")
        session = self._session = self._sessions()
        clock = self.clock
        self.merchants = SqlMerchantRepository(session, clock)
        self.messages = SqlMessageRepository(session, clock)
        self.deliveries = SqlDeliveryRepository(session, clock)
        self.feedback = SqlFeedbackRepository(session, clock)
        self.unanswered = SqlUnansweredRepository(session)
        self.tickets = SqlTicketRepository(session)
        self.outbox = SqlOutboxRepository(session, clock)
        self.staff = SqlStaffRepository(session)
        self.ticket_refs = SqlTicketRefRepository(session)
        self.files = SqlFileRepository(session)
        self.alerts = SqlAlertRepository(session)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        """Roll back whatever was not committed and close the session."""
        session, self._session = self._session, None
        if session is None:
            return
        try:
            await session.rollback()
        finally:
            await session.close()

    @property
    def session(self) -> AsyncSession:
        """The open session (for queries the repositories do not offer)."""
        if self._session is None:
            raise RuntimeError("the unit of work is not open: use 'async with'")
        return self._session

    async def commit(self) -> None:
        """Make the work so far durable."""
        await self.session.commit()

    async def rollback(self) -> None:
        """Discard the work since the last commit."""
        await self.session.rollback()


class SqlStore:
    """One engine for a database URL; ``uow()`` opens units of work on it.

    ``clock`` is the time the units of work stamp rows with (the composition root sets the
    service's clock here; a test may hand in a virtual one).
    """

    def __init__(
        self,
        url: str = DEFAULT_DATABASE_URL,
        *,
        pool_size: int | None = None,
        max_overflow: int | None = None,
        clock: Clock = system_clock,
    ) -> None:
        self.clock = clock
        self.engine: AsyncEngine = create_engine(
            url, pool_size=pool_size, max_overflow=max_overflow
        )
        self.sessions = create_sessionmaker(self.engine)

    def uow(self) -> SqlUnitOfWork:
        """A new unit of work (enter it with ``async with``)."""
        return SqlUnitOfWork(self.sessions, self.clock)

    async def ping(self) -> None:
        """Run a trivial query; raises when the database cannot be reached."""
        async with self.engine.connect() as connection:
            await connection.execute(text("SELECT 1"))

    async def close(self) -> None:
        """Close every pooled connection."""
        await self.engine.dispose()
