"""Numbered menus for channels without buttons (WeChat, the terminal): the reply's buttons
become a numbered list, and "1", "2"... answer the options of the bot's last reply.

The options are derived from the stored history (each bot message keeps its buttons), so they
survive a restart without a table of their own. Anything that is not the number of one of those
options stays free text.

"Did this help?" (the 👍/👎 pair after an FAQ answer) is a one-key reply: the pair is always
numbered 1 and 2, asked in one sentence, and the reply's other options follow from 3.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import replace

from bot.core.feedback import is_prompt
from bot.core.ports import StoredMessage
from bot.core.texts import t
from bot.core.types import Button, Incoming, Outgoing
from bot.i18n import UiLocale, _

HISTORY_LIMIT = 30  # enough to hold the bot's last reply, whatever came before it
_NUMBER = re.compile(r"(\d{1,2})[.。、)）]?")
# Under a numbered menu: the channel has no buttons, so merchants answer with the number.
MENU_HINT = _("Reply with a number to choose.")
# Under an FAQ answer, instead of listing its 👍/👎 pair: the numbers are 1 and 2.
FEEDBACK_HINT = _("Did this help? Reply {yes} 👍 or {no} 👎.")


def options(messages: Sequence[Outgoing]) -> tuple[Button, ...]:
    """Every button of a reply, in the order they are numbered (1, 2, ...)."""
    return _numbered(tuple(b for m in messages for b in m.buttons))


def _numbered(buttons: tuple[Button, ...]) -> tuple[Button, ...]:
    """The "Did this help?" pair first (👍 1, 👎 2, as the responder orders them), then the rest
    as given: the same one-key answer after every FAQ answer."""
    pair = tuple(b for b in buttons if is_prompt(b))
    return (*pair, *(b for b in buttons if not is_prompt(b))) if pair else buttons


def render(messages: Sequence[Outgoing], locale: UiLocale) -> str:
    """One text for a reply: the messages, then their buttons as a numbered menu."""
    parts = [_message_text(m) for m in messages]
    buttons = options(messages)
    pair = [n for n, b in enumerate(buttons, 1) if is_prompt(b)]
    if len(pair) == 2:  # the responder's 👍/👎: one sentence, not two menu lines
        parts.append(t(locale, FEEDBACK_HINT, yes=str(pair[0]), no=str(pair[1])))
    menu = [f"{n}. {b.label}" for n, b in enumerate(buttons, 1) if len(pair) != 2 or n > 2]
    if menu:
        parts.append("\n".join([*menu, t(locale, MENU_HINT)]))
    return "\n\n".join(p for p in parts if p)


def _message_text(message: Outgoing) -> str:
    venue = message.venue
    if venue is None:
        return message.text
    where = f"📍 {venue.title}\n{venue.address}"
    return f"{message.text}\n\n{where}" if message.text else where


def number(text: str) -> int | None:
    """The option number a message is (full-width digits and "1." count), or None."""
    found = _NUMBER.fullmatch(unicodedata.normalize("NFKC", text).strip())
    return int(found.group(1)) if found else None


def last_options(history: Sequence[StoredMessage]) -> tuple[Button, ...]:
    """The buttons of the bot's latest reply, numbered as they were shown.

    A reply is the bot's messages answering one inbound message (same ``reply_to``) and is
    rendered as one text, so its buttons are numbered across its messages.
    """
    latest = next((m for m in reversed(history) if m.direction == "out"), None)
    if latest is None:
        return ()
    if latest.reply_to is None:  # a message nobody asked for (staff): it stands alone
        return _numbered(latest.buttons)
    reply = [m for m in history if m.direction == "out" and m.reply_to == latest.reply_to]
    return _numbered(tuple(b for m in reply for b in m.buttons))


def choose(event: Incoming, history: Sequence[StoredMessage]) -> Incoming:
    """The event as a button press when it is the number of a shown option, else unchanged."""
    n = number(event.text) if event.kind == "text" else None
    shown = last_options(history) if n is not None else ()
    if n is None or not 1 <= n <= len(shown):
        return event
    button = shown[n - 1]
    return replace(event, kind="button", text=button.label, payload=button.payload)
