"""What the WeChat channel needs from the core: the conversation service's two calls."""

from __future__ import annotations

from typing import Protocol

from bot.core.ports import StoredMessage
from bot.core.types import Incoming, MerchantKey, Reply


class History(Protocol):
    """Where a merchant's stored messages come from."""

    async def history(self, key: MerchantKey, limit: int = 100) -> list[StoredMessage]:
        """A merchant's latest messages, oldest first."""
        ...


class Conversation(History, Protocol):
    """The part of ``bot.core.conversation.ConversationService`` the channel uses."""

    async def handle(self, event: Incoming) -> Reply:
        """Store an event (a repeat delivery is answered once) and return the reply."""
        ...
