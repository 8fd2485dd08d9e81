"""The one place where web requests become core events and core types become JSON."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from bot.core.files import StoredFile
from bot.core.ports import StoredMessage
from bot.core.texts import LANGUAGE_NAMES
from bot.core.tickets import STAFF_KIND
from bot.core.types import Button, Incoming, MerchantKey, Outgoing, Reply, Venue
from bot.formatting import clock
from bot.i18n import UI_LOCALES, UiLocale
from bot.web.validation import ChatRequest

Json = dict[str, Any]


def to_incoming(request: ChatRequest, merchant: MerchantKey) -> Incoming:
    """The core event for a checked chat request."""
    common: Json = {
        "merchant": merchant,
        "message_id": request.client_id,
        "delivery_key": request.client_id,
        "lang_hint": request.lang,
    }
    if request.type == "start":
        return Incoming(kind="command", text="start", **common)
    if request.type == "button":
        return Incoming(kind="button", payload=request.payload, **common)
    if request.type == "location":
        return Incoming(kind="location", location=request.location, **common)
    return Incoming(kind="text", text=request.text, **common)


def reply_json(reply: Reply, tz: str | None, at: datetime) -> Json:
    """A reply as sent to the page: its messages (shown at ``at``, the service's clock),
    whether it was a repeat, and the locale."""
    time = clock(at, _ui(reply.locale), tz)
    return {
        "messages": [outgoing_json(m) | {"time": time} for m in reply.messages],
        "duplicate": reply.duplicate,
        "locale": reply.locale,
    }


def outgoing_json(message: Outgoing) -> Json:
    """One bot message."""
    return message_json("out", message.text, message.buttons, message.venue)


def message_json(
    direction: str, text: str, buttons: Sequence[Button] = (), venue: Venue | None = None
) -> Json:
    """One message in the page's shape: direction, text, buttons and an optional venue."""
    data: Json = {
        "direction": direction,
        "text": text,
        "buttons": [{"label": b.label, "payload": b.payload} for b in buttons],
    }
    if venue is not None:
        data["venue"] = {
            "title": venue.title,
            "address": venue.address,
            "lat": venue.lat,
            "lon": venue.lon,
        }
    return data


def file_json(record: StoredFile) -> Json:
    """A file as the page shows it: where to fetch it (with the chat's cookie), what it is."""
    return {
        "url": f"/api/files/{record.id}",
        "kind": record.kind,
        "image": record.image,
        "name": record.name,
        "size": record.size,
    }


def history_json(messages: Sequence[StoredMessage], tz: str | None = None) -> Json:
    """Stored messages for the page: commands are hidden, a button press shows its label.

    Bot messages carry their time, formatted with Babel in the message's locale and the
    browser's time zone (the same as when they were first shown).
    """
    labels: dict[str, str] = {f"lang:{k}": v for k, v in LANGUAGE_NAMES.items()}
    shown: list[Json] = []
    timed: list[StoredMessage] = []
    locale: str | None = None
    for m in messages:
        before = len(shown)
        if m.direction == "out":
            labels.update({b.payload: b.label for b in m.buttons})
            locale = m.locale or locale
            shown.append(message_json("out", m.text, m.buttons, m.venue))
        elif m.kind == "button":
            shown.append(message_json("in", labels.get(m.payload, m.text or m.payload)))
        elif m.kind == "location":
            shown.append(message_json("in", f"📍 {m.text}"))
        elif m.kind == "file":
            shown.append(message_json("in", "" if m.file else f"📎 {m.text}"))
        elif m.kind != "command":
            shown.append(message_json("in", m.text))
        timed += [m] * (len(shown) - before)
    for data, m in zip(shown, timed, strict=True):
        if m.direction == "out":  # as live replies: the bot's messages carry their time
            data["time"] = clock(m.created_at, _ui(m.locale), tz)
        if m.kind == STAFF_KIND:
            data["from"] = "staff"
        if m.file is not None:
            data["file"] = file_json(m.file)
    cursor = max((m.seq for m in messages), default=0)
    return {"messages": shown, "locale": locale, "cursor": cursor}


def updates_json(messages: Sequence[StoredMessage], after: int, tz: str | None = None) -> Json:
    """Messages nobody asked for in this page (staff replies, rating requests) after a cursor.

    The page already shows the bot's replies to its own posts, so only outgoing messages that
    answer no inbound message are new to it; the cursor moves past everything read.

    The cursor is the merchant's message ``seq``, which follows commit order (an id does not:
    a reply inserted before a later-committing message would be skipped). Messages stored
    before ``seq`` existed have their id as ``seq``, so a page open across the upgrade goes on.
    """
    unsolicited = [m for m in messages if m.direction == "out" and m.reply_to is None]
    data = history_json(unsolicited, tz)
    data["cursor"] = max((m.seq for m in messages), default=after)
    return data


def _ui(locale: str | None) -> UiLocale:
    return next((loc for loc in UI_LOCALES if loc == locale), "en")
