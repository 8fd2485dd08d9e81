"""What the console shows, as plain values: queue rows and a ticket's timeline.

Times and durations are formatted with ``bot.formatting`` (Babel) in the agent's locale and
time zone, and every label is translated into the agent's locale (the console's language);
message texts stay in the merchant's language.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Literal

from bot.core.desk import QueueRow, ThreadView
from bot.core.files import StoredFile
from bot.core.ports import StoredMessage
from bot.core.texts import LANGUAGE_NAMES
from bot.core.tickets import ASKED, COMPLIANCE, NO_ANSWER, STAFF_KIND, TicketEvent
from bot.formatting import clock, duration, when, zone
from bot.i18n import UiLocale, _, translate

ItemKind = Literal["merchant", "bot", "staff", "note", "event"]
# The messages themselves show these (an acknowledgement is the bot's message to the merchant).
HIDDEN_EVENTS = frozenset({"replied", "message", "acknowledged"})
DELIVERY_STATES = {"pending": "sending", "sending": "sending", "sent": "sent", "failed": "failed"}
DELIVERY_LABELS = {"sending": _("sending"), "sent": _("sent"), "failed": _("failed")}
AUTHORS = {"merchant": _("merchant"), "bot": _("bot"), "staff": _("staff")}


def language(locale: str) -> str:
    """A locale's own name ("繁體中文"), or the code when unknown (the same in every UI)."""
    return next((name for loc, name in LANGUAGE_NAMES.items() if loc == locale), locale)


def reason(value: str, locale: UiLocale = "en") -> str:
    """Why the ticket exists, for people ("compliance: fake reviews")."""
    if value == ASKED:
        return translate(locale, _("asked for a person"))
    if value == NO_ANSWER:
        return translate(locale, _("bot had no answer"))
    if value.startswith(COMPLIANCE):
        topic = value.partition(":")[2].replace("_", " ")
        if topic:
            return translate(locale, _("compliance: {topic}"), topic=topic)
        return translate(locale, _("compliance"))
    return value.replace("_", " ")


def aware(moment: datetime) -> datetime:
    """The moment with a time zone (stores give UTC; a naive time is taken as UTC)."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def stamp(moment: datetime, tz: str | None, now: datetime, locale: UiLocale = "en") -> str:
    """The time of day for today's moments, else date and time, in the agent's zone."""
    local = aware(moment).astimezone(zone(tz))
    if local.date() == aware(now).astimezone(zone(tz)).date():
        return clock(moment, locale, tz)
    return when(moment, locale, tz)


def wait(delta: timedelta, locale: UiLocale = "en") -> str:
    """A waiting time, rounded ("3 minutes", "under a minute")."""
    if delta < timedelta(minutes=1):
        return translate(locale, _("under a minute"))
    return duration(delta, locale)


def author_label(author: str, locale: UiLocale) -> str:
    """Who wrote a line: a username as it is, or "merchant", "bot", "staff" translated."""
    known = AUTHORS.get(author)
    return translate(locale, known) if known else author


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
    status_label: str
    assignee: str | None
    waiting: str
    waiting_seconds: int
    overdue: bool
    answered: bool
    opened: str
    last_merchant: str
    # Until the first-response target (negative past it); None once answered or resolved.
    left_seconds: int | None = None
    left: str = ""  # "25 minutes left", for an unanswered ticket not yet overdue
    last_merchant_ts: int = 0  # when the merchant last wrote (epoch seconds): console alerts


def row(
    queued: QueueRow,
    team_name: Callable[[str], str],
    tz: str | None,
    now: datetime,
    locale: UiLocale = "en",
    target: timedelta | None = None,
) -> Row:
    """A queue row for the page and its poller, its labels in the agent's ``locale``."""
    t = queued.ticket
    left: timedelta | None = None
    if target is not None and t.active and t.first_response_at is None:
        left = target - queued.waiting
    return Row(
        id=t.id,
        url=f"/staff/tickets/{t.id}",
        locale=t.locale,
        language=language(t.locale),
        channel=t.channel,
        reason=t.reason,
        reason_label=reason(t.reason, locale),
        team=t.team,
        team_name=team_name(t.team),
        status=t.status,
        status_label=status_label(t.status, locale),
        assignee=t.assignee,
        waiting=wait(queued.waiting, locale),
        waiting_seconds=int(queued.waiting.total_seconds()),
        overdue=queued.overdue,
        answered=t.first_response_at is not None,
        opened=stamp(t.created_at, tz, now, locale),
        last_merchant=stamp(t.last_merchant_at, tz, now, locale) if t.last_merchant_at else "",
        left_seconds=int(left.total_seconds()) if left is not None else None,
        left=translate(locale, _("{time} left"), time=wait(left, locale))
        if left is not None and left > timedelta(0)
        else "",
        last_merchant_ts=int(aware(t.last_merchant_at).timestamp()) if t.last_merchant_at else 0,
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
    author_label: str = ""  # the author as shown (merchant, bot and staff translated)
    delivery_label: str = ""  # the delivery state as shown
    file: StoredFile | None = None  # an image (a thumbnail) or a PDF (a link)


def timeline(
    view: ThreadView, tz: str | None, now: datetime, locale: UiLocale = "en"
) -> list[Item]:
    """Messages, notes and events of a ticket's merchant, oldest first (labels in ``locale``)."""
    authors = {e.message_id: e.actor for e in view.events if e.action == "replied"}
    labels: dict[str, str] = {}
    entries: list[tuple[datetime, int, int, Item]] = []
    for m in view.messages:
        if m.direction == "out":
            labels.update({b.payload: b.label for b in m.buttons})
        time = stamp(m.created_at, tz, now, locale)
        item = _message(m, view, labels, authors.get(m.id, ""), time, locale)
        if item is not None:
            entries.append((aware(m.created_at), 0, m.id, item))
    for e in view.events:
        if e.action not in HIDDEN_EVENTS:
            item = _event(e, stamp(e.created_at, tz, now, locale), locale)
            entries.append((aware(e.created_at), 1, e.id, item))
    entries.sort(key=lambda entry: entry[:3])
    return [
        replace(
            item,
            author_label=author_label(item.author, locale),
            delivery_label=translate(locale, DELIVERY_LABELS[item.delivery])
            if item.delivery
            else "",
        )
        for *_rest, item in entries
    ]


STATUS_LABELS = {
    "open": _("open"),
    "assigned": _("assigned"),
    "waiting": _("waiting"),
    "resolved": _("resolved"),
}


def status_label(status: str, locale: UiLocale) -> str:
    """A ticket status as shown ("open", "已解决")."""
    known = STATUS_LABELS.get(status)
    return translate(locale, known) if known else status


def _message(
    m: StoredMessage,
    view: ThreadView,
    labels: dict[str, str],
    author: str,
    time: str,
    locale: UiLocale,
) -> Item | None:
    key = f"m{m.id}"
    if m.direction == "in":
        if m.kind == "command":
            if m.text == "start":
                said = translate(locale, _("merchant opened the chat"))
            else:
                said = translate(locale, _("merchant sent /{command}"), command=m.text)
            return Item("event", key, said, time, "merchant")
        if m.kind == "button":
            label = labels.get(m.payload, m.text or m.payload)
            text = translate(locale, _("pressed “{label}”"), label=label)
        elif m.kind == "location":
            text = translate(locale, _("📍 shared a location: {place}"), place=m.text)
        elif m.kind == "file" and m.file is None:
            text = translate(locale, _("📎 {name} (deleted)"), name=m.text)
        else:
            text = m.text
        return Item("merchant", key, text, time, "merchant", message_id=m.id, file=m.file)
    item = view.deliveries.get(m.id)
    delivery = DELIVERY_STATES.get(item.status, "") if item else ""
    error = item.error if item else ""
    buttons = tuple(b.label for b in m.buttons)
    kind: ItemKind = "staff" if m.kind == STAFF_KIND else "bot"
    author = author or ("staff" if kind == "staff" else "bot")
    return Item(kind, key, m.text, time, author, buttons, delivery, error, m.id, file=m.file)


def _event(e: TicketEvent, time: str, locale: UiLocale) -> Item:
    key = f"e{e.id}"
    if e.action == "note":
        return Item("note", key, e.detail, time, e.actor)
    return Item("event", key, describe(e, locale), time, e.actor)


# An audit event as a sentence: {who} is the actor, {detail} the event's detail.
EVENT_SENTENCES = {
    "resolved": _("{who} resolved the ticket"),
    "reopened": _("{who} reopened the ticket"),
    "rated": _("{who} rated the help {detail}/5"),
    "retry": _("{who} sent a failed message again"),
    "answered": _("the bot answered from the FAQ ({detail}) while the ticket waits"),
    "closed": _("{who} closed the request"),
}


def describe(e: TicketEvent, locale: UiLocale = "en") -> str:
    """An audit event as a sentence ("alice claimed the ticket"), in the agent's locale."""
    who, detail = e.actor, e.detail
    if e.action == "opened":
        if detail:
            return translate(locale, _("ticket opened: {reason}"), reason=reason(detail, locale))
        return translate(locale, _("ticket opened"))
    if e.action == "assigned":
        if detail == who:
            return translate(locale, _("{who} claimed the ticket"), who=who)
        return translate(locale, _("{who} assigned it to {assignee}"), who=who, assignee=detail)
    if e.action == "transferred":
        before, _sep, after = detail.partition(" -> ")
        sentence = _("{who} transferred it from {before} to {after}")
        return translate(locale, sentence, who=who, before=before, after=after)
    known = EVENT_SENTENCES.get(e.action)
    if known is not None:
        return translate(locale, known, who=who, detail=detail)
    return " ".join(part for part in (who, e.action, detail) if part)
