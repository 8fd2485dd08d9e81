"""Dates, times, durations and numbers in the merchant's locale and time zone (Babel)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel import Locale
from babel.dates import format_datetime, format_time, format_timedelta
from babel.numbers import format_decimal

from bot.i18n import UiLocale

BABEL_LOCALES: dict[UiLocale, str] = {
    "en": "en",
    "ko": "ko_KR",
    "zh_Hans": "zh_Hans_CN",
    "zh_Hant": "zh_Hant_TW",
}


def babel_locale(locale: UiLocale) -> Locale:
    """The Babel locale for a UI locale."""
    return Locale.parse(BABEL_LOCALES[locale])


def zone(name: str | None, default: str = "UTC") -> ZoneInfo:
    """An IANA time zone by name; unknown or missing names fall back to ``default``."""
    try:
        return ZoneInfo(name or default)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(default)


def when(moment: datetime, locale: UiLocale, tz: str | None = None) -> str:
    """A date and time, medium length ("Nov 25, 2026, 9:05 AM" / "2026年11月25日 09:05")."""
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return format_datetime(aware, "medium", tzinfo=zone(tz), locale=babel_locale(locale))


def clock(moment: datetime, locale: UiLocale, tz: str | None = None) -> str:
    """A time of day, short ("9:05 AM" / "오전 9:05" / "09:05")."""
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return format_time(aware, "short", tzinfo=zone(tz), locale=babel_locale(locale))


def duration(delta: timedelta, locale: UiLocale, threshold: float = 0.85) -> str:
    """A rounded duration ("2 hours", "2시간", "2小时"); ``threshold`` 1 keeps a unit until a
    whole larger one is reached ("50 seconds" rather than "1 minute")."""
    return format_timedelta(delta, threshold=threshold, locale=babel_locale(locale))


def number(value: float, locale: UiLocale) -> str:
    """A number with the locale's grouping ("12,345.6")."""
    return format_decimal(value, locale=babel_locale(locale))
