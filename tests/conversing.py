"""Talking to the conversation core from a test: one merchant's messages, run to their reply."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any, TypeVar

from bot.core.conversation import ConversationService
from bot.core.types import Incoming, MerchantKey, Reply

T = TypeVar("T")
WEB = MerchantKey("web", "token-1")


def run(coro: Coroutine[Any, Any, T]) -> T:
    """Run one coroutine to its end (each call in a fresh event loop)."""
    return asyncio.run(coro)


def say(service: ConversationService, text: str, who: MerchantKey = WEB, **kw: Any) -> Reply:
    """A text message from ``who`` (the web merchant by default), and the bot's reply."""
    return run(service.handle(Incoming(who, "text", text=text, **kw)))


def press(service: ConversationService, payload: str, who: MerchantKey = WEB, **kw: Any) -> Reply:
    """A button press from ``who``, and the bot's reply."""
    return run(service.handle(Incoming(who, "button", payload=payload, **kw)))
