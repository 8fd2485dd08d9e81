"""A Telegram update as the channel needs it: our own frozen dataclasses, framework-free.

Each framework adapter fills these from its library objects; everything after that (routing,
dedupe keys, the core's events) is shared and written once.
"""

from __future__ import annotations

import types
import typing
from dataclasses import dataclass, fields, is_dataclass
from typing import Any

# Message content we cannot read; the Bot API's field names, which both libraries reuse.
UNSUPPORTED_CONTENT = (
    "sticker",
    "photo",
    "voice",
    "video",
    "video_note",
    "audio",
    "document",
    "animation",
    "contact",
    "poll",
    "dice",
    "game",
    "story",
    "paid_media",
    "invoice",
)


@dataclass(frozen=True)
class TgUser:
    """The sender of a message or a button press."""

    id: int
    is_bot: bool = False
    language_code: str | None = None  # an IETF tag chosen by the user's app ("zh-hans", "ko")
    name: str = ""  # first and last name as the user set them (shown masked to staff)


@dataclass(frozen=True)
class TgLocation:
    """A shared location (or the point of a shared venue)."""

    latitude: float
    longitude: float


@dataclass(frozen=True)
class TgFile:
    """A photo (its largest size) or a document: what getFile needs, and what Telegram says
    of it (the size may be missing; the name and type are the sender's, never trusted)."""

    file_id: str
    size: int | None = None
    name: str = ""
    photo: bool = False


@dataclass(frozen=True)
class TgMessage:
    """A message: text (maybe a command), a location, or content we cannot read."""

    message_id: int
    chat_id: int
    chat_type: str  # "private", "group", "supergroup" or "channel"
    user: TgUser | None = None
    text: str | None = None
    command: str | None = None  # "/start@bot x" -> "start", only for a leading bot_command
    location: TgLocation | None = None
    unsupported: str | None = None  # the kind of content we cannot read ("sticker", "photo")
    thread_id: int | None = None  # a forum topic (the staff group's tickets)
    file: TgFile | None = None  # a photo or a document (its kind is also in ``unsupported``)
    caption: str | None = None  # the text sent with a photo or a document


@dataclass(frozen=True)
class TgCallback:
    """A press on one of our inline buttons."""

    id: str
    user: TgUser
    data: str | None = None
    chat_id: int | None = None  # of the message carrying the button, when still accessible
    chat_type: str | None = None
    message_id: int | None = None


@dataclass(frozen=True)
class TgUpdate:
    """One update; anything but a new message or a button press has neither field set."""

    update_id: int
    message: TgMessage | None = None
    callback: TgCallback | None = None


def well_typed(update: TgUpdate) -> TgUpdate:
    """The update if every field has its declared type; ValueError naming the first that has
    not (a framework that does not check types passes a number or a list on as a text)."""
    _check(update, type(update).__name__)
    return update


def _check(value: Any, path: str) -> None:
    hints = typing.get_type_hints(type(value))
    for f in fields(value):
        item = getattr(value, f.name)
        hint = hints[f.name]
        allowed = typing.get_args(hint) if isinstance(hint, types.UnionType) else (hint,)
        allowed += (int,) if float in allowed else ()  # JSON's 2 for 2.0
        if not isinstance(item, allowed):
            raise ValueError(f"not an update: {path}.{f.name} is a {type(item).__name__}")
        if is_dataclass(item):
            _check(item, f"{path}.{f.name}")


def command_of(text: str | None, leading_command: bool) -> str | None:
    """The command of a text that starts with a bot_command entity: "/Start@my_bot x" -> "start"."""
    if not text or not leading_command or not text.startswith("/"):
        return None
    word = text.split(maxsplit=1)[0][1:]
    return word.split("@", 1)[0].lower() or None


def full_name(first: str | None, last: str | None) -> str:
    """A user's display name from Telegram's first and last name."""
    # str(): a framework that does not check types may hand over a number from a bad update
    return " ".join(str(part) for part in (first, last) if part)


def file_of(message: Any) -> TgFile | None:
    """The photo (its largest size) or document of a library message object, if any: both
    libraries name the fields as the Bot API does, so this is written once."""
    sizes = getattr(message, "photo", None) or ()
    if sizes:
        big = max(sizes, key=lambda p: (p.width * p.height, p.file_size or 0))
        return TgFile(big.file_id, big.file_size, f"photo-{message.message_id}.jpg", photo=True)
    document = getattr(message, "document", None)
    if document is not None:
        return TgFile(document.file_id, document.file_size, document.file_name or "")
    return None


def unsupported_kind(message: object) -> str | None:
    """The first unreadable content field a library message object has set, if any."""
    return next((name for name in UNSUPPORTED_CONTENT if getattr(message, name, None)), None)
