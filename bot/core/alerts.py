"""E-mail to a team: a new ticket in its queue, a ticket past its first-response target.

A team's address is its centre's ``email`` (the centres file); a team without one gets none.
Alerts are queued in the database (an outbox of their own, ``TeamAlert``) and sent by
``TeamMail`` like staff replies are by the ``Deliverer``: each is claimed for a lease before it
is sent (so replicas never send one twice, and one whose sender died is sent again), a
transient failure is retried with growing waits, a permanent one or too many attempts marks it
failed (the loop and the rule are the Deliverer's, in ``bot/core/sending.py``). Queueing
happens after the ticket change is committed, as a ticket listener, and the sending runs in the
background: a slow or broken mail server never holds up a chat.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Literal, Protocol

from bot.core.outbound import DeliveryError
from bot.core.ports import StoredMessage, Transaction
from bot.core.sending import Sending
from bot.core.teams import Team, TeamDirectory, team_by_id
from bot.core.tickets import OutboxStatus, Ticket, TicketEvent, utcnow
from bot.formatting import duration
from bot.i18n import UiLocale, _, translate

log = logging.getLogger(__name__)

AlertKind = Literal["new_ticket", "overdue"]
MAX_ATTEMPTS = 6
FIRST_WAIT = timedelta(seconds=30)  # then 1, 2, 4, 8 minutes
LEASE = timedelta(minutes=2)
BATCH = 50
# A ticket whose target passed longer ago than this gets no e-mail (not a flood of old tickets
# the first time e-mail is set up); the queue still shows it overdue.
OVERDUE_WINDOW = timedelta(days=1)

NEW_SUBJECT = _("New ticket #{ticket} for {team}")
OVERDUE_SUBJECT = _("Ticket #{ticket} passed its first-response target ({target})")
BODY = _(
    "Ticket #{ticket} ({reason}, {language}, via {channel}) is waiting in the {team} queue.\n"
    "Open it in the staff console: /staff/tickets/{ticket}"
)
UI_OF_LANG: dict[str, UiLocale] = {"en": "en", "zh": "zh_Hans", "ko": "ko"}


@dataclass(frozen=True)
class Email:
    """One plain-text message to one address."""

    to: str
    subject: str
    body: str


@dataclass(frozen=True)
class NewAlert:
    """An alert to queue: at most one of each kind per ticket."""

    ticket_id: int
    kind: AlertKind
    team: str
    email: Email
    created_at: datetime = field(default_factory=utcnow)


@dataclass(frozen=True)
class TeamAlert:
    """A queued e-mail; ``sending`` while claimed until ``lease_until``."""

    id: int
    ticket_id: int
    kind: AlertKind
    team: str
    email: Email
    status: OutboxStatus = "pending"
    attempts: int = 0
    error: str = ""
    next_attempt_at: datetime = field(default_factory=utcnow)
    lease_until: datetime | None = None


class AlertRepository(Protocol):
    async def add(self, alert: NewAlert) -> bool:
        """Queue an alert; False when the ticket already has one of this kind."""
        ...

    async def overdue(
        self, cutoff: datetime, since: datetime, teams: frozenset[str], limit: int = 50
    ) -> list[Ticket]:
        """Active tickets of ``teams`` without a first response, created in [since, cutoff],
        that have no ``overdue`` alert yet."""
        ...

    async def claim(self, now: datetime, lease: timedelta, limit: int = 50) -> list[TeamAlert]:
        """Claim due pending alerts and ``sending`` ones whose lease ran out, atomically."""
        ...

    async def get(self, alert_id: int) -> TeamAlert | None:
        """One alert by id."""
        ...

    async def for_ticket(self, ticket_id: int) -> list[TeamAlert]:
        """A ticket's alerts, oldest first."""
        ...

    async def save(self, alert: TeamAlert) -> None:
        """Store an alert's status, attempts, error, next attempt and lease."""
        ...


class AlertUnit(Transaction, Protocol):
    """A unit of work that holds the alerts (the SQL one does)."""

    alerts: AlertRepository


class Mailer(Protocol):
    """Sends e-mail (SMTP); raises ``DeliveryError`` (``permanent`` for a refused address)."""

    async def send(self, email: Email) -> None:
        """Hand one message to the mail server."""
        ...


def compose(kind: AlertKind, ticket: Ticket, team: Team, target: timedelta) -> Email:
    """The e-mail for a ticket, in the team's first language."""
    ui = UI_OF_LANG.get(team.languages[0] if team.languages else "en", "en")
    name = team.display_name(ui)
    if kind == "new_ticket":
        subject = translate(ui, NEW_SUBJECT, ticket=ticket.id, team=name)
    else:
        subject = translate(ui, OVERDUE_SUBJECT, ticket=ticket.id, target=duration(target, ui))
    body = translate(
        ui,
        BODY,
        ticket=ticket.id,
        reason=ticket.reason.replace("_", " "),
        language=ticket.locale,
        channel=ticket.channel,
        team=name,
    )
    return Email(team.email, f"[merchant-bot] {subject}", body)


class TeamMail(Sending):
    """Queues team e-mail (a ticket listener, an overdue check) and sends it (``run``)."""

    def __init__(
        self,
        uow: Callable[[], AlertUnit],
        directory: Callable[[], TeamDirectory],
        mailer: Mailer,
        target: timedelta,
        *,
        clock: Callable[[], datetime] = utcnow,
        max_attempts: int = MAX_ATTEMPTS,
        first_wait: timedelta = FIRST_WAIT,
        lease: timedelta = LEASE,
    ) -> None:
        super().__init__(
            clock=clock, max_attempts=max_attempts, first_wait=first_wait, lease=lease
        )
        self._uow = uow
        self._directory = directory
        self.mailer = mailer
        self.target = target

    async def ticket_changed(
        self, ticket: Ticket, event: TicketEvent, message: StoredMessage | None
    ) -> None:
        """A ticket listener: a new ticket is e-mailed to its team (if it has an address)."""
        if event.action == "opened" and await self._queue("new_ticket", ticket):
            self.wake()

    async def _queue(self, kind: AlertKind, ticket: Ticket) -> bool:
        team = team_by_id(self._directory(), ticket.team)
        if not team.email:
            return False
        email = compose(kind, ticket, team, self.target)
        async with self._uow() as uow:
            added = await uow.alerts.add(NewAlert(ticket.id, kind, team.id, email, self._clock()))
            await uow.commit()
        return added

    async def check_overdue(self) -> int:
        """Queue an e-mail for each ticket that passed its target; returns how many."""
        teams = frozenset(t.id for t in self._directory().teams() if t.email)
        if not teams:
            return 0
        cutoff = self._clock() - self.target
        async with self._uow() as uow:
            late = await uow.alerts.overdue(cutoff, cutoff - OVERDUE_WINDOW, teams, BATCH)
        queued = [await self._queue("overdue", ticket) for ticket in late]
        return sum(queued)

    async def run(self, poll_seconds: float = 5.0) -> None:
        """Check for overdue tickets and send due e-mail until cancelled."""
        await self._loop(self._pass, poll_seconds, log, "team e-mail pass failed")

    async def _pass(self) -> None:
        await self.check_overdue()
        await self.deliver_due()

    async def deliver_due(self) -> int:
        """Claim and send due e-mail until none is left; returns how many were sent."""
        async with self._lock:
            sent = 0
            while True:
                async with self._uow() as uow:
                    alerts = await uow.alerts.claim(self._clock(), self._lease, BATCH)
                    await uow.commit()
                if not alerts:
                    return sent
                sent += sum([await self._send(alert) for alert in alerts])

    async def _send(self, alert: TeamAlert) -> bool:
        try:
            await self.mailer.send(alert.email)
        except DeliveryError as exc:
            return await self._failed(alert, exc)
        except Exception as exc:  # a mailer bug must not lose the alert either
            log.exception("mailer raised")
            return await self._failed(alert, DeliveryError(type(exc).__name__))
        await self._save(replace(alert, status="sent", attempts=alert.attempts + 1, error=""))
        return True

    async def _failed(self, alert: TeamAlert, exc: DeliveryError) -> bool:
        after, final = self._after_failure(alert, exc)
        await self._save(after)
        log.warning(
            "team e-mail failed",
            extra={"alert": alert.id, "team": alert.team, "final": final, "error": exc.reason},
        )
        return False

    async def _save(self, alert: TeamAlert) -> None:
        async with self._uow() as uow:
            await uow.alerts.save(replace(alert, lease_until=None))
            await uow.commit()


def teams_with_email(teams: Sequence[Team]) -> list[str]:
    """The ids of the teams that get e-mail (for the log at start-up)."""
    return [t.id for t in teams if t.email]
