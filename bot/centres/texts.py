"""Every UI string the centre finder shows, marked for gettext extraction."""

from __future__ import annotations

from bot.i18n import UiLocale, _, gettext

NEAREST_TO_PLACE = _(
    "The nearest business-expansion centre to {place} is {centre}, about {distance} away."
)
NEAREST_TO_YOU = _(
    "The nearest business-expansion centre to your location is {centre}, about {distance} away."
)
ASSUMED = _(
    "There is more than one place called that: I assumed {place}. If you meant {others}, tell "
    "me the city and country, or share your location."
)
CORRECTED = _('I took "{query}" to mean {place}.')
PLACE_IN_COUNTRY = _("{place}, {country}")
PLACE_POPULATION = _("{place} (population {population})")
ADDRESS = _("Address: {address}")
TODAY_HOURS = _("Today ({weekday}): {hours}")
TODAY_CLOSED = _("Today ({weekday}): closed")
TODAY_HOLIDAY = _("Today ({weekday}): closed for a holiday")
OPEN_UNTIL = _("Open now, until {time}.")
OPENS_TODAY = _("Closed now; opens today at {time}.")
OPENS_TOMORROW = _("Closed now; opens tomorrow at {time}.")
OPENS_ON = _("Closed now; opens {day} at {time}.")
NOT_OPENING = _("Closed now, and not open in the next two weeks.")
LOCAL_TIME = _("Times are the centre's local time ({zone}).")
TEAM_SPEAKS = _("The team there speaks {languages}.")
UNKNOWN_PLACE = _(
    'Sorry, I couldn\'t find a place called "{query}". Tell me the name of your city, or '
    "share your location, and I'll find the nearest business-expansion centre."
)
NO_CENTRE_IN_COUNTRY = _(
    "We have no centre in {country} yet, so this is the nearest one to {place}. The team can "
    "also meet you by video call: press the button below to ask for one."
)
VIDEO_CALL = _("Book a video call")
WHICH_CITY = _(
    "Which city in {country} are you in? Tell me the city, or share your location, and I'll "
    "find the nearest business-expansion centre."
)


def t(locale: UiLocale, message: str, **values: str) -> str:
    """A UI string in a locale, with ``{name}`` values filled in after translation."""
    text = gettext(locale, message)
    return text.format(**values) if values else text
