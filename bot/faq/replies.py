"""The FAQ's reply texts (fallback, clarify, hand-over, small talk) and content localisation.

The replies themselves are built by the core's Responder, for every channel and the terminal.
"""

from __future__ import annotations

from bot.i18n import _
from bot.text.chinese import to_traditional
from bot.text.language import Lang

FALLBACK = _(
    "Sorry, I don't have an answer to that yet. You can rephrase your question, "
    "browse the topics, or talk to a person."
)
CLARIFY = _("Did you mean one of these?")
HANDOVER = _(
    "This needs a person from our seller-support team. I'm handing your conversation over; "
    "they will reply here."
)

# Small talk gets a short friendly word and the menu (the channels add the buttons).
SMALLTALK = {
    "greeting": _("Hello! Ask me anything about selling with us, or pick a topic below."),
    "thanks": _("You're welcome! Is there anything else I can help you with?"),
    "ack": _("You're welcome! Is there anything else I can help you with?"),
    "goodbye": _("Goodbye, and good luck with your sales! Write any time."),
}


def localise(text: str, lang: Lang, traditional: bool) -> str:
    """Content text in the merchant's script (Traditional is converted, not stored twice)."""
    return to_traditional(text) if lang == "zh" and traditional else text
