"""Telegram updates become core events; core messages become Bot API requests. Written once."""

from __future__ import annotations

import logging
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from bot.channels.telegram.sends import (
    MAX_CALLBACK_DATA,
    MAX_CAPTION,
    MAX_PHOTO,
    InlineButton,
    Keyboard,
    SendFile,
    SendRequest,
    SendText,
    SendVenue,
)
from bot.channels.telegram.split import size, split_text
from bot.channels.telegram.updates import TgCallback, TgFile, TgMessage, TgUpdate, TgUser
from bot.core.files import IMAGE_KINDS
from bot.core.types import (
    Attachment,
    Button,
    EventKind,
    Incoming,
    Location,
    MerchantKey,
    Outgoing,
)

CHANNEL = "telegram"
PAIR_WIDTH = 16  # buttons this narrow (CJK counts double) share a row with a neighbour

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Inbound:
    """A merchant's event, the chat to answer in, and the button press to acknowledge."""

    event: Incoming
    chat_id: int
    callback_id: str | None = None
    fetch: TgFile | None = None  # a "file" event's file, to download before the core sees it


def merchant_key(user_id: int) -> MerchantKey:
    """The core's key for a Telegram user (their private chat with the bot has the same id)."""
    return MerchantKey(CHANNEL, str(user_id))


def delivery_key(bot_id: str, update: TgUpdate) -> str:
    """A key a redelivery of the same update repeats, and no other update has.

    Built from the message (chat and message id) or the callback query id rather than the
    update_id: Telegram picks update ids at random after a week without updates, and another
    bot token starts its own sequence, so update ids alone could collide with stored keys.
    """
    if update.callback is not None:
        return f"{bot_id}:cb:{update.callback.id}"
    if update.message is not None:
        return f"{bot_id}:m:{update.message.chat_id}:{update.message.message_id}"
    return f"{bot_id}:u:{update.update_id}"


def to_inbound(update: TgUpdate, bot_id: str, files: bool = False) -> Inbound | None:
    """The merchant's event in an update; None for groups, bots and what we do not handle.

    ``files``: photos and documents become "file" events (the caption is their text) whose
    ``Inbound.fetch`` the channel downloads; without, they get the polite "text only" reply.
    """
    key = delivery_key(bot_id, update)
    if update.callback is not None:
        return _callback(update.callback, key)
    if update.message is not None:
        return _message(update.message, key, files)
    return None


def _message(m: TgMessage, key: str, files: bool) -> Inbound | None:
    if m.chat_type != "private" or m.user is None or m.user.is_bot:
        return None
    user, mid = m.user, str(m.message_id)
    if files and m.file is not None:
        event = _event(user, key, "file", text=m.caption or "", message_id=mid)
        return Inbound(event, m.chat_id, fetch=m.file)
    if m.command is not None:
        event = _event(user, key, "command", text=m.command, message_id=mid)
    elif m.text is not None:
        event = _event(user, key, "text", text=m.text, message_id=mid)
    elif m.location is not None:
        point = Location(m.location.latitude, m.location.longitude)
        event = _event(user, key, "location", location=point, message_id=mid)
    elif m.unsupported is not None:  # the core answers with its polite "text only" reply
        event = _event(user, key, "unsupported", text=f"[{m.unsupported}]", message_id=mid)
    else:
        return None  # a service message (pinned, joined, ...): nothing to answer
    return Inbound(event, m.chat_id)


def _callback(c: TgCallback, key: str) -> Inbound | None:
    if c.user.is_bot or (c.chat_type is not None and c.chat_type != "private"):
        return None
    event = _event(c.user, key, "button", payload=c.data or "")
    return Inbound(event, c.chat_id if c.chat_id is not None else c.user.id, c.id)


def _event(
    user: TgUser,
    key: str,
    kind: EventKind,
    *,
    text: str = "",
    payload: str = "",
    location: Location | None = None,
    message_id: str | None = None,
) -> Incoming:
    return Incoming(
        merchant=merchant_key(user.id),
        kind=kind,
        text=text,
        payload=payload,
        location=location,
        message_id=message_id,
        delivery_key=key,
        lang_hint=user.language_code,  # mapped by the core (bot.core.language.locale_from_tag)
        display_name=user.name or None,
    )


def sender_of(update: TgUpdate) -> TgUser | None:
    """Who sent the message or pressed the button."""
    if update.message is not None:
        return update.message.user
    return update.callback.user if update.callback is not None else None


def chat_of(update: TgUpdate) -> int | None:
    """The chat an update belongs to (its order matters within that chat)."""
    if update.message is not None:
        return update.message.chat_id
    if update.callback is not None:
        return update.callback.chat_id if update.callback.chat_id else update.callback.user.id
    return None


def to_requests(
    chat_id: int, messages: Sequence[Outgoing], thread_id: int | None = None
) -> list[SendRequest]:
    """The Bot API requests for the core's messages, in order; buttons go on the last piece."""
    requests: list[SendRequest] = []
    for message in messages:
        keyboard = keyboard_for(message.buttons)
        if message.attachment is not None:
            requests += _with_file(chat_id, message, message.attachment, keyboard, thread_id)
            continue
        pieces = split_text(message.text)
        for i, piece in enumerate(pieces):
            last = i == len(pieces) - 1 and message.venue is None
            requests.append(SendText(chat_id, piece, keyboard if last else (), thread_id))
        if message.venue is not None:
            v = message.venue
            requests.append(
                SendVenue(chat_id, v.lat, v.lon, v.title, v.address, keyboard, thread_id)
            )
        elif not pieces and keyboard:
            log.warning("telegram: buttons without text cannot be sent", extra={"chat": chat_id})
    return requests


def _with_file(
    chat_id: int,
    message: Outgoing,
    file: Attachment,
    keyboard: Keyboard,
    thread_id: int | None,
) -> list[SendRequest]:
    """A file with the text as its caption: one request, so an outbox retry repeats nothing
    that went out. A text too long for a caption goes first, as messages of its own."""
    photo = file.kind in IMAGE_KINDS and len(file.data) <= MAX_PHOTO
    text = message.text.strip()
    caption = text if size(text) <= MAX_CAPTION else ""
    before: list[SendRequest] = []
    if text and not caption:
        before = [SendText(chat_id, piece, (), thread_id) for piece in split_text(text)]
    return [*before, SendFile(chat_id, file.data, file.name, photo, caption, keyboard, thread_id)]


def keyboard_for(buttons: Iterable[Button]) -> Keyboard:
    """Inline keyboard rows: short labels two to a row, long ones (questions) alone."""
    rows: list[tuple[InlineButton, ...]] = []
    pending: InlineButton | None = None
    for button in buttons:
        if len(button.payload.encode("utf-8")) > MAX_CALLBACK_DATA:
            log.warning("telegram: button payload over 64 bytes dropped")
            continue
        b = InlineButton(button.label, button.payload)
        if _width(b.text) > PAIR_WIDTH:
            rows += [(pending,)] if pending else []
            rows.append((b,))
            pending = None
        elif pending is None:
            pending = b
        else:
            rows.append((pending, b))
            pending = None
    return (*rows, (pending,)) if pending else tuple(rows)


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)
