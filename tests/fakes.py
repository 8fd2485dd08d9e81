"""In-memory storage for core tests: the same ports as bot.storage, committed or rolled back."""

from __future__ import annotations

import copy
from dataclasses import dataclass, field, replace
from types import TracebackType
from typing import Self

from bot.core.ports import MerchantRecord, NewMessage, StoredMessage, UnansweredQuestion
from bot.core.types import MerchantKey


@dataclass
class _State:
    merchants: dict[MerchantKey, MerchantRecord] = field(default_factory=dict)
    messages: list[StoredMessage] = field(default_factory=list)
    deliveries: dict[tuple[str, str], int] = field(default_factory=dict)
    feedback: dict[int, tuple[int, bool]] = field(default_factory=dict)
    unanswered: list[UnansweredQuestion] = field(default_factory=list)


class FakeMerchants:
    def __init__(self, state: _State) -> None:
        self.s = state

    async def get_or_create(self, key: MerchantKey) -> MerchantRecord:
        if key not in self.s.merchants:
            self.s.merchants[key] = MerchantRecord(id=len(self.s.merchants) + 1, key=key)
        return copy.copy(self.s.merchants[key])

    async def update(self, merchant: MerchantRecord) -> None:
        self.s.merchants[merchant.key] = copy.copy(merchant)


class FakeMessages:
    def __init__(self, state: _State) -> None:
        self.s = state

    async def add(self, message: NewMessage) -> StoredMessage:
        stored = StoredMessage(**vars(message), id=len(self.s.messages) + 1)
        self.s.messages.append(stored)
        return stored

    async def get(self, message_id: int) -> StoredMessage | None:
        return next((m for m in self.s.messages if m.id == message_id), None)

    async def history(self, merchant_id: int, limit: int = 100) -> list[StoredMessage]:
        return [m for m in self.s.messages if m.merchant_id == merchant_id][-limit:]

    async def replies_to(self, message_id: int) -> list[StoredMessage]:
        return [m for m in self.s.messages if m.reply_to == message_id and m.direction == "out"]


class FakeDeliveries:
    def __init__(self, state: _State) -> None:
        self.s = state

    async def claim(self, channel: str, key: str, message_id: int) -> bool:
        if (channel, key) in self.s.deliveries:
            return False
        self.s.deliveries[(channel, key)] = message_id
        return True

    async def message_for(self, channel: str, key: str) -> int | None:
        return self.s.deliveries.get((channel, key))


class FakeFeedback:
    def __init__(self, state: _State) -> None:
        self.s = state

    async def record(self, message_id: int, merchant_id: int, helpful: bool) -> None:
        self.s.feedback[message_id] = (merchant_id, helpful)


class FakeUnanswered:
    def __init__(self, state: _State) -> None:
        self.s = state

    async def add(self, question: UnansweredQuestion) -> None:
        self.s.unanswered.append(question)

    async def all(self) -> list[UnansweredQuestion]:
        return list(self.s.unanswered)


class FakeStore:
    """The committed state; ``uow()`` opens a unit of work on a private copy of it."""

    def __init__(self) -> None:
        self.committed = _State()
        self.commits = 0

    def uow(self) -> FakeUnitOfWork:
        return FakeUnitOfWork(self)


class FakeUnitOfWork:
    def __init__(self, store: FakeStore) -> None:
        self.store = store

    async def __aenter__(self) -> Self:
        self._open()
        return self

    def _open(self) -> None:
        self.state = copy.deepcopy(self.store.committed)
        self.merchants = FakeMerchants(self.state)
        self.messages = FakeMessages(self.state)
        self.deliveries = FakeDeliveries(self.state)
        self.feedback = FakeFeedback(self.state)
        self.unanswered = FakeUnanswered(self.state)

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.rollback()

    async def commit(self) -> None:
        self.store.committed = copy.deepcopy(self.state)
        self.store.commits += 1

    async def rollback(self) -> None:
        self._open()


__all__ = ["FakeStore", "FakeUnitOfWork", "replace"]
