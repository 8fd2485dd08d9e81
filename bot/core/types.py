"""What channels hand to the core and what the core hands back: small frozen dataclasses."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

# "unsupported": a message the bot cannot read (a WeChat image or voice note), answered politely
EventKind = Literal["text", "button", "command", "location", "unsupported"]
Direction = Literal["in", "out"]


@dataclass(frozen=True)
class MerchantKey:
    """A merchant as a channel knows them: ("telegram", "12345"), ("web", "<cookie token>")."""

    channel: str
    user_id: str


@dataclass(frozen=True)
class Location:
    """A point shared by the merchant (WGS 84)."""

    lat: float
    lon: float


@dataclass(frozen=True)
class Incoming:
    """One event from a merchant, already translated from the channel's own objects."""

    merchant: MerchantKey
    kind: EventKind
    text: str = ""  # the message; for a command, its name without "/" ("start", "language")
    payload: str = ""  # a button's payload (see bot.core.payloads)
    location: Location | None = None
    message_id: str | None = None  # the channel's id of this message, when it has one
    delivery_key: str | None = None  # channel-unique key; a repeat delivery is handled once
    lang_hint: str | None = None  # the channel's language tag ("zh-TW", "ko-KR"), if any
    display_name: str | None = None  # how the channel names the merchant, for staff, if it does


@dataclass(frozen=True)
class Button:
    """An option the merchant can press; channels without buttons number them."""

    label: str
    payload: str


@dataclass(frozen=True)
class Venue:
    """A map point to show (channels that cannot, show the text)."""

    title: str
    address: str
    lat: float
    lon: float


@dataclass(frozen=True)
class Outgoing:
    """One message for the merchant."""

    text: str
    buttons: tuple[Button, ...] = ()
    venue: Venue | None = None


@dataclass(frozen=True)
class Reply:
    """The core's answer to one event. ``duplicate``: a repeat delivery, answered before."""

    messages: tuple[Outgoing, ...] = ()
    locale: str = "en"
    duplicate: bool = False
