"""Who hears about ticket changes as they happen (the Telegram staff group, for one).

The staff console reads the database and needs nothing here. Listeners run after the change is
committed; one that fails is logged and never undoes or blocks the change.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Protocol

from bot.core.ports import StoredMessage
from bot.core.tickets import Ticket, TicketEvent

log = logging.getLogger(__name__)


class TicketListener(Protocol):
    """Something that mirrors tickets elsewhere."""

    async def ticket_changed(
        self, ticket: Ticket, event: TicketEvent, message: StoredMessage | None
    ) -> None:
        """A ticket changed (``event``); ``message`` is the merchant's or staff's text, if any."""
        ...


async def notify(
    listeners: Sequence[TicketListener],
    ticket: Ticket,
    event: TicketEvent,
    message: StoredMessage | None = None,
) -> None:
    """Tell every listener; a failing listener is logged, the others still hear."""
    for listener in listeners:
        try:
            await listener.ticket_changed(ticket, event, message)
        except Exception:
            log.exception("ticket listener failed", extra={"ticket": ticket.id})
