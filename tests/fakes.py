"""In-memory storage for core tests: the same ports as bot.storage, committed or rolled back.

It behaves like the SQL stores where the core can tell: a unit of work sees a snapshot of the
committed state plus its own work, which reaches the store only on ``commit()`` (as a replay of
its changes, so two units of work do not overwrite each other); ids are unique across open units
of work; and a delivery key or a new merchant claimed by an open unit of work makes another unit
wait until the first commits or rolls back, like a row lock on a unique key.
"""

from __future__ import annotations

import asyncio
import copy
import time
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from types import TracebackType
from typing import Self

from bot.core.ports import MerchantRecord, NewMessage, StoredMessage, UnansweredQuestion
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


class FakeMessages:
    def __init__(self, uow: FakeUnitOfWork) -> None:
        self.u = uow

    async def add(self, message: NewMessage) -> StoredMessage:
        stored = StoredMessage(
            **vars(message),
            id=self.u.store.next_id("message", self.u),
            created_at=datetime.now(UTC),
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
        return mine[-limit:] if limit > 0 else []

    async def replies_to(self, message_id: int) -> list[StoredMessage]:
        return [
            m for m in self.u.state.messages if m.reply_to == message_id and m.direction == "out"
        ]


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
    """The committed state; ``uow()`` opens a unit of work on a private copy of it."""

    def __init__(self) -> None:
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
        if kind == "merchant":
            used = [m.id for m in self.committed.merchants.values()]
        else:
            used = [m.id for m in self.committed.messages]
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
