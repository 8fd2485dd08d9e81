"""Conversation services for the tests: the real one behind a gate, a canned and a broken one."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

from bot.core.conversation import ConversationService
from bot.core.ports import StoredMessage
from bot.core.types import Incoming, MerchantKey, Reply


@dataclass
class Gated:
    """The real service behind a gate the test opens: an answer as slow as the test wants."""

    inner: ConversationService
    gate: asyncio.Event = field(default_factory=asyncio.Event)
    calls: int = 0

    async def handle(self, event: Incoming) -> Reply:
        self.calls += 1
        await self.gate.wait()
        return await self.inner.handle(event)

    async def history(self, key: MerchantKey, limit: int = 100) -> list[StoredMessage]:
        return await self.inner.history(key, limit)


@dataclass
class Canned:
    """A service with one fixed reply."""

    reply: Reply

    async def handle(self, event: Incoming) -> Reply:
        return self.reply

    async def history(self, key: MerchantKey, limit: int = 100) -> list[StoredMessage]:
        return []


@dataclass
class Broken:
    """A service that fails on every message."""

    async def handle(self, event: Incoming) -> Reply:
        raise RuntimeError("database unavailable")

    async def history(self, key: MerchantKey, limit: int = 100) -> list[StoredMessage]:
        return []
