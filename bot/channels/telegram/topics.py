"""A ticket's forum topic in the staff chat: its reference, name and header, and who is who.

The reference ("<chat id>:<thread id>") is stored through the core's ``ticket_refs``, so a
restart (or another process) finds the topic again and a staff message in a topic finds its
ticket. Staff-facing text is English, like the staff console.
"""

from __future__ import annotations

from collections import OrderedDict

from bot.channels.telegram.api import TgApiError
from bot.channels.telegram.sends import MAX_TOPIC_NAME
from bot.channels.telegram.split import size
from bot.core.ports import MerchantRecord
from bot.core.tickets import Ticket

SYSTEM = "telegram-topic"  # the ticket_refs system of forum topics
KNOWN_NAMES = 10_000  # people whose names are remembered (the least recent are forgotten)
COMMANDS_HINT = (
    "Write here to answer the merchant. /claim takes the ticket, /note TEXT is for staff only, "
    "/resolve (or /close) closes it."
)
# What Telegram answers when a topic is gone (PTB drops the "Bad Request: " prefix).
_GONE = ("message thread not found", "topic_deleted", "topic_id_invalid")


def topic_ref(chat_id: int, thread_id: int) -> str:
    """The stored reference of a topic."""
    return f"{chat_id}:{thread_id}"


def thread_of(ref: str | None, chat_id: int) -> int | None:
    """The thread id of a stored reference, if it is a topic of this chat."""
    chat, _, thread = (ref or "").rpartition(":")
    if chat != str(chat_id) or not thread.isdigit():
        return None
    return int(thread)


def topic_gone(exc: TgApiError) -> bool:
    """Whether a send failed because its topic was deleted."""
    return exc.status == 400 and any(g in exc.description.lower() for g in _GONE)


def mask(name: str) -> str:
    """A name as staff see it in the group: its first letter, then "**"."""
    name = name.strip()
    return f"{name[0]}**" if name else ""


def who(ticket: Ticket, merchant: MerchantRecord | None, names: Names) -> str:
    """The merchant as the topic shows them: a masked name when known, else channel and id."""
    if merchant is not None and merchant.key.channel == "telegram":
        known = names.get(merchant.key.user_id) or merchant.display_name
        if known:
            return mask(known)
    return f"{ticket.channel} merchant {ticket.merchant_id}"


def topic_name(ticket: Ticket, label: str) -> str:
    """ "#42 · 王** · zh_Hans · compliance:frozen-funds", at most 128 characters."""
    name = " · ".join((f"#{ticket.id}", label, ticket.locale, ticket.reason))
    if size(name) <= MAX_TOPIC_NAME:
        return name
    while size(name) > MAX_TOPIC_NAME - 1:  # Telegram counts UTF-16 units, as in messages
        name = name[:-1]
    return name + "…"


def header(ticket: Ticket, label: str, team: str, note: str = "") -> str:
    """The first post of a topic: who, which channel and language, why, which team."""
    lines = [
        f"Ticket #{ticket.id}" + (f" ({note})" if note else ""),
        f"Merchant: {label} on {ticket.channel}, language {ticket.locale}",
        f"Reason: {ticket.reason}",
        f"Team: {team} · status {ticket.status}"
        + (f" · assigned to {ticket.assignee}" if ticket.assignee else ""),
        COMMANDS_HINT,
    ]
    return "\n".join(lines)


class Names:
    """Telegram users' names seen by the channel, by user id (in memory, the latest kept)."""

    def __init__(self, size: int = KNOWN_NAMES) -> None:
        self._size = size
        self._names: OrderedDict[str, str] = OrderedDict()

    def seen(self, user_id: int | str, name: str) -> None:
        """Remember a user's name."""
        if not name:
            return
        key = str(user_id)
        self._names[key] = name
        self._names.move_to_end(key)
        if len(self._names) > self._size:
            self._names.popitem(last=False)

    def get(self, user_id: int | str) -> str | None:
        """A user's name, if seen."""
        return self._names.get(str(user_id))
