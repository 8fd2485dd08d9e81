"""The web chat's side of outbound delivery: the page polls its history, so nothing to push."""

from __future__ import annotations

from collections.abc import Sequence

from bot.core.types import MerchantKey, Outgoing


class WebOutbound:
    """Staff replies to web-chat merchants are stored; the open page fetches them."""

    channel = "web"

    async def send(self, merchant: MerchantKey, messages: Sequence[Outgoing], locale: str) -> None:
        """Nothing to do: the message is already in the history the page polls."""
