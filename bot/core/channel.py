"""One shape for every channel the bot serves (web chat, Telegram, WeChat): the composition
root (``bot/bootstrap.py``) builds each configured channel from a ``ChannelFactory`` and wires
them all in one loop: start, the outbound for staff replies, HTTP routes, health, ticket
listeners, stop.

The core imports no web library: a channel's HTTP routes are opaque here (``routes()``); the
composition root hands them to the web app.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from bot.core.desk import Desk
from bot.core.files import KINDS
from bot.core.metrics import NO_METRICS, Metrics
from bot.core.notify import TicketListener
from bot.core.outbound import Outbound
from bot.core.ports import Conversation, UnitOfWork
from bot.core.shared import Elect, Shared
from bot.core.types import MerchantKey


class ChannelConfigError(Exception):
    """A channel's settings are unusable, or its service refused them: start-up stops with
    this one line, which names the setting to check."""


@dataclass(frozen=True)
class Rendering:
    """What a channel can show of an ``Outgoing`` message.

    ``buttons``: a keyboard the merchant presses; without, a numbered menu in the text
    (``bot/channels/numbered.py``), where a number typed back presses the button.
    ``venue``: a map point for a centre; without, its name and address as text.
    ``files``: an image or PDF staff attach to a reply (``Outgoing.attachment``); without, the
    desk refuses attachments on the channel's tickets. ``file_kinds``: the kinds it can carry
    (WeChat: JPEG and PNG images only); the desk refuses the others, saying which it takes.
    ``file_max_bytes``: the largest file it can carry, when below FILE_MAX_BYTES (WeChat's
    temporary media: 10 MB); the desk refuses larger ones, saying the limit.
    """

    buttons: bool
    venue: bool
    files: bool = False
    file_kinds: frozenset[str] = frozenset(KINDS)
    file_max_bytes: int | None = None


class Channel(Protocol):
    """A channel as the composition root holds it."""

    @property
    def name(self) -> str:
        """The channel's name in merchant keys and the outbox ("web", "telegram", "wechat")."""
        ...

    @property
    def renders(self) -> Rendering:
        """Buttons or numbered text; a venue or not."""
        ...

    @property
    def outbound(self) -> Outbound:
        """Sends staff replies and late answers to the channel's merchants."""
        ...

    @property
    def listeners(self) -> Sequence[TicketListener]:
        """Ticket listeners the channel brings (Telegram's staff chat); usually none."""
        ...

    def routes(self) -> Sequence[object]:
        """The channel's HTTP endpoints (Starlette routes, opaque to the core); maybe none."""
        ...

    def status(self) -> Mapping[str, object]:
        """For /healthz: ``{"ok": bool}`` and, when not ok, ``"problem"``: why."""
        ...

    async def start(self) -> None:
        """Connect; raise ``ChannelConfigError`` (one line) when the settings are refused.
        A service that cannot be reached is retried in the background, not raised."""
        ...

    async def stop(self) -> None:
        """Stop taking messages, let what is in work finish (briefly), release the client."""
        ...


Undelivered = Callable[[MerchantKey, Sequence[str], str], Awaitable[None]]


@dataclass(frozen=True)
class ChannelParts:
    """What a channel is built from: the core's conversation port, the staff desk, units of
    work, where answers the channel gave up sending go (a ticket staff see), and what it
    counts (``metrics``: Telegram's 429s; nothing recorded by default)."""

    conversation: Conversation
    desk: Desk
    uow: Callable[[], UnitOfWork]
    undelivered: Undelivered
    metrics: Metrics = field(default=NO_METRICS)
    # Issue 16: state every replica sees (REDIS_URL; None: this process's own) and the lead of
    # a job only one replica does (PostgreSQL advisory locks; None: this replica always leads).
    shared: Shared | None = None
    elect: Elect | None = None


# Builds a configured channel; ``bot/bootstrap.py: channels_from`` lists one per channel
# package, None where its settings are missing.
ChannelFactory = Callable[[ChannelParts], Channel]
