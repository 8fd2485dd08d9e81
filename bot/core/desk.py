"""The staff side of tickets: queue, thread, claim, assign, reply, note, transfer, resolve.

Every operation checks that the account may see the ticket; a ticket it may not see is
reported exactly like one that does not exist, so URLs reveal nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from bot.core.accounts import StaffAccount
from bot.core.escalation import Policy, rating_request
from bot.core.files import (
    TOO_LARGE,
    FileRefused,
    Files,
    StoredFile,
    Upload,
    kind_names,
    megabytes,
)
from bot.core.notify import TicketListener, notify
from bot.core.ports import MerchantRecord, NewMessage, StoredMessage, UnitOfWork
from bot.core.teams import TeamDirectory, team_by_id
from bot.core.tickets import (
    STAFF_KIND,
    OutboxItem,
    Ticket,
    TicketEvent,
    TicketFilter,
    utcnow,
)
from bot.core.types import Attachment, Button, storable
from bot.i18n import LocalizedError, _

MAX_REPLY = 4000


class NotFound(Exception):
    """No such ticket, or not one this account may see."""


class Refused(LocalizedError):
    """The operation is not possible now; the message says why, for the agent (``str()`` in
    English, ``text(locale)`` in the agent's language)."""


@dataclass(frozen=True)
class QueueRow:
    """A ticket in a queue view, with how long the merchant has waited."""

    ticket: Ticket
    waiting: timedelta
    overdue: bool  # past the first-response target without a first response


@dataclass(frozen=True)
class ThreadView:
    """Everything the ticket page shows."""

    ticket: Ticket
    merchant: MerchantRecord
    messages: list[StoredMessage]
    events: list[TicketEvent]
    deliveries: dict[int, OutboxItem]  # by message id, for staff messages
    waiting: timedelta
    overdue: bool


class Desk:
    """Staff operations; each runs in its own unit of work and commits explicitly."""

    def __init__(
        self,
        uow: Callable[[], UnitOfWork],
        teams: Callable[[], TeamDirectory],
        *,
        policy: Policy | None = None,
        clock: Callable[[], datetime] = utcnow,
        wake: Callable[[], None] = lambda: None,
        listeners: Sequence[TicketListener] = (),
        files: Files | None = None,
    ) -> None:
        self._uow = uow
        self.files = files  # attachments to replies, and reading merchants' files
        self._teams = teams
        self.policy = policy or Policy()
        self._clock = clock
        self._wake = wake  # tells the delivery loop there is something to send
        self.listeners = listeners

    # -- reading ---------------------------------------------------------------------------

    async def queue(self, staff: StaffAccount, query: TicketFilter) -> list[QueueRow]:
        """The tickets this account may see that match the filter, oldest first."""
        visible = staff.visible_teams
        teams = query.teams if visible is None else (query.teams or visible) & visible
        async with self._uow() as uow:
            tickets = await uow.tickets.find(replace(query, teams=teams))
        now = self._clock()
        return [QueueRow(t, *self._waiting(t, now)) for t in tickets if staff.may_see(t)]

    async def thread(self, staff: StaffAccount, ticket_id: int, limit: int = 200) -> ThreadView:
        """The ticket, its merchant, their conversation, the audit trail and deliveries."""
        async with self._uow() as uow:
            ticket = await self._visible(uow, staff, ticket_id)
            merchant = await uow.merchants.get(ticket.merchant_id)
            if merchant is None:
                raise NotFound(ticket_id)
            messages = await uow.messages.history(merchant.id, limit)
            if self.files is not None:
                messages = await self.files.attach(uow, messages)
            events = await uow.tickets.events(ticket.id)
            items = await uow.outbox.for_ticket(ticket.id)
        waiting, overdue = self._waiting(ticket, self._clock())
        deliveries = {i.message_id: i for i in items}
        return ThreadView(ticket, merchant, messages, events, deliveries, waiting, overdue)

    async def file(self, staff: StaffAccount, file_id: str) -> tuple[StoredFile, bytes]:
        """A file on a ticket this account may see (one sent before any ticket: on the
        merchant's latest ticket); ``NotFound`` for any other, exactly like a missing one."""
        if self.files is None:
            raise NotFound(file_id)
        async with self._uow() as uow:
            record = await uow.files.get(file_id)
            if record is None:
                raise NotFound(file_id)
            ticket = None
            if record.ticket_id is not None:
                ticket = await uow.tickets.get(record.ticket_id)
            else:
                ticket = await uow.tickets.latest_for(record.merchant_id)
        if ticket is None or not staff.may_see(ticket):
            raise NotFound(file_id)
        data = await self.files.read(record)
        if data is None:
            raise NotFound(file_id)
        return record, data

    async def ticket(self, staff: StaffAccount, ticket_id: int) -> Ticket:
        """One ticket this account may see."""
        async with self._uow() as uow:
            return await self._visible(uow, staff, ticket_id)

    # -- changing --------------------------------------------------------------------------

    async def claim(self, staff: StaffAccount, ticket_id: int) -> Ticket:
        """Take the ticket: it is assigned to this account."""
        return await self.assign(staff, ticket_id, staff.username)

    async def assign(self, staff: StaffAccount, ticket_id: int, username: str) -> Ticket:
        """Assign to an active account that may see the ticket (agents may only claim)."""
        async with self._uow() as uow:
            ticket = await self._visible(uow, staff, ticket_id)
            self._active(ticket)
            if username != staff.username and staff.role != "admin":
                raise Refused(_("only admins assign tickets to others"))
            assignee = await uow.staff.get(username)
            if assignee is None or not assignee.may_see(ticket):
                raise Refused(
                    _("{username} cannot take tickets of team {team}"),
                    username=username,
                    team=ticket.team,
                )
            ticket.assignee = username
            if ticket.status == "open":
                ticket.status = "assigned"
            event = await self._save(uow, ticket, staff, "assigned", username)
        await notify(self.listeners, ticket, event)
        return ticket

    async def reply(
        self,
        staff: StaffAccount,
        ticket_id: int,
        text: str,
        delivery: tuple[str, str] | None = None,
        upload: Upload | None = None,
    ) -> StoredMessage:
        """Send a message to the merchant through their channel (queued; retried on failure).

        ``delivery`` (source, key) makes a repeated submission of the same reply (a Telegram
        update delivered twice) return the first one instead of sending it again. ``upload``
        attaches a file (checked like a merchant's; only channels that show files take one).
        """
        text = storable(text).strip()
        attachment = None
        if upload is not None:
            if self.files is None:
                raise Refused(_("files cannot be sent here"))
            try:
                attachment = self.files.check(upload)
            except FileRefused as exc:
                raise Refused(exc.template, **exc.values) from None
        if not text and attachment is None:
            raise Refused(_("the reply is empty"))
        if len(text) > MAX_REPLY:
            raise Refused(_("the reply is longer than {limit} characters"), limit=MAX_REPLY)
        async with self._uow() as uow:
            ticket = await self._visible(uow, staff, ticket_id)
            if delivery is not None:
                earlier = await uow.deliveries.message_for(*delivery)
                found = await uow.messages.get(earlier) if earlier is not None else None
                if found is not None:
                    return found
            self._active(ticket)
            if attachment is not None:
                self._carried(ticket.channel, attachment)
            message = await self._send(uow, ticket, text, STAFF_KIND)
            if attachment is not None and self.files is not None:
                kept = await self.files.keep(
                    uow, attachment, ticket.merchant_id, message.id, ticket.id
                )
                message = replace(message, file=kept)
            if delivery is not None and not await uow.deliveries.claim(*delivery, message.id):
                raise Refused(_("this reply is being sent already"))
            if ticket.assignee is None:
                ticket.assignee = staff.username
            ticket.first_response_at = ticket.first_response_at or self._clock()
            ticket.status = "waiting"
            event = await self._save(uow, ticket, staff, "replied", message_id=message.id)
        self._wake()
        await notify(self.listeners, ticket, event, message)
        return message

    def _carried(self, channel: str, attachment: Attachment) -> None:
        """Refuse a file the merchant's channel cannot carry, saying what it can."""
        shown = self.files.shown(channel) if self.files is not None else frozenset()
        if not shown or self.files is None:
            raise Refused(_("this merchant's channel cannot carry files; send text"))
        if attachment.kind not in shown:
            raise Refused(
                _(
                    "this merchant's channel carries only {kinds} files; "
                    "attach one of those, or send text"
                ),
                kinds=kind_names(shown),
            )
        most = self.files.sendable(channel)
        if len(attachment.data) > most:  # the cleaned bytes: what the channel is sent
            raise Refused(TOO_LARGE, limit=megabytes(most))

    async def note(self, staff: StaffAccount, ticket_id: int, text: str) -> TicketEvent:
        """An internal note: staff see it in the thread, the merchant never does."""
        text = storable(text).strip()
        if not text:
            raise Refused(_("the note is empty"))
        async with self._uow() as uow:
            ticket = await self._visible(uow, staff, ticket_id)
            event = await self._save(uow, ticket, staff, "note", text[:MAX_REPLY])
        await notify(self.listeners, ticket, event)
        return event

    async def transfer(self, staff: StaffAccount, ticket_id: int, team_id: str) -> Ticket:
        """Move the ticket to another team's queue (unassigned, so that team picks it up)."""
        known = {t.id for t in self._teams().teams()}
        if team_id not in known:
            raise Refused(_("no team “{team}”"), team=team_id)
        async with self._uow() as uow:
            ticket = await self._visible(uow, staff, ticket_id)
            self._active(ticket)
            if team_id == ticket.team:
                raise Refused(_("the ticket is already with that team"))
            before = ticket.team
            ticket.team, ticket.assignee, ticket.status = team_id, None, "open"
            event = await self._save(uow, ticket, staff, "transferred", f"{before} -> {team_id}")
        await notify(self.listeners, ticket, event)
        return ticket

    async def resolve(self, staff: StaffAccount, ticket_id: int) -> Ticket:
        """Close the ticket; the merchant is asked to rate the help and the bot answers again."""
        async with self._uow() as uow:
            ticket = await self._visible(uow, staff, ticket_id)
            self._active(ticket)
            ticket.status = "resolved"
            ticket.resolved_at = self._clock()
            ticket.assignee = ticket.assignee or staff.username
            request = rating_request(ticket)
            await self._send(uow, ticket, request.text, "text", request.buttons)
            event = await self._save(uow, ticket, staff, "resolved")
        self._wake()
        await notify(self.listeners, ticket, event)
        return ticket

    async def retry(self, staff: StaffAccount, ticket_id: int, message_id: int) -> OutboxItem:
        """Send a failed reply again."""
        async with self._uow() as uow:
            ticket = await self._visible(uow, staff, ticket_id)
            items = {i.message_id: i for i in await uow.outbox.for_ticket(ticket.id)}
            item = items.get(message_id)
            if item is None or item.status != "failed":
                raise Refused(_("only a failed message can be sent again"))
            again = replace(item, status="pending", next_attempt_at=self._clock(), error="")
            await uow.outbox.save(again)
            await self._save(uow, ticket, staff, "retry", message_id=message_id)
        self._wake()
        return again

    # -- helpers ---------------------------------------------------------------------------

    async def _visible(self, uow: UnitOfWork, staff: StaffAccount, ticket_id: int) -> Ticket:
        ticket = await uow.tickets.get(ticket_id)
        if ticket is None or not staff.may_see(ticket):
            raise NotFound(ticket_id)
        return ticket

    def _active(self, ticket: Ticket) -> None:
        if not ticket.active:
            raise Refused(_("the ticket is resolved"))

    async def _send(
        self,
        uow: UnitOfWork,
        ticket: Ticket,
        text: str,
        kind: str,
        buttons: tuple[Button, ...] = (),
    ) -> StoredMessage:
        message = await uow.messages.add(
            NewMessage(ticket.merchant_id, "out", kind, text, locale=ticket.locale, buttons=buttons)
        )
        await uow.outbox.add(message.id, ticket.id, ticket.merchant_id, ticket.channel)
        return message

    async def _save(
        self,
        uow: UnitOfWork,
        ticket: Ticket,
        staff: StaffAccount,
        action: str,
        detail: str = "",
        message_id: int | None = None,
    ) -> TicketEvent:
        ticket.updated_at = self._clock()
        await uow.tickets.update(ticket)
        event = await uow.tickets.log(
            TicketEvent(ticket.id, staff.username, action, detail, message_id, ticket.updated_at)
        )
        await uow.commit()
        return event

    def _waiting(self, ticket: Ticket, now: datetime) -> tuple[timedelta, bool]:
        """How long the merchant has waited for a first response (or since it came)."""
        end = ticket.first_response_at or now
        waiting = max(end - ticket.created_at, timedelta(0))
        overdue = ticket.first_response_at is None and waiting > self.policy.first_response
        return waiting, overdue

    def team_name(self, team_id: str, lang: str = "en") -> str:
        """A team's display name."""
        return team_by_id(self._teams(), team_id).name(lang)
