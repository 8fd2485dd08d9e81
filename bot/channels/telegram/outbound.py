"""``bot.core.outbound.Outbound`` for Telegram: staff replies and late answers to a merchant."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from bot.channels.telegram.api import TgApiError
from bot.channels.telegram.mapping import CHANNEL, to_requests
from bot.channels.telegram.sender import Sender
from bot.core.outbound import DeliveryError
from bot.core.types import MerchantKey, Outgoing


class TelegramOutbound:
    """Sends through the channel's queues, so it keeps the chat's order and the rate limits."""

    channel: str = CHANNEL

    def __init__(self, sender: Sender, ready: Callable[[], bool] = lambda: True) -> None:
        self._sender = sender
        self._ready = ready  # False while the Bot API cannot be reached

    async def send(self, merchant: MerchantKey, messages: Sequence[Outgoing], locale: str) -> None:
        """Deliver in order; ``DeliveryError`` (permanent when the user blocked the bot)."""
        if merchant.channel != CHANNEL or not merchant.user_id.lstrip("-").isdigit():
            raise DeliveryError(f"not a Telegram merchant: {merchant.channel}", permanent=True)
        if not self._ready():
            raise DeliveryError("Telegram's Bot API is unreachable", unavailable=True)
        chat_id = int(merchant.user_id)
        try:
            await self._sender.deliver(chat_id, to_requests(chat_id, messages))
        except TgApiError as exc:
            raise DeliveryError(exc.description, permanent=exc.permanent) from exc
