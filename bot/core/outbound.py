"""How the core reaches a merchant outside a request/reply: staff replies, late answers.

Each channel implements ``Outbound``; the core keeps one per channel name. A send that fails
raises ``DeliveryError``; ``permanent`` says a retry cannot help (WeChat's closed 48-hour
window, a Telegram user who blocked the bot), so staff must be told instead; ``unavailable``
says the channel itself is down (its API unreachable): the message waits, without using up
its attempts, and goes out in order when the channel is back.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from bot.core.types import MerchantKey, Outgoing


class DeliveryError(Exception):
    """A message could not be delivered to the merchant."""

    def __init__(self, reason: str, *, permanent: bool = False, unavailable: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.permanent = permanent
        self.unavailable = unavailable


class Outbound(Protocol):
    """Sends messages to merchants of one channel."""

    channel: str

    async def send(self, merchant: MerchantKey, messages: Sequence[Outgoing], locale: str) -> None:
        """Deliver the messages in order; raise ``DeliveryError`` when they cannot be."""
        ...
