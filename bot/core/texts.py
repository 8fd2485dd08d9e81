"""Every UI string the conversation core shows, marked for gettext extraction."""

from __future__ import annotations

from bot.i18n import UiLocale, _, gettext

GREETING = _(
    "Hello! I'm the seller-support assistant. Ask me anything about selling with us, in your "
    "own words and in English, Chinese or Korean, or pick an option below."
)
HELP = _(
    'Type your question in your own words, for example "How much is the security deposit?". '
    "You can also browse the topics, find the nearest business-expansion centre, or talk to a "
    "person."
)
MENU_TOPICS = _("Browse topics")
MENU_CENTRE = _("Nearest centre")
MENU_HUMAN = _("Talk to a person")
MENU_LANGUAGE = _("Change language")
PICK_TOPIC = _("Pick a topic:")
PICK_QUESTION = _("Questions about {topic}:")
PICK_LANGUAGE = _("Choose your language:")
LANGUAGE_SET = _("OK, I'll reply in English from now on.")
HELPFUL_YES = _("👍 Helpful")
HELPFUL_NO = _("👎 Not helpful")
THANKS = _("Thanks for letting me know!")
SORRY = _("Sorry that didn't help. You can rephrase your question or talk to a person.")
REPHRASE = _("Sure, please ask again in other words. A short question works best.")
REPHRASE_BUTTON = _("Rephrase")
HUMAN_REQUESTED = _(
    "I'm handing your conversation to a person from the seller-support team. They will reply here."
)
CENTRE_ASK = _(
    "Tell me which city you are in, or share your location, and I'll find the nearest "
    "business-expansion centre."
)
LOCATION_SAVED = _(
    "Thanks, I've saved your location. It helps me point you to the nearest "
    "business-expansion centre."
)
STALE_BUTTON = _("Sorry, that option is no longer available. Here is the menu again.")
FILE_KEPT = _(
    "Thanks, I've kept your file. I can't read files myself: if a person should look at it, "
    "tap “Talk to a person”."
)
UNSUPPORTED = _("Sorry, I can only read text messages, buttons and shared locations.")
MENU_BUTTON = _("Menu")

CATEGORY_LABELS = {
    "account": _("Account and registration"),
    "fees": _("Fees"),
    "payments": _("Payments and payouts"),
    "shipping": _("Shipping"),
    "returns": _("Returns and refunds"),
    "listing": _("Listings"),
    "brand": _("Brands and certifications"),
    "growth": _("Promotions and growth"),
    "performance": _("Store performance"),
    "tax": _("Tax and customs"),
    "support": _("Training and support"),
    "compliance": _("Compliance and account health"),
}
LANGUAGE_NAMES: dict[UiLocale, str] = {
    "en": "English",
    "ko": "한국어",
    "zh_Hans": "简体中文",
    "zh_Hant": "繁體中文",
}


def t(locale: UiLocale, message: str, **values: str) -> str:
    """A UI string in a locale, with ``{name}`` values filled in after translation."""
    text = gettext(locale, message)
    return text.format(**values) if values else text


def category_label(locale: UiLocale, category: str) -> str:
    """A category's display name; unknown categories are shown as written."""
    known = CATEGORY_LABELS.get(category)
    return t(locale, known) if known else category.replace("-", " ").capitalize()

# -- escalation to people ----------------------------------------------------------------------
TEAM_OPEN = _("A person from the {team} team will reply here, usually within about {within}.")
TEAM_CLOSED = _(
    "A person from the {team} team will reply here. The team opens {at} ({relative}); "
    "your message is saved and waiting for them."
)
ALREADY_WITH_PERSON = _(
    "You're already talking to the seller-support team. Write here and they will see it."
)
TICKET_REOPENED = _(
    "I've passed your message to the team that helped you before. A person will reply here."
)
TICKET_RESOLVED = _(
    "The team has marked your question as resolved. How would you rate the help you got?"
)
RATING_THANKS = _("Thank you for your rating!")

# -- while people hold the thread (issue 17: never silent) -------------------------------------
ACK_FIRST = _("I've added this to your request. {notice}")
ACK_ADDED = _("Added to your request.")
ACK_ADDED_CLOSED = _("Added to your request. The team opens {at} ({relative}).")
CLOSE_BUTTON = _("Close my request")
REQUEST_CLOSED = _(
    "I've closed your request and told the team. If you need anything else, just write here."
)
NO_OPEN_REQUEST = _("You have no open request to close.")
ALREADY_CLOSED = _("That request is already closed.")
