"""Tickets: a merchant's thread handed to people, its statuses and its audit trail."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Literal

from bot.core.clock import system_clock

TicketStatus = Literal["open", "assigned", "waiting", "resolved"]
STATUSES: tuple[TicketStatus, ...] = ("open", "assigned", "waiting", "resolved")
ACTIVE: frozenset[str] = frozenset({"open", "assigned", "waiting"})
REOPEN_WITHIN = timedelta(days=7)

# Reasons: "asked_for_person", "no_answer", or "compliance:<category>" (fake_reviews, ...).
ASKED = "asked_for_person"
NO_ANSWER = "no_answer"
UNDELIVERED = "delivery_failed"  # the bot's answers could not reach the merchant
COMPLIANCE = "compliance"

DEFAULT_TEAM = "default"
SYSTEM = "bot"  # the actor of changes nobody on the staff made
STAFF_KIND = "staff"  # the kind of a stored message written by a person


def compliance_reason(category: str | None) -> str:
    """The reason for a compliance hand-over (``compliance`` when the category is unknown)."""
    return f"{COMPLIANCE}:{category}" if category else COMPLIANCE


# The default where no clock is injected; the service runs on the composition root's clock
# (``bot.core.clock``), and records it builds carry times read from that clock.
utcnow = system_clock


@dataclass
class Ticket:
    """One escalated thread. ``assignee`` is a staff username; ``team`` a team id."""

    id: int
    merchant_id: int
    channel: str
    reason: str
    locale: str
    team: str
    status: TicketStatus = "open"
    assignee: str | None = None
    rating: int | None = None
    created_at: datetime = field(default_factory=utcnow)
    updated_at: datetime = field(default_factory=utcnow)
    first_response_at: datetime | None = None
    resolved_at: datetime | None = None
    last_merchant_at: datetime | None = None

    @property
    def active(self) -> bool:
        """True until the ticket is resolved."""
        return self.status in ACTIVE

    def reopenable(self, now: datetime) -> bool:
        """A resolved ticket the merchant may reopen by writing again (7 days)."""
        return (
            self.status == "resolved"
            and self.resolved_at is not None
            and now - self.resolved_at <= REOPEN_WITHIN
        )


@dataclass(frozen=True)
class NewTicket:
    """A ticket to open."""

    merchant_id: int
    channel: str
    reason: str
    locale: str
    team: str
    created_at: datetime = field(default_factory=utcnow)


class OpenTicketExists(Exception):
    """A merchant has one unresolved ticket at most: this one (perhaps opened concurrently)."""

    def __init__(self, ticket: Ticket) -> None:
        super().__init__(f"merchant {ticket.merchant_id} already has open ticket {ticket.id}")
        self.ticket = ticket


@dataclass(frozen=True)
class TicketEvent:
    """One line of the audit trail: who did what, when. Notes are events of kind ``note``."""

    ticket_id: int
    actor: str
    action: str  # opened, claimed, assigned, replied, note, transferred, resolved, reopened, ...
    detail: str = ""
    message_id: int | None = None
    created_at: datetime = field(default_factory=utcnow)
    id: int = 0


@dataclass(frozen=True)
class TicketFilter:
    """What a queue view asks for; ``teams`` None means every team (admins)."""

    teams: frozenset[str] | None = None
    statuses: frozenset[str] = ACTIVE
    locale: str | None = None
    reason: str | None = None  # a reason or its prefix ("compliance")
    assignee: str | None = None  # only tickets held by this staff member
    limit: int = 200


OutboxStatus = Literal["pending", "sending", "sent", "failed"]
# How a send attempt ended; "sending" while it runs (and for good when its sender died mid-way).
AttemptResult = Literal["sending", "sent", "failed", "unavailable"]


@dataclass(frozen=True)
class OutboxItem:
    """A staff message waiting to reach the merchant, or one that failed; or a bot answer a
    channel queued (``message_id`` then names the inbound message: its replies go out together).

    ``sending``: a deliverer claimed it until ``lease_until``; when the lease runs out (the
    deliverer died) it is claimed again. ``attempts`` counts failed or successful sends.
    """

    id: int
    message_id: int
    ticket_id: int | None  # None: a bot answer queued by its channel while no ticket is open
    merchant_id: int
    channel: str
    status: OutboxStatus = "pending"
    attempts: int = 0
    error: str = ""
    next_attempt_at: datetime = field(default_factory=utcnow)
    lease_until: datetime | None = None
    attempt: int = 0  # on an item returned by a claim: the number of that send attempt


@dataclass(frozen=True)
class SendAttempt:
    """One claim of an outbox item for an external send, numbered from 1 per item."""

    outbox_id: int
    attempt: int
    started_at: datetime
    result: AttemptResult = "sending"
    error: str = ""
    finished_at: datetime | None = None
