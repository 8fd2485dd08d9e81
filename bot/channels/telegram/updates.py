"""A Telegram update as the channel needs it: our own frozen dataclasses, framework-free.

Both libraries' objects name their fields as the Bot API does, so the mapping from them
(``update_of``) is written once here: each framework adapter hands over its own objects, and
everything after that (routing, dedupe keys, the core's events) is shared too.
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


def update_of(update: Any) -> TgUpdate:
    """Our update for a library's update object (only a new message or a button press is
    kept): aiogram and python-telegram-bot name the fields as the Bot API does, so the
    mapping is written once and each adapter hands over its own objects."""
    if update.message is not None:
        return TgUpdate(update.update_id, message=message_of(update.message))
    if update.callback_query is not None:
        return TgUpdate(update.update_id, callback=callback_of(update.callback_query))
    return TgUpdate(update.update_id)


def message_of(m: Any) -> TgMessage:
    """Our message for a library's message object."""
    # aiogram leaves ``entities`` None when there are none, PTB an empty tuple
    leading = any(e.type == "bot_command" and e.offset == 0 for e in m.entities or ())
    return TgMessage(
        message_id=m.message_id,
        chat_id=m.chat.id,
        chat_type=str(m.chat.type),
        user=user_of(m.from_user) if m.from_user else None,
        text=m.text,
        command=command_of(m.text, leading),
        location=TgLocation(m.location.latitude, m.location.longitude) if m.location else None,
        unsupported=unsupported_kind(m),
        thread_id=m.message_thread_id,
        file=file_of(m),
        caption=m.caption,
    )


def callback_of(q: Any) -> TgCallback:
    """Our button press for a library's callback query (its message may be inaccessible,
    never its chat)."""
    return TgCallback(
        id=q.id,
        user=user_of(q.from_user),
        # PTB's arbitrary callback data may stand an object in for the string; ours is text
        data=q.data if isinstance(q.data, str) else None,
        chat_id=q.message.chat.id if q.message else None,
        chat_type=str(q.message.chat.type) if q.message else None,
        message_id=q.message.message_id if q.message else None,
    )


def user_of(u: Any) -> TgUser:
    """Our user for a library's user object."""
    return TgUser(u.id, u.is_bot, u.language_code, full_name(u.first_name, u.last_name))
