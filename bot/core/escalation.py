"""Hand-over to people inside a conversation: open, relay to, reopen and rate tickets."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from bot.core import payloads, texts
from bot.core.eta import added_notice, handover_notice
from bot.core.language import content_lang, parse_locale
from bot.core.ports import MerchantRecord, NewMessage, StoredMessage, UnitOfWork
from bot.core.teams import TeamDirectory, route, team_by_id
from bot.core.texts import t
from bot.core.tickets import (
    SYSTEM,
    UNDELIVERED,
    NewTicket,
    OpenTicketExists,
    Ticket,
    TicketEvent,
    utcnow,
)
from bot.core.types import Button, Outgoing
from bot.i18n import UiLocale

log = logging.getLogger(__name__)

MERCHANT = "merchant"  # the actor of events caused by the merchant's own messages
RATINGS = range(1, 6)
# Events of the bot while people hold the thread: an acknowledgement sent to the merchant
# (detail "first" or "short"; staff see the message itself) and an FAQ answer (detail: the id).
ACKNOWLEDGED = "acknowledged"
ANSWERED = "answered"
CLOSED = "closed"  # the merchant closed their own request


@dataclass(frozen=True)
class Policy:
    """Service targets the merchant is told about."""

    first_response: timedelta = timedelta(hours=2)
    # While a ticket is open, a merchant's messages are acknowledged at most this often (the
    # first one after the hand-over always, with the team and when it replies).
    ack_interval: timedelta = timedelta(minutes=5)


class Escalation:
    """Ticket work the conversation service does inside its unit of work (never commits)."""

    def __init__(
        self,
        teams: Callable[[], TeamDirectory],
        policy: Policy | None = None,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self._teams = teams
        self.policy = policy or Policy()
        self._clock = clock

    def now(self) -> datetime:
        """The service's clock (tests pin it)."""
        return self._clock()

    async def open(
        self,
        uow: UnitOfWork,
        merchant: MerchantRecord,
        reason: str,
        locale: UiLocale,
        inbound: StoredMessage,
    ) -> tuple[Ticket, TicketEvent, str]:
        """Open a ticket routed to the right team; returns it, its event and the notice.

        A merchant has one unresolved ticket at most: when another hand-over (another replica,
        the same moment) opened one first, the message joins that ticket instead.
        """
        directory = self._teams()
        team = route(directory, merchant.centre_id, content_lang(locale))
        now = self.now()
        try:
            ticket = await uow.tickets.add(
                NewTicket(merchant.id, merchant.key.channel, reason, locale, team.id, now)
            )
        except OpenTicketExists as exists:
            ticket = exists.ticket
            log.info("hand-over joined the open ticket", extra={"ticket": ticket.id})
            event = await self.relay(uow, ticket, inbound)
            team = team_by_id(directory, ticket.team)
            notice = handover_notice(
                team, directory.availability(team.id, now), locale, now, self.policy.first_response
            )
            return ticket, event, notice
        ticket.last_merchant_at = inbound.created_at
        await uow.tickets.update(ticket)
        event = await uow.tickets.log(
            TicketEvent(ticket.id, MERCHANT, "opened", reason, inbound.id, now)
        )
        log.info("ticket opened", extra={"ticket": ticket.id, "team": team.id, "reason": reason})
        notice = handover_notice(
            team, directory.availability(team.id, now), locale, now, self.policy.first_response
        )
        return ticket, event, notice

    async def undelivered(
        self, uow: UnitOfWork, merchant: MerchantRecord, texts: Sequence[str], reason: str
    ) -> tuple[Ticket, TicketEvent]:
        """Bot answers that never reached the merchant become failed items on a ticket.

        Staff see them with the error and can retry; the merchant's open ticket takes them,
        else a new one (reason ``delivery_failed``) opens.
        """
        ticket = await uow.tickets.active_for(merchant.id)
        if ticket is None:
            locale = parse_locale(merchant.locale or "") or "en"
            team = route(self._teams(), merchant.centre_id, content_lang(locale))
            try:
                ticket = await uow.tickets.add(
                    NewTicket(merchant.id, merchant.key.channel, UNDELIVERED, locale, team.id,
                              self.now())
                )  # fmt: skip
            except OpenTicketExists as exists:  # opened meanwhile: the answers join it
                ticket = exists.ticket
        for text in texts:
            message = await uow.messages.add(
                NewMessage(merchant.id, "out", "text", text, locale=ticket.locale)
            )
            item_id = await uow.outbox.add(message.id, ticket.id, merchant.id, ticket.channel)
            item = await uow.outbox.get(item_id)
            assert item is not None
            await uow.outbox.save(replace(item, status="failed", attempts=1, error=reason[:500]))
        event = await uow.tickets.log(
            TicketEvent(ticket.id, SYSTEM, "delivery_failed", reason[:500], None, self.now())
        )
        return ticket, event

    async def relay(self, uow: UnitOfWork, ticket: Ticket, inbound: StoredMessage) -> TicketEvent:
        """The merchant wrote while people hold the thread: it joins the ticket, unanswered."""
        ticket.last_merchant_at = inbound.created_at
        if ticket.status == "waiting":  # the ball is back in the staff's court
            ticket.status = "assigned" if ticket.assignee else "open"
        ticket.updated_at = self.now()
        await uow.tickets.update(ticket)
        return await uow.tickets.log(
            TicketEvent(ticket.id, MERCHANT, "message", ticket.status, inbound.id, self.now())
        )

    async def acknowledgement(
        self, uow: UnitOfWork, ticket: Ticket, locale: UiLocale
    ) -> tuple[Outgoing, str] | None:
        """What a merchant hears when their message joins the open ticket, and its kind.

        The first message since the ticket opened (or reopened) is told which team has it and
        when to expect a reply ("first"); later ones a short "added to your request" ("short"),
        at most once per ``Policy.ack_interval``, so a burst of messages is not answered by a
        wall of bot text; None in between. A closed team's opening time is always said.
        """
        events = await uow.tickets.events(ticket.id)
        since = max((i for i, e in enumerate(events) if e.action in ("opened", "reopened")),
                    default=-1)  # fmt: skip
        acks = [e for e in events[since + 1 :] if e.action == ACKNOWLEDGED]
        now = self.now()
        if acks and now - acks[-1].created_at < self.policy.ack_interval:
            return None
        directory = self._teams()
        team = team_by_id(directory, ticket.team)
        availability = directory.availability(team.id, now)
        if acks:
            text, kind = added_notice(team, availability, locale, now), "short"
        else:
            target = self.policy.first_response
            notice = handover_notice(team, availability, locale, now, target)
            text, kind = t(locale, texts.ACK_FIRST, notice=notice), "first"
        return Outgoing(text, (close_button(ticket, locale),)), kind

    async def acknowledged(
        self, uow: UnitOfWork, ticket: Ticket, kind: str, message: StoredMessage
    ) -> TicketEvent:
        """Record that the merchant was acknowledged (``message``: what they were told)."""
        return await uow.tickets.log(
            TicketEvent(ticket.id, SYSTEM, ACKNOWLEDGED, kind, message.id, self.now())
        )

    async def answered(
        self, uow: UnitOfWork, ticket: Ticket, faq_id: str, message: StoredMessage
    ) -> TicketEvent:
        """The bot answered an FAQ question asked while waiting: staff see it in the thread."""
        return await uow.tickets.log(
            TicketEvent(ticket.id, SYSTEM, ANSWERED, faq_id, message.id, self.now())
        )

    async def close(self, uow: UnitOfWork, ticket: Ticket, inbound: StoredMessage) -> TicketEvent:
        """The merchant closed their own request: resolved (reopenable like any other)."""
        now = self.now()
        ticket.status = "resolved"
        ticket.resolved_at = now
        ticket.last_merchant_at = inbound.created_at
        ticket.updated_at = now
        await uow.tickets.update(ticket)
        log.info("ticket closed by the merchant", extra={"ticket": ticket.id})
        return await uow.tickets.log(TicketEvent(ticket.id, MERCHANT, CLOSED, "", inbound.id, now))

    async def reopen(self, uow: UnitOfWork, ticket: Ticket, inbound: StoredMessage) -> TicketEvent:
        """A merchant wrote again within 7 days of resolution: the same ticket opens again."""
        ticket.status = "assigned" if ticket.assignee else "open"
        ticket.resolved_at = None
        ticket.last_merchant_at = inbound.created_at
        ticket.updated_at = self.now()
        await uow.tickets.update(ticket)
        return await uow.tickets.log(
            TicketEvent(ticket.id, MERCHANT, "reopened", "", inbound.id, self.now())
        )

    async def rate(
        self, uow: UnitOfWork, merchant: MerchantRecord, ticket_id: str, score: str
    ) -> tuple[Ticket, TicketEvent] | None:
        """Store a 1-5 rating of the merchant's own resolved ticket; None if not valid."""
        if not (ticket_id.isdigit() and score.isdigit() and int(score) in RATINGS):
            return None
        ticket = await uow.tickets.get(int(ticket_id))
        if ticket is None or ticket.merchant_id != merchant.id or ticket.status != "resolved":
            return None
        ticket.rating = int(score)
        await uow.tickets.update(ticket)
        event = TicketEvent(ticket.id, MERCHANT, "rated", score, None, self.now())
        return ticket, await uow.tickets.log(event)


def close_button(ticket: Ticket, locale: UiLocale) -> Button:
    """"Close my request", offered with the acknowledgements while a ticket is open."""
    return Button(t(locale, texts.CLOSE_BUTTON), payloads.encode("close", str(ticket.id)))


def rating_request(ticket: Ticket) -> Outgoing:
    """The message sent when a ticket is resolved: how was the help? (1-5 buttons)."""
    locale = parse_locale(ticket.locale) or "en"
    buttons = tuple(
        Button("⭐" * n, payloads.encode("rate", str(ticket.id), str(n))) for n in RATINGS
    )
    return Outgoing(t(locale, texts.TICKET_RESOLVED), buttons)


__all__ = [
    "ACKNOWLEDGED",
    "ANSWERED",
    "CLOSED",
    "SYSTEM",
    "Escalation",
    "Policy",
    "close_button",
    "rating_request",
]
