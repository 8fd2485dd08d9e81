"""What the console shows, as plain values: queue rows and a ticket's timeline.

Times are formatted with ``bot.formatting`` in the agent's time zone; the UI is in English,
while message texts stay in the merchant's language.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Literal

from bot.core.desk import QueueRow, ThreadView
from bot.core.ports import StoredMessage
from bot.core.texts import LANGUAGE_NAMES
from bot.core.tickets import ASKED, COMPLIANCE, NO_ANSWER, STAFF_KIND, TicketEvent
from bot.formatting import clock, duration, when, zone

ItemKind = Literal["merchant", "bot", "staff", "note", "event"]
# The messages themselves show these (an acknowledgement is the bot's message to the merchant).
HIDDEN_EVENTS = frozenset({"replied", "message", "acknowledged"})
DELIVERY_LABELS = {"pending": "sending", "sent": "sent", "failed": "failed"}


def language(locale: str) -> str:
    """A locale's own name ("繁體中文"), or the code when unknown."""
    return next((name for loc, name in LANGUAGE_NAMES.items() if loc == locale), locale)


def reason(value: str) -> str:
    """Why the ticket exists, for people ("compliance: fake reviews")."""
    if value == ASKED:
        return "asked for a person"
    if value == NO_ANSWER:
        return "bot had no answer"
    if value.startswith(COMPLIANCE):
        topic = value.partition(":")[2].replace("_", " ")
        return f"compliance: {topic}" if topic else "compliance"
    return value.replace("_", " ")


def aware(moment: datetime) -> datetime:
    """The moment with a time zone (stores give UTC; a naive time is taken as UTC)."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def stamp(moment: datetime, tz: str | None, now: datetime) -> str:
    """The time of day for today's moments, else date and time, in the agent's zone."""
    local = aware(moment).astimezone(zone(tz))
    if local.date() == aware(now).astimezone(zone(tz)).date():
        return clock(moment, "en", tz)
    return when(moment, "en", tz)


def wait(delta: timedelta) -> str:
    """A waiting time, rounded ("3 minutes", "under a minute")."""
    return "under a minute" if delta < timedelta(minutes=1) else duration(delta, "en")


@dataclass(frozen=True)
class Row:
    """A queue row."""

    id: int
    url: str
    locale: str
    language: str
    channel: str
    reason: str
    reason_label: str
    team: str
    team_name: str
    status: str
    assignee: str | None
    waiting: str
    waiting_seconds: int
    overdue: bool
    answered: bool
    opened: str
    last_merchant: str


def row(queued: QueueRow, team_name: Callable[[str], str], tz: str | None, now: datetime) -> Row:
    """A queue row for the page and its poller."""
    t = queued.ticket
    return Row(
        id=t.id,
        url=f"/staff/tickets/{t.id}",
        locale=t.locale,
        language=language(t.locale),
        channel=t.channel,
        reason=t.reason,
        reason_label=reason(t.reason),
        team=t.team,
        team_name=team_name(t.team),
        status=t.status,
        assignee=t.assignee,
        waiting=wait(queued.waiting),
        waiting_seconds=int(queued.waiting.total_seconds()),
        overdue=queued.overdue,
        answered=t.first_response_at is not None,
        opened=stamp(t.created_at, tz, now),
        last_merchant=stamp(t.last_merchant_at, tz, now) if t.last_merchant_at else "",
    )


@dataclass(frozen=True)
class Item:
    """One line of a ticket's timeline: a message, a note, or an audit event."""

    kind: ItemKind
    key: str
    text: str
    time: str
    author: str = ""
    buttons: tuple[str, ...] = ()
    delivery: str = ""  # sending, sent or failed, for messages that go through the outbox
    error: str = ""
    message_id: int | None = None


def timeline(view: ThreadView, tz: str | None, now: datetime) -> list[Item]:
    """Messages, notes and events of a ticket's merchant, oldest first."""
    authors = {e.message_id: e.actor for e in view.events if e.action == "replied"}
    labels: dict[str, str] = {}
    entries: list[tuple[datetime, int, int, Item]] = []
    for m in view.messages:
        if m.direction == "out":
            labels.update({b.payload: b.label for b in m.buttons})
        item = _message(m, view, labels, authors.get(m.id, ""), stamp(m.created_at, tz, now))
        if item is not None:
            entries.append((aware(m.created_at), 0, m.id, item))
    for e in view.events:
        if e.action not in HIDDEN_EVENTS:
            entries.append((aware(e.created_at), 1, e.id, _event(e, stamp(e.created_at, tz, now))))
    entries.sort(key=lambda entry: entry[:3])
    return [item for *_, item in entries]


def _message(
    m: StoredMessage, view: ThreadView, labels: dict[str, str], author: str, time: str
) -> Item | None:
    key = f"m{m.id}"
    if m.direction == "in":
        if m.kind == "command":
            said = "opened the chat" if m.text == "start" else f"sent /{m.text}"
            return Item("event", key, f"merchant {said}", time, "merchant")
        if m.kind == "button":
            text = f"pressed “{labels.get(m.payload, m.text or m.payload)}”"
        elif m.kind == "location":
            text = f"📍 shared a location: {m.text}"
        else:
            text = m.text
        return Item("merchant", key, text, time, "merchant", message_id=m.id)
    item = view.deliveries.get(m.id)
    delivery = DELIVERY_LABELS.get(item.status, "") if item else ""
    error = item.error if item else ""
    buttons = tuple(b.label for b in m.buttons)
    kind: ItemKind = "staff" if m.kind == STAFF_KIND else "bot"
    author = author or ("staff" if kind == "staff" else "bot")
    return Item(kind, key, m.text, time, author, buttons, delivery, error, m.id)


def _event(e: TicketEvent, time: str) -> Item:
    key = f"e{e.id}"
    if e.action == "note":
        return Item("note", key, e.detail, time, e.actor)
    return Item("event", key, describe(e), time, e.actor)


def describe(e: TicketEvent) -> str:
    """An audit event as a sentence ("alice claimed the ticket")."""
    who, detail = e.actor, e.detail
    if e.action == "opened":
        return f"ticket opened: {reason(detail)}" if detail else "ticket opened"
    if e.action == "assigned":
        return f"{who} claimed the ticket" if detail == who else f"{who} assigned it to {detail}"
    if e.action == "transferred":
        before, _, after = detail.partition(" -> ")
        return f"{who} transferred it from {before} to {after}"
    if e.action == "resolved":
        return f"{who} resolved the ticket"
    if e.action == "reopened":
        return f"{who} reopened the ticket"
    if e.action == "rated":
        return f"{who} rated the help {detail}/5"
    if e.action == "retry":
        return f"{who} sent a failed message again"
    if e.action == "answered":
        return f"the bot answered from the FAQ ({detail}) while the ticket waits"
    if e.action == "closed":
        return f"{who} closed the request"
    return " ".join(part for part in (who, e.action, detail) if part)
