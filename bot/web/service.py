"""What the web app needs from the core: the conversation service and a health check."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, Protocol

from bot.core.ports import StoredMessage
from bot.core.types import Incoming, MerchantKey, Reply

HealthCheck = Callable[[], Awaitable[dict[str, Any]]]


class ChatService(Protocol):
    """The part of ``bot.core.conversation.ConversationService`` that the web chat uses."""

    async def handle(self, event: Incoming) -> Reply:
        """Store an event and return the reply to it."""
        ...

    async def history(self, key: MerchantKey, limit: int = 100) -> list[StoredMessage]:
        """A merchant's latest messages, oldest first."""
        ...

    async def since(self, key: MerchantKey, after_id: int, limit: int = 100) -> list[StoredMessage]:
        """A merchant's messages stored after ``after_id``, oldest first."""
        ...
