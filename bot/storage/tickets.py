"""Tickets, their audit trail and the outbox, on an AsyncSession. They flush, never commit."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import and_, func, or_, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from bot.core.clock import Clock, system_clock
from bot.core.tickets import (
    ACTIVE,
    AttemptResult,
    NewTicket,
    OpenTicketExists,
    OutboxItem,
    SendAttempt,
    Ticket,
    TicketEvent,
    TicketFilter,
)
from bot.storage.models import (
    UNRESOLVED,
    Merchant,
    OutboxAttemptRow,
    OutboxRow,
    TicketEventRow,
    TicketRefRow,
    TicketRow,
)
from bot.storage.repositories import insert_for
from bot.storage.rows import from_row, values_of

_TICKET_FIELDS = (
    "status",
    "team",
    "assignee",
    "rating",
    "updated_at",
    "first_response_at",
    "resolved_at",
    "last_merchant_at",
)


def _ticket(row: TicketRow) -> Ticket:
    return from_row(Ticket, row)


def _event(row: TicketEventRow) -> TicketEvent:
    return from_row(TicketEvent, row)


class SqlTicketRepository:
    """Tickets and their audit trail."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, ticket: NewTicket) -> Ticket:
        """Open a ticket; returns it with its id.

        The merchant's unresolved ticket is unique (a partial unique index): when one exists,
        or a concurrent transaction commits one first (the insert waits for it), nothing is
        inserted and ``OpenTicketExists`` names it; the transaction stays usable.
        """
        now = ticket.created_at
        for _ in range(3):  # the conflicting ticket may be resolved before we read it
            new_id = await self.session.scalar(
                insert_for(self.session, TicketRow)
                .values(
                    merchant_id=ticket.merchant_id,
                    channel=ticket.channel,
                    status="open",
                    reason=ticket.reason,
                    locale=ticket.locale,
                    team=ticket.team,
                    created_at=now,
                    updated_at=now,
                )
                .on_conflict_do_nothing(
                    index_elements=["merchant_id"], index_where=text(UNRESOLVED)
                )
                .returning(TicketRow.id)
            )
            if new_id is not None:
                row = await self.session.get(TicketRow, new_id, populate_existing=True)
                assert row is not None
                return _ticket(row)
            existing = await self.active_for(ticket.merchant_id)
            if existing is not None:
                raise OpenTicketExists(existing)
        raise RuntimeError(f"could not open a ticket for merchant {ticket.merchant_id}")

    async def get(self, ticket_id: int) -> Ticket | None:
        """One ticket by id."""
        row = await self.session.get(TicketRow, ticket_id, populate_existing=True)
        return _ticket(row) if row is not None else None

    async def active_for(self, merchant_id: int) -> Ticket | None:
        """The merchant's unresolved ticket, if any."""
        row = await self.session.scalar(
            select(TicketRow)
            .where(TicketRow.merchant_id == merchant_id, TicketRow.status.in_(ACTIVE))
            .order_by(TicketRow.id.desc())
            .limit(1)
        )
        return _ticket(row) if row is not None else None

    async def latest_for(self, merchant_id: int) -> Ticket | None:
        """The merchant's most recent ticket, whatever its status."""
        row = await self.session.scalar(
            select(TicketRow)
            .where(TicketRow.merchant_id == merchant_id)
            .order_by(TicketRow.id.desc())
            .limit(1)
        )
        return _ticket(row) if row is not None else None

    async def update(self, ticket: Ticket) -> None:
        """Store the ticket's status, team, assignee, rating and times.

        On PostgreSQL the merchant's row is locked first, as adding a message locks it (for
        its ``seq``): every transaction locks merchant then ticket, never the other way round.
        """
        bind = self.session.bind
        if bind is not None and bind.dialect.name == "postgresql":
            await self.session.execute(
                select(Merchant.id)
                .where(Merchant.id == ticket.merchant_id)
                .with_for_update(key_share=True)
            )
        row = await self.session.get(TicketRow, ticket.id)
        if row is None:
            raise LookupError(f"no ticket {ticket.id}")
        for name in _TICKET_FIELDS:
            setattr(row, name, getattr(ticket, name))
        await self.session.flush()

    async def find(self, query: TicketFilter) -> list[Ticket]:
        """Tickets matching the filter, oldest first."""
        stmt = select(TicketRow).where(TicketRow.status.in_(query.statuses))
        if query.teams is not None:
            stmt = stmt.where(TicketRow.team.in_(query.teams))
        if query.locale:
            stmt = stmt.where(TicketRow.locale == query.locale)
        if query.assignee:
            stmt = stmt.where(TicketRow.assignee == query.assignee)
        if query.reason:
            stmt = stmt.where(
                or_(TicketRow.reason == query.reason, TicketRow.reason.startswith(query.reason))
            )
        rows = await self.session.scalars(
            stmt.order_by(TicketRow.created_at, TicketRow.id).limit(query.limit)
        )
        return [_ticket(row) for row in rows]

    async def log(self, event: TicketEvent) -> TicketEvent:
        """Append to the audit trail."""
        row = TicketEventRow(**values_of(event, "id"))  # the database numbers it
        self.session.add(row)
        await self.session.flush()
        return _event(row)

    async def open_by_team(self) -> dict[str, int]:
        """How many tickets are active, by team."""
        rows = await self.session.execute(
            select(TicketRow.team, func.count())
            .where(TicketRow.status.in_(ACTIVE))
            .group_by(TicketRow.team)
        )
        return {team: int(count) for team, count in rows}

    async def events(self, ticket_id: int) -> list[TicketEvent]:
        """A ticket's audit trail, oldest first."""
        rows = await self.session.scalars(
            select(TicketEventRow)
            .where(TicketEventRow.ticket_id == ticket_id)
            .order_by(TicketEventRow.id)
        )
        return [_event(row) for row in rows]


def _item(row: OutboxRow, attempt: int = 0) -> OutboxItem:
    return from_row(OutboxItem, row, attempt=attempt)


def _attempt(row: OutboxAttemptRow) -> SendAttempt:
    return from_row(SendAttempt, row)


class SqlOutboxRepository:
    """Staff messages on their way to merchants."""

    def __init__(self, session: AsyncSession, clock: Clock = system_clock) -> None:
        self.session = session
        self._clock = clock

    async def add(
        self, message_id: int, ticket_id: int | None, merchant_id: int, channel: str
    ) -> int:
        """Queue a staff message (or an inbound one's stored answer) for delivery (due now, on
        the unit of work's clock); its id."""
        now = self._clock()
        row = OutboxRow(
            message_id=message_id,
            ticket_id=ticket_id,
            merchant_id=merchant_id,
            channel=channel,
            status="pending",
            attempts=0,
            error="",
            next_attempt_at=now,
            created_at=now,
        )
        self.session.add(row)
        await self.session.flush()
        return row.id

    async def due(self, now: datetime, limit: int = 50) -> list[OutboxItem]:
        """Pending items whose next attempt is due, oldest first."""
        rows = await self.session.scalars(
            select(OutboxRow)
            .where(OutboxRow.status == "pending", OutboxRow.next_attempt_at <= now)
            .order_by(OutboxRow.id)
            .limit(limit)
        )
        return [_item(row) for row in rows]

    async def claim(self, now: datetime, lease: timedelta, limit: int = 50) -> list[OutboxItem]:
        """Claim items to send, atomically: each becomes ``sending`` until ``now + lease``.

        One UPDATE ... RETURNING picks due pending items and ``sending`` ones whose lease ran
        out, unless an earlier item of the same merchant is pending or sending (so one item
        per merchant, in order). On PostgreSQL the pick is ``FOR UPDATE SKIP LOCKED`` and the
        UPDATE re-checks the row it locked; on SQLite the statement holds the only write lock.
        Each claimed item gets a ``sending`` attempt row, committed with the claim.
        """
        earlier = aliased(OutboxRow)
        claimable = or_(
            and_(OutboxRow.status == "pending", OutboxRow.next_attempt_at <= now),
            and_(OutboxRow.status == "sending", OutboxRow.lease_until <= now),
        )
        blocked = (
            select(earlier.id)
            .where(
                earlier.merchant_id == OutboxRow.merchant_id,
                earlier.id < OutboxRow.id,
                earlier.status.in_(("pending", "sending")),
            )
            .exists()
        )
        pick = select(OutboxRow.id).where(claimable, ~blocked).order_by(OutboxRow.id).limit(limit)
        bind = self.session.bind
        if bind is not None and bind.dialect.name == "postgresql":
            pick = pick.with_for_update(skip_locked=True, of=OutboxRow)
        ids = list(
            await self.session.scalars(
                update(OutboxRow)
                .where(OutboxRow.id.in_(pick), claimable)
                .values(status="sending", lease_until=now + lease)
                .returning(OutboxRow.id)
                .execution_options(synchronize_session=False)
            )
        )
        if not ids:
            return []
        found = await self.session.execute(
            select(OutboxAttemptRow.outbox_id, func.max(OutboxAttemptRow.attempt))
            .where(OutboxAttemptRow.outbox_id.in_(ids))
            .group_by(OutboxAttemptRow.outbox_id)
        )
        last: dict[int, int] = {item_id: n for item_id, n in found}
        numbers = {item_id: (last.get(item_id) or 0) + 1 for item_id in ids}
        self.session.add_all(
            OutboxAttemptRow(
                outbox_id=item_id, attempt=n, started_at=now, result="sending", error=""
            )
            for item_id, n in numbers.items()
        )
        await self.session.flush()
        rows = await self.session.scalars(
            select(OutboxRow)
            .where(OutboxRow.id.in_(ids))
            .order_by(OutboxRow.id)
            .execution_options(populate_existing=True)
        )
        return [_item(row, numbers[row.id]) for row in rows]

    async def finish_attempt(
        self, item: OutboxItem, result: AttemptResult, error: str, at: datetime
    ) -> None:
        """Record how a claimed item's send attempt (``item.attempt``) ended."""
        await self.session.execute(
            update(OutboxAttemptRow)
            .where(OutboxAttemptRow.outbox_id == item.id, OutboxAttemptRow.attempt == item.attempt)
            .values(result=result, error=error[:500], finished_at=at)
            .execution_options(synchronize_session=False)
        )

    async def attempts(self, item_id: int) -> list[SendAttempt]:
        """Every send attempt of an item, first first."""
        rows = await self.session.scalars(
            select(OutboxAttemptRow)
            .where(OutboxAttemptRow.outbox_id == item_id)
            .order_by(OutboxAttemptRow.attempt)
            .execution_options(populate_existing=True)
        )
        return [_attempt(row) for row in rows]

    async def get(self, item_id: int) -> OutboxItem | None:
        """One item by id."""
        row = await self.session.get(OutboxRow, item_id, populate_existing=True)
        return _item(row) if row is not None else None

    async def for_ticket(self, ticket_id: int) -> list[OutboxItem]:
        """Every item of a ticket, oldest first."""
        rows = await self.session.scalars(
            select(OutboxRow)
            .where(OutboxRow.ticket_id == ticket_id)
            .order_by(OutboxRow.id)
            .execution_options(populate_existing=True)
        )
        return [_item(row) for row in rows]

    async def save(self, item: OutboxItem) -> None:
        """Store an item's status, attempts, error and next attempt."""
        row = await self.session.get(OutboxRow, item.id)
        if row is None:
            raise LookupError(f"no outbox item {item.id}")
        row.status, row.attempts, row.error = item.status, item.attempts, item.error
        row.next_attempt_at, row.lease_until = item.next_attempt_at, item.lease_until
        await self.session.flush()

    async def backlog(self) -> tuple[int, datetime | None]:
        """How many items are pending or being sent, and when the oldest was queued."""
        count, oldest = (
            await self.session.execute(
                select(func.count(), func.min(OutboxRow.created_at)).where(
                    OutboxRow.status.in_(("pending", "sending"))
                )
            )
        ).one()
        return int(count), oldest


class SqlTicketRefRepository:
    """A ticket's references in other systems."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def set(self, ticket_id: int, system: str, ref: str) -> None:
        """Record (or replace) the ticket's reference in a system."""
        row = await self.session.get(TicketRefRow, (ticket_id, system))
        if row is None:
            self.session.add(TicketRefRow(ticket_id=ticket_id, system=system, ref=ref))
        else:
            row.ref = ref
        await self.session.flush()

    async def get(self, ticket_id: int, system: str) -> str | None:
        """The ticket's reference in a system, if any."""
        row = await self.session.get(TicketRefRow, (ticket_id, system), populate_existing=True)
        return row.ref if row is not None else None

    async def ticket_for(self, system: str, ref: str) -> int | None:
        """The ticket a system's reference points to, if any."""
        found: int | None = await self.session.scalar(
            select(TicketRefRow.ticket_id).where(
                TicketRefRow.system == system, TicketRefRow.ref == ref
            )
        )
        return found
