"""What channels hand to the core and what the core hands back: small frozen dataclasses."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Literal

# "unsupported": a message the bot cannot read (a WeChat image or voice note), answered politely;
# "file": an image or PDF the merchant sent (``Incoming.attachment``, checked: bot/core/files.py)
EventKind = Literal["text", "button", "command", "location", "unsupported", "file"]
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
class Attachment:
    """A file a person sent, already checked (``bot.core.files.check``): its kind sniffed from
    the content, image metadata stripped, the name made safe to show."""

    kind: str  # a MIME type from bot.core.files.KINDS
    data: bytes
    name: str


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
    attachment: Attachment | None = None  # the file of a "file" event


def storable(text: str) -> str:
    """Text without NUL characters, which PostgreSQL cannot store in a text column."""
    return text.replace("\x00", "")


def storable_event(event: Incoming) -> Incoming:
    """The event with NUL removed from every text it carries (a channel may pass one on)."""
    optional = (event.message_id, event.delivery_key, event.lang_hint, event.display_name)
    if "\x00" not in "".join([event.text, event.payload, *(v or "" for v in optional)]):
        return event
    return replace(
        event,
        text=storable(event.text),
        payload=storable(event.payload),
        message_id=storable(event.message_id) if event.message_id is not None else None,
        delivery_key=storable(event.delivery_key) if event.delivery_key is not None else None,
        lang_hint=storable(event.lang_hint) if event.lang_hint is not None else None,
        display_name=storable(event.display_name) if event.display_name is not None else None,
    )


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
    attachment: Attachment | None = None  # a file staff sent, read from the FileStore


@dataclass(frozen=True)
class Reply:
    """The core's answer to one event. ``duplicate``: a repeat delivery, answered before (the
    stored answer in ``messages``); ``sent``: and the channel said that answer reached the
    merchant (``Conversation.sent``), so it is not to be sent again; ``parts_sent``: when not
    ``sent``, how many of the channel's own sends of that answer it recorded as gone out
    (``SentRecording.record`` with a count: Telegram's Bot API requests), so that it sends
    only the rest."""

    messages: tuple[Outgoing, ...] = ()
    locale: str = "en"
    duplicate: bool = False
    sent: bool = False
    parts_sent: int = 0
