"""Tickets, their audit trail and the outbox, on an AsyncSession. They flush, never commit."""

from __future__ import annotations

from datetime import datetime
from typing import Literal, cast

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.tickets import (
    ACTIVE,
    NewTicket,
    OutboxItem,
    Ticket,
    TicketEvent,
    TicketFilter,
    TicketStatus,
)
from bot.storage.models import OutboxRow, TicketEventRow, TicketRefRow, TicketRow, utcnow

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
    return Ticket(
        id=row.id,
        merchant_id=row.merchant_id,
        channel=row.channel,
        reason=row.reason,
        locale=row.locale,
        team=row.team,
        status=cast(TicketStatus, row.status),
        assignee=row.assignee,
        rating=row.rating,
        created_at=row.created_at,
        updated_at=row.updated_at,
        first_response_at=row.first_response_at,
        resolved_at=row.resolved_at,
        last_merchant_at=row.last_merchant_at,
    )


def _event(row: TicketEventRow) -> TicketEvent:
    return TicketEvent(
        ticket_id=row.ticket_id,
        actor=row.actor,
        action=row.action,
        detail=row.detail,
        message_id=row.message_id,
        created_at=row.created_at,
        id=row.id,
    )


class SqlTicketRepository:
    """Tickets and their audit trail."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, ticket: NewTicket) -> Ticket:
        """Open a ticket; returns it with its id."""
        now = ticket.created_at
        row = TicketRow(
            merchant_id=ticket.merchant_id,
            channel=ticket.channel,
            status="open",
            reason=ticket.reason,
            locale=ticket.locale,
            team=ticket.team,
            created_at=now,
            updated_at=now,
        )
        self.session.add(row)
        await self.session.flush()
        return _ticket(row)

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
        """Store the ticket's status, team, assignee, rating and times."""
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
        row = TicketEventRow(
            ticket_id=event.ticket_id,
            actor=event.actor,
            action=event.action,
            detail=event.detail,
            message_id=event.message_id,
            created_at=event.created_at,
        )
        self.session.add(row)
        await self.session.flush()
        return _event(row)

    async def events(self, ticket_id: int) -> list[TicketEvent]:
        """A ticket's audit trail, oldest first."""
        rows = await self.session.scalars(
            select(TicketEventRow)
            .where(TicketEventRow.ticket_id == ticket_id)
            .order_by(TicketEventRow.id)
        )
        return [_event(row) for row in rows]


def _item(row: OutboxRow) -> OutboxItem:
    status = cast(Literal["pending", "sent", "failed"], row.status)
    return OutboxItem(
        id=row.id,
        message_id=row.message_id,
        ticket_id=row.ticket_id,
        merchant_id=row.merchant_id,
        channel=row.channel,
        status=status,
        attempts=row.attempts,
        error=row.error,
        next_attempt_at=row.next_attempt_at,
    )


class SqlOutboxRepository:
    """Staff messages on their way to merchants."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, message_id: int, ticket_id: int, merchant_id: int, channel: str) -> int:
        """Queue a staff message for delivery; returns the item's id."""
        now = utcnow()
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

    async def get(self, item_id: int) -> OutboxItem | None:
        """One item by id."""
        row = await self.session.get(OutboxRow, item_id, populate_existing=True)
        return _item(row) if row is not None else None

    async def for_ticket(self, ticket_id: int) -> list[OutboxItem]:
        """Every item of a ticket, oldest first."""
        rows = await self.session.scalars(
            select(OutboxRow).where(OutboxRow.ticket_id == ticket_id).order_by(OutboxRow.id)
        )
        return [_item(row) for row in rows]

    async def save(self, item: OutboxItem) -> None:
        """Store an item's status, attempts, error and next attempt."""
        row = await self.session.get(OutboxRow, item.id)
        if row is None:
            raise LookupError(f"no outbox item {item.id}")
        row.status, row.attempts, row.error = item.status, item.attempts, item.error
        row.next_attempt_at = item.next_attempt_at
        await self.session.flush()


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
