"""Turn a matcher decision into the text a merchant reads, in their language and script."""

from __future__ import annotations

from bot.faq.decision import Decision
from bot.faq.model import Faq
from bot.i18n import UiLocale, _, gettext
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


def ui_locale(lang: Lang, traditional: bool = False) -> UiLocale:
    """The UI catalog for a content language and script."""
    if lang == "zh":
        return "zh_Hant" if traditional else "zh_Hans"
    return lang


def localise(text: str, lang: Lang, traditional: bool) -> str:
    """Content text in the merchant's script (Traditional is converted, not stored twice)."""
    return to_traditional(text) if lang == "zh" and traditional else text


def title(faq: Faq, faq_id: str, lang: Lang, traditional: bool = False) -> str:
    """A short label for an entry: its first phrasing in the language."""
    return localise(faq.get(faq_id).questions[lang][0], lang, traditional)


def reply_text(faq: Faq, decision: Decision) -> str:
    """The reply for a decision as plain text (buttons rendered as a numbered list)."""
    lang, trad = decision.lang, decision.traditional
    loc = ui_locale(lang, trad)
    if decision.action == "answer" and decision.faq_id:
        return localise(faq.get(decision.faq_id).answer[lang], lang, trad)
    if decision.action == "clarify":
        options = [
            f"{i}. {title(faq, c.faq_id, lang, trad)}"
            for i, c in enumerate(decision.candidates, start=1)
        ]
        return "\n".join([gettext(loc, CLARIFY), *options])
    if decision.action == "escalate":
        parts = []
        if decision.faq_id:
            parts.append(localise(faq.get(decision.faq_id).answer[lang], lang, trad))
        parts.append(gettext(loc, HANDOVER))
        return "\n\n".join(parts)
    if decision.action == "smalltalk":
        return gettext(loc, SMALLTALK.get(decision.smalltalk or "", SMALLTALK["greeting"]))
    return gettext(loc, FALLBACK)
