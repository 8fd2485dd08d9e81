"""Team e-mail alerts: queued once per ticket and kind, claimed with a lease like the outbox."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import cast

from sqlalchemy import and_, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.alerts import AlertKind, Email, NewAlert, TeamAlert
from bot.core.tickets import ACTIVE, OutboxStatus, Ticket
from bot.storage.models import TeamAlertRow, TicketRow
from bot.storage.repositories import insert_for
from bot.storage.tickets import _ticket


def _alert(row: TeamAlertRow) -> TeamAlert:
    return TeamAlert(
        id=row.id,
        ticket_id=row.ticket_id,
        kind=cast(AlertKind, row.kind),
        team=row.team,
        email=Email(row.address, row.subject, row.body),
        status=cast(OutboxStatus, row.status),
        attempts=row.attempts,
        error=row.error,
        next_attempt_at=row.next_attempt_at,
        lease_until=row.lease_until,
    )


class SqlAlertRepository:
    """E-mail to teams about tickets."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, alert: NewAlert) -> bool:
        """Queue an alert; False when the ticket already has one of this kind (any replica's)."""
        statement = (
            insert_for(self.session, TeamAlertRow)
            .values(
                ticket_id=alert.ticket_id,
                kind=alert.kind,
                team=alert.team,
                address=alert.email.to,
                subject=alert.email.subject[:500],
                body=alert.email.body,
                status="pending",
                attempts=0,
                error="",
                next_attempt_at=alert.created_at,
                created_at=alert.created_at,
            )
            .on_conflict_do_nothing(index_elements=["ticket_id", "kind"])
            .returning(TeamAlertRow.id)
        )
        return (await self.session.scalar(statement)) is not None

    async def overdue(
        self, cutoff: datetime, since: datetime, teams: frozenset[str], limit: int = 50
    ) -> list[Ticket]:
        """Active unanswered tickets of ``teams`` opened in [since, cutoff], not yet alerted."""
        alerted = (
            select(TeamAlertRow.id)
            .where(TeamAlertRow.ticket_id == TicketRow.id, TeamAlertRow.kind == "overdue")
            .exists()
        )
        rows = await self.session.scalars(
            select(TicketRow)
            .where(
                TicketRow.status.in_(sorted(ACTIVE)),
                TicketRow.first_response_at.is_(None),
                TicketRow.created_at <= cutoff,
                TicketRow.created_at >= since,
                TicketRow.team.in_(sorted(teams)),
                ~alerted,
            )
            .order_by(TicketRow.id)
            .limit(limit)
        )
        return [_ticket(row) for row in rows]

    async def claim(self, now: datetime, lease: timedelta, limit: int = 50) -> list[TeamAlert]:
        """Claim due pending alerts and ``sending`` ones whose lease ran out, atomically.

        As the outbox's claim: one UPDATE ... RETURNING (``FOR UPDATE SKIP LOCKED`` on
        PostgreSQL), each claimed alert ``sending`` until ``now + lease``.
        """
        claimable = or_(
            and_(TeamAlertRow.status == "pending", TeamAlertRow.next_attempt_at <= now),
            and_(TeamAlertRow.status == "sending", TeamAlertRow.lease_until <= now),
        )
        pick = select(TeamAlertRow.id).where(claimable).order_by(TeamAlertRow.id).limit(limit)
        bind = self.session.bind
        if bind is not None and bind.dialect.name == "postgresql":
            pick = pick.with_for_update(skip_locked=True, of=TeamAlertRow)
        ids = list(
            await self.session.scalars(
                update(TeamAlertRow)
                .where(TeamAlertRow.id.in_(pick), claimable)
                .values(status="sending", lease_until=now + lease)
                .returning(TeamAlertRow.id)
                .execution_options(synchronize_session=False)
            )
        )
        if not ids:
            return []
        rows = await self.session.scalars(
            select(TeamAlertRow)
            .where(TeamAlertRow.id.in_(ids))
            .order_by(TeamAlertRow.id)
            .execution_options(populate_existing=True)
        )
        return [_alert(row) for row in rows]

    async def get(self, alert_id: int) -> TeamAlert | None:
        """One alert by id."""
        row = await self.session.get(TeamAlertRow, alert_id, populate_existing=True)
        return _alert(row) if row is not None else None

    async def for_ticket(self, ticket_id: int) -> list[TeamAlert]:
        """A ticket's alerts, oldest first."""
        rows = await self.session.scalars(
            select(TeamAlertRow)
            .where(TeamAlertRow.ticket_id == ticket_id)
            .order_by(TeamAlertRow.id)
            .execution_options(populate_existing=True)
        )
        return [_alert(row) for row in rows]

    async def save(self, alert: TeamAlert) -> None:
        """Store an alert's status, attempts, error, next attempt and lease."""
        row = await self.session.get(TeamAlertRow, alert.id)
        if row is None:
            raise LookupError(f"no team alert {alert.id}")
        row.status, row.attempts, row.error = alert.status, alert.attempts, alert.error
        row.next_attempt_at, row.lease_until = alert.next_attempt_at, alert.lease_until
        await self.session.flush()
