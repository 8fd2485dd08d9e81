"""In-memory storage for core tests: the same ports as bot.storage, committed or rolled back.

It behaves like the SQL stores where the core can tell: a unit of work sees a snapshot of the
committed state plus its own work, which reaches the store only on ``commit()`` (as a replay of
its changes, so two units of work do not overwrite each other); ids are unique across open units
of work; and a delivery key or a new merchant claimed by an open unit of work makes another unit
wait until the first commits or rolls back, like a row lock on a unique key. The same locks
number a merchant's messages in commit order, count failed sign-ins, keep one unresolved ticket
per merchant and claim outbox items (their leases, their recorded send attempts).
"""

from __future__ import annotations

import asyncio
import copy
import time
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from types import TracebackType
from typing import Self

from bot.core.accounts import StaffAccount, StaffSession
from bot.core.clock import Clock, system_clock
from bot.core.ports import MerchantRecord, NewMessage, StoredMessage, UnansweredQuestion
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
from bot.core.types import MerchantKey

LOCK_TIMEOUT = 5.0  # seconds; a real database would wait (or time out) too

Change = Callable[["_State"], None]


@dataclass
class _State:
    merchants: dict[MerchantKey, MerchantRecord] = field(default_factory=dict)
    messages: list[StoredMessage] = field(default_factory=list)
    deliveries: dict[tuple[str, str], int] = field(default_factory=dict)
    feedback: dict[int, tuple[int, bool]] = field(default_factory=dict)
    unanswered: list[UnansweredQuestion] = field(default_factory=list)
    tickets: dict[int, Ticket] = field(default_factory=dict)
    events: list[TicketEvent] = field(default_factory=list)
    outbox: dict[int, OutboxItem] = field(default_factory=dict)
    attempts: dict[int, list[SendAttempt]] = field(default_factory=dict)
    staff: dict[str, StaffAccount] = field(default_factory=dict)
    sessions: dict[str, StaffSession] = field(default_factory=dict)
    refs: dict[tuple[int, str], str] = field(default_factory=dict)


class FakeMerchants:
    def __init__(self, uow: FakeUnitOfWork) -> None:
        self.u = uow

    async def get_or_create(self, key: MerchantKey) -> MerchantRecord:
        found = self.u.state.merchants.get(key) or self.u.store.committed.merchants.get(key)
        if found is None:
            await self.u.store.lock(("merchant", key), self.u)
            found = self.u.store.committed.merchants.get(key)  # created meanwhile elsewhere
        if found is None:
            record = MerchantRecord(id=self.u.store.next_id("merchant", self.u), key=key)
            self.u.change(lambda s: s.merchants.__setitem__(key, copy.copy(record)))
        else:
            self.u.state.merchants.setdefault(key, copy.copy(found))
        return copy.copy(self.u.state.merchants[key])

    async def update(self, merchant: MerchantRecord) -> None:
        record = copy.copy(merchant)
        self.u.change(lambda s: s.merchants.__setitem__(record.key, copy.copy(record)))

    async def get(self, merchant_id: int) -> MerchantRecord | None:
        found = next((m for m in self.u.state.merchants.values() if m.id == merchant_id), None)
        return copy.copy(found) if found else None


class FakeMessages:
    def __init__(self, uow: FakeUnitOfWork) -> None:
        self.u = uow

    async def add(self, message: NewMessage) -> StoredMessage:
        # Like the merchant's row locked until commit: seq follows commit order.
        await self.u.store.lock(("seq", message.merchant_id), self.u)
        seqs = [
            m.seq
            for messages in (self.u.state.messages, self.u.store.committed.messages)
            for m in messages
            if m.merchant_id == message.merchant_id
        ]
        stored = StoredMessage(
            **vars(message),
            id=self.u.store.next_id("message", self.u),
            created_at=self.u.clock(),
            seq=max(seqs, default=0) + 1,
        )
        self.u.change(lambda s: s.messages.append(stored))
        return stored

    async def get(self, message_id: int) -> StoredMessage | None:
        for messages in (self.u.state.messages, self.u.store.committed.messages):
            found = next((m for m in messages if m.id == message_id), None)
            if found is not None:
                return found
        return None

    async def history(self, merchant_id: int, limit: int = 100) -> list[StoredMessage]:
        mine = [m for m in self.u.state.messages if m.merchant_id == merchant_id]
        mine.sort(key=lambda m: m.seq)
        return mine[-limit:] if limit > 0 else []

    async def replies_to(self, message_id: int) -> list[StoredMessage]:
        return [
            m for m in self.u.state.messages if m.reply_to == message_id and m.direction == "out"
        ]

    async def since(self, merchant_id: int, after: int, limit: int = 100) -> list[StoredMessage]:
        mine = [m for m in self.u.state.messages if m.merchant_id == merchant_id]
        return sorted((m for m in mine if m.seq > after), key=lambda m: m.seq)[:limit]


class FakeTickets:
    def __init__(self, uow: FakeUnitOfWork) -> None:
        self.u = uow

    async def add(self, ticket: NewTicket) -> Ticket:
        # Like the partial unique index: one unresolved ticket per merchant.
        await self.u.store.lock(("open ticket", ticket.merchant_id), self.u)
        for tickets in (self.u.state.tickets, self.u.store.committed.tickets):
            for t in sorted(tickets.values(), key=lambda t: -t.id):
                if t.merchant_id == ticket.merchant_id and t.status in ACTIVE:
                    raise OpenTicketExists(copy.copy(t))
        new = Ticket(id=self.u.store.next_id("ticket", self.u), **vars(ticket))
        self.u.change(lambda s: s.tickets.__setitem__(new.id, copy.copy(new)))
        return copy.copy(new)

    async def get(self, ticket_id: int) -> Ticket | None:
        found = self.u.state.tickets.get(ticket_id)
        return copy.copy(found) if found else None

    async def active_for(self, merchant_id: int) -> Ticket | None:
        mine = [t for t in self.u.state.tickets.values() if t.merchant_id == merchant_id]
        active = [t for t in mine if t.status in ACTIVE]
        return copy.copy(max(active, key=lambda t: t.id)) if active else None

    async def latest_for(self, merchant_id: int) -> Ticket | None:
        mine = [t for t in self.u.state.tickets.values() if t.merchant_id == merchant_id]
        return copy.copy(max(mine, key=lambda t: t.id)) if mine else None

    async def update(self, ticket: Ticket) -> None:
        if ticket.id not in self.u.state.tickets:
            raise LookupError(f"no ticket {ticket.id}")
        saved = copy.copy(ticket)
        self.u.change(lambda s: s.tickets.__setitem__(saved.id, copy.copy(saved)))

    async def find(self, query: TicketFilter) -> list[Ticket]:
        found = [
            t
            for t in self.u.state.tickets.values()
            if t.status in query.statuses
            and (query.teams is None or t.team in query.teams)
            and (not query.locale or t.locale == query.locale)
            and (not query.assignee or t.assignee == query.assignee)
            and (not query.reason or t.reason.startswith(query.reason))
        ]
        found.sort(key=lambda t: (t.created_at, t.id))
        return [copy.copy(t) for t in found[: query.limit]]

    async def log(self, event: TicketEvent) -> TicketEvent:
        stored = replace(event, id=self.u.store.next_id("event", self.u))
        self.u.change(lambda s: s.events.append(stored))
        return stored

    async def events(self, ticket_id: int) -> list[TicketEvent]:
        return [e for e in self.u.state.events if e.ticket_id == ticket_id]

    async def open_by_team(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for t in self.u.state.tickets.values():
            if t.status in ACTIVE:
                counts[t.team] = counts.get(t.team, 0) + 1
        return counts


class FakeOutbox:
    def __init__(self, uow: FakeUnitOfWork) -> None:
        self.u = uow

    async def add(
        self, message_id: int, ticket_id: int | None, merchant_id: int, channel: str
    ) -> int:
        item = OutboxItem(
            self.u.store.next_id("outbox", self.u),
            message_id,
            ticket_id,
            merchant_id,
            channel,
            next_attempt_at=self.u.clock(),
        )
        self.u.change(lambda s: s.outbox.__setitem__(item.id, item))
        return item.id

    async def backlog(self) -> tuple[int, datetime | None]:
        open_ = [i for i in self.u.state.outbox.values() if i.status in ("pending", "sending")]
        # items keep no queueing time here: the earliest next attempt stands in for it
        return len(open_), min((i.next_attempt_at for i in open_), default=None)

    async def due(self, now: datetime, limit: int = 50) -> list[OutboxItem]:
        due = [i for i in self.u.state.outbox.values() if i.status == "pending"]
        return sorted((i for i in due if i.next_attempt_at <= now), key=lambda i: i.id)[:limit]

    async def claim(self, now: datetime, lease: timedelta, limit: int = 50) -> list[OutboxItem]:
        await self.u.store.lock(("outbox",), self.u)  # like the database's atomic UPDATE
        current = {**self.u.state.outbox, **self.u.store.committed.outbox}  # the latest
        open_merchants: set[int] = set()
        claimed: list[OutboxItem] = []
        for item in sorted(current.values(), key=lambda i: i.id):
            if item.status not in ("pending", "sending"):
                continue
            first = item.merchant_id not in open_merchants
            open_merchants.add(item.merchant_id)
            due = item.status == "pending" and item.next_attempt_at <= now
            expired = item.status == "sending" and (item.lease_until or now) <= now
            if first and (due or expired) and len(claimed) < limit:
                tries = self.u.store.committed.attempts.get(item.id, [])
                attempt = SendAttempt(item.id, len(tries) + 1, now)
                taken = replace(item, status="sending", lease_until=now + lease)
                self.u.change(lambda s, t=taken: s.outbox.__setitem__(t.id, t))
                self.u.change(
                    lambda s, a=attempt: s.attempts.setdefault(a.outbox_id, []).append(a)
                )
                claimed.append(replace(taken, attempt=attempt.attempt))
        return claimed

    async def finish_attempt(
        self, item: OutboxItem, result: AttemptResult, error: str, at: datetime
    ) -> None:
        def finish(s: _State) -> None:
            tries = s.attempts.get(item.id, [])
            s.attempts[item.id] = [
                replace(a, result=result, error=error[:500], finished_at=at)
                if a.attempt == item.attempt
                else a
                for a in tries
            ]

        self.u.change(finish)

    async def attempts(self, item_id: int) -> list[SendAttempt]:
        return list(self.u.state.attempts.get(item_id, []))

    async def get(self, item_id: int) -> OutboxItem | None:
        found = self.u.state.outbox.get(item_id)
        return replace(found, attempt=0) if found is not None else None

    async def for_ticket(self, ticket_id: int) -> list[OutboxItem]:
        mine = [i for i in self.u.state.outbox.values() if i.ticket_id == ticket_id]
        return sorted(mine, key=lambda i: i.id)

    async def save(self, item: OutboxItem) -> None:
        if item.id not in self.u.state.outbox:
            raise LookupError(f"no outbox item {item.id}")
        saved = replace(item, attempt=0)
        self.u.change(lambda s: s.outbox.__setitem__(saved.id, saved))


class FakeTicketRefs:
    def __init__(self, uow: FakeUnitOfWork) -> None:
        self.u = uow

    async def set(self, ticket_id: int, system: str, ref: str) -> None:
        self.u.change(lambda s: s.refs.__setitem__((ticket_id, system), ref))

    async def get(self, ticket_id: int, system: str) -> str | None:
        return self.u.state.refs.get((ticket_id, system))

    async def ticket_for(self, system: str, ref: str) -> int | None:
        found = [t for (t, sys), r in self.u.state.refs.items() if sys == system and r == ref]
        return found[0] if found else None


class FakeStaff:
    def __init__(self, uow: FakeUnitOfWork) -> None:
        self.u = uow

    async def add(self, account: StaffAccount) -> None:
        if account.username in self.u.state.staff:
            raise ValueError(f"staff account {account.username} exists")
        saved = copy.copy(account)
        self.u.change(lambda s: s.staff.__setitem__(saved.username, copy.copy(saved)))

    async def get(self, username: str) -> StaffAccount | None:
        found = self.u.state.staff.get(username)
        return copy.copy(found) if found else None

    async def all(self) -> list[StaffAccount]:
        return [copy.copy(a) for _, a in sorted(self.u.state.staff.items())]

    async def update(self, account: StaffAccount) -> None:
        if account.username not in self.u.state.staff:
            raise LookupError(f"no staff account {account.username}")
        saved = copy.copy(account)
        self.u.change(lambda s: s.staff.__setitem__(saved.username, copy.copy(saved)))

    async def count_failure(self, username: str, now: datetime) -> StaffAccount | None:
        await self.u.store.lock(("staff", username), self.u)  # like the row lock
        found = self.u.store.committed.staff.get(username) or self.u.state.staff.get(username)
        if found is None:
            return None
        ended = found.locked_until is not None and found.locked_until <= now
        counted = replace(
            found,
            failed_logins=1 if ended else found.failed_logins + 1,
            locked_until=None if ended else found.locked_until,
        )
        self.u.change(lambda s: s.staff.__setitem__(username, copy.copy(counted)))
        return copy.copy(counted)

    async def add_session(self, session: StaffSession) -> None:
        self.u.change(lambda s: s.sessions.__setitem__(session.token_hash, session))

    async def session(self, token_hash: str) -> StaffSession | None:
        return self.u.state.sessions.get(token_hash)

    async def drop_session(self, token_hash: str) -> None:
        self.u.change(lambda s: s.sessions.pop(token_hash, None))

    async def drop_sessions(self, username: str) -> None:
        def drop(s: _State) -> None:
            s.sessions = {k: v for k, v in s.sessions.items() if v.username != username}

        self.u.change(drop)


class FakeDeliveries:
    def __init__(self, uow: FakeUnitOfWork) -> None:
        self.u = uow

    async def claim(self, channel: str, key: str, message_id: int) -> bool:
        k = (channel, key)
        if k in self.u.state.deliveries:
            return False
        await self.u.store.lock(("delivery", *k), self.u)
        if k in self.u.store.committed.deliveries:  # another unit of work claimed it first
            return False
        self.u.change(lambda s: s.deliveries.__setitem__(k, message_id))
        return True

    async def message_for(self, channel: str, key: str) -> int | None:
        k = (channel, key)
        return self.u.state.deliveries.get(k, self.u.store.committed.deliveries.get(k))


class FakeFeedback:
    def __init__(self, uow: FakeUnitOfWork) -> None:
        self.u = uow

    async def record(self, message_id: int, merchant_id: int, helpful: bool) -> None:
        self.u.change(lambda s: s.feedback.__setitem__(message_id, (merchant_id, helpful)))


class FakeUnanswered:
    def __init__(self, uow: FakeUnitOfWork) -> None:
        self.u = uow

    async def add(self, question: UnansweredQuestion) -> None:
        stored = replace(question, created_at=question.created_at.astimezone(UTC))
        self.u.change(lambda s: s.unanswered.append(stored))

    async def all(self) -> list[UnansweredQuestion]:
        return list(self.u.state.unanswered)


class FakeStore:
    """The committed state; ``uow()`` opens a unit of work on a private copy of it.

    ``clock`` stamps the rows the units of work write on their own, as the SQL stores'.
    """

    def __init__(self, clock: Clock = system_clock) -> None:
        self.clock = clock
        self.committed = _State()
        self.commits = 0
        self._locks: dict[Hashable, FakeUnitOfWork] = {}
        self._ids: dict[tuple[str, int], FakeUnitOfWork] = {}

    def uow(self) -> FakeUnitOfWork:
        return FakeUnitOfWork(self)

    async def close(self) -> None:
        """Nothing to close (the SQL stores close their engine)."""

    def next_id(self, kind: str, uow: FakeUnitOfWork) -> int:
        """A new id, unique among committed rows and those of open units of work."""
        state = self.committed
        used = {
            "merchant": [m.id for m in state.merchants.values()],
            "message": [m.id for m in state.messages],
            "ticket": list(state.tickets),
            "event": [e.id for e in state.events],
            "outbox": list(state.outbox),
        }[kind]
        used += [i for k, i in self._ids if k == kind]
        new = max(used, default=0) + 1
        self._ids[(kind, new)] = uow
        return new

    async def lock(self, name: Hashable, uow: FakeUnitOfWork) -> None:
        """Wait until no other open unit of work holds ``name``, then hold it."""
        deadline = time.monotonic() + LOCK_TIMEOUT
        while (holder := self._locks.get(name)) is not None and holder is not uow:
            if time.monotonic() > deadline:
                raise TimeoutError(f"{name!r} is held by another open unit of work")
            await asyncio.sleep(0.001)
        self._locks[name] = uow

    def release(self, uow: FakeUnitOfWork) -> None:
        """Drop the locks and ids an ending transaction held."""
        self._locks = {k: v for k, v in self._locks.items() if v is not uow}
        self._ids = {k: v for k, v in self._ids.items() if v is not uow}


class FakeUnitOfWork:
    def __init__(self, store: FakeStore) -> None:
        self.store = store
        self._changes: list[Change] = []

    def clock(self) -> datetime:
        """The store's clock (read now: the composition root may set it after opening)."""
        return self.store.clock()

    async def __aenter__(self) -> Self:
        self._open()
        return self

    def _open(self) -> None:
        self.state = copy.deepcopy(self.store.committed)
        self.merchants = FakeMerchants(self)
        self.messages = FakeMessages(self)
        self.deliveries = FakeDeliveries(self)
        self.feedback = FakeFeedback(self)
        self.unanswered = FakeUnanswered(self)
        self.tickets = FakeTickets(self)
        self.outbox = FakeOutbox(self)
        self.staff = FakeStaff(self)
        self.ticket_refs = FakeTicketRefs(self)

    def change(self, apply: Change) -> None:
        """Apply a change here now, and to the store on commit."""
        apply(self.state)
        self._changes.append(apply)

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.rollback()

    async def commit(self) -> None:
        for apply in self._changes:
            apply(self.store.committed)
        self.store.commits += 1
        self._end()

    async def rollback(self) -> None:
        self._end()

    def _end(self) -> None:
        self._changes.clear()
        self.store.release(self)
        self._open()


__all__ = ["FakeStore", "FakeUnitOfWork", "replace"]
