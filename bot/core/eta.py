"""When a person will reply: "within about 2 hours" or "opens Monday 09:00, in 2 days"."""

from __future__ import annotations

from datetime import datetime, timedelta

from babel.dates import format_datetime, format_timedelta

from bot.core import texts
from bot.core.teams import Availability, Team
from bot.core.texts import t
from bot.formatting import babel_locale, zone
from bot.i18n import UiLocale


def handover_notice(
    team: Team, availability: Availability, locale: UiLocale, now: datetime, target: timedelta
) -> str:
    """The sentence telling the merchant who will reply and when, in their language."""
    name = team.display_name(locale)
    opening = opens(team, availability, locale, now)
    if opening is None:
        within = format_timedelta(target, threshold=1.5, locale=babel_locale(locale))
        return t(locale, texts.TEAM_OPEN, team=name, within=within)
    at, relative = opening
    return t(locale, texts.TEAM_CLOSED, team=name, at=at, relative=relative)


def added_notice(team: Team, availability: Availability, locale: UiLocale, now: datetime) -> str:
    """The short "added to your request", with when the team opens if it is closed now."""
    opening = opens(team, availability, locale, now)
    if opening is None:
        return t(locale, texts.ACK_ADDED)
    at, relative = opening
    return t(locale, texts.ACK_ADDED_CLOSED, at=at, relative=relative)


def opens(
    team: Team, availability: Availability, locale: UiLocale, now: datetime
) -> tuple[str, str] | None:
    """When a closed team opens ("Monday 09:00", "in 2 days"); None when it is open now."""
    if availability.open_now or availability.opens_at is None:
        return None
    babel = babel_locale(locale)
    opens_at = availability.opens_at
    # The weekday in full and a 24-hour clock read the same way in all four locales.
    at = format_datetime(opens_at, "EEEE HH:mm", tzinfo=zone(team.timezone), locale=babel)
    delta = max(opens_at - now, timedelta(minutes=1))
    relative = format_timedelta(delta, add_direction=True, threshold=1.5, locale=babel)
    return at, relative
