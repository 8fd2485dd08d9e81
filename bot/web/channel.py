"""The web chat as a ``bot.core.channel.Channel``: its HTTP routes are the web app's own
(``bot/web/app.py``), and staff replies wait in the history the open page polls."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from bot.core.channel import ChannelParts, Rendering
from bot.core.notify import TicketListener
from bot.core.outbound import Outbound
from bot.web.outbound import WebOutbound


class WebChannel:
    """Always on: nothing to connect or stop."""

    name: ClassVar[str] = "web"
    renders: ClassVar[Rendering] = Rendering(buttons=True, venue=True)
    listeners: ClassVar[Sequence[TicketListener]] = ()

    def __init__(self, outbound: Outbound | None = None) -> None:
        self.outbound: Outbound = outbound or WebOutbound()

    def routes(self) -> list[object]:
        """None of its own: the page, /api/chat and /api/history are the app's (create_app)."""
        return []

    def status(self) -> dict[str, object]:
        """Up while the app answers."""
        return {"ok": True}

    async def start(self) -> None:
        """Nothing to connect."""

    async def stop(self) -> None:
        """Nothing to release."""


def web_chat(parts: ChannelParts) -> WebChannel:
    """The web chat's factory (it needs nothing of the core beyond the app's routes)."""
    return WebChannel()
