"""The merchant-facing text about the nearest centre, in their language and the centre's zone."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_skeleton, get_timezone_name
from babel.lists import format_list
from babel.numbers import format_compact_decimal
from babel.units import format_unit

from bot.centres import texts
from bot.centres.finder import Nearest, UnknownPlace
from bot.centres.gazetteer import Place
from bot.centres.hours import Openness
from bot.centres.model import Centre, Interval
from bot.centres.texts import t
from bot.formatting import babel_locale, clock
from bot.i18n import UiLocale
from bot.text.chinese import to_traditional
from bot.text.language import Lang


def content_lang(locale: UiLocale) -> Lang:
    """The content language (en, zh, ko) behind a UI locale."""
    return "zh" if locale.startswith("zh") else locale  # type: ignore[return-value]


def _localise(text: str, locale: UiLocale) -> str:
    return to_traditional(text) if locale == "zh_Hant" else text


def centre_name(centre: Centre, locale: UiLocale) -> str:
    """The centre's name in the merchant's language (Traditional derived from Simplified)."""
    return _localise(centre.name[content_lang(locale)], locale)


def centre_address(centre: Centre, locale: UiLocale) -> str:
    """The centre's address in the merchant's language."""
    return _localise(centre.address[content_lang(locale)], locale)


def place_name(place: Place, locale: UiLocale) -> str:
    """A place's name in the merchant's script when GeoNames has one, else its English name."""
    lang = content_lang(locale)
    native = place.zh if lang == "zh" else place.ko if lang == "ko" else ""
    return _localise(native, locale) if native else place.name


def country_name(code: str, locale: UiLocale) -> str:
    """A country's name in the merchant's language ("South Korea", "대한민국", "韩国")."""
    return str(babel_locale(locale).territories.get(code, code))


def place_with_country(place: Place, locale: UiLocale) -> str:
    """ "Guangzhou, China" / "广州（中国）" (the catalog decides the punctuation)."""
    country = country_name(place.country, locale)
    return t(locale, texts.PLACE_IN_COUNTRY, place=place_name(place, locale), country=country)


def with_population(label: str, place: Place, locale: UiLocale) -> str:
    """A place label with its rounded population ("Gwangju, South Korea (population 1.4M)")."""
    size = format_compact_decimal(place.population, locale=babel_locale(locale), fraction_digits=1)
    return t(locale, texts.PLACE_POPULATION, place=label, population=str(size))


def distance_text(km: float, locale: UiLocale) -> str:
    """A distance rounded to whole kilometres ("48 km", "48km", "48公里"); at least 1 km."""
    whole = max(1, round(km))
    return str(format_unit(whole, "length-kilometer", "short", locale=babel_locale(locale)))


def hours_text(intervals: tuple[Interval, ...], day: datetime, tz: str, locale: UiLocale) -> str:
    """A day's opening hours as local clock times ("9:00 AM – 6:00 PM", "09:00–18:00")."""
    midnight = day.replace(hour=0, minute=0, second=0, microsecond=0, tzinfo=None)
    zone = ZoneInfo(tz)
    parts = []
    for iv in intervals:
        start = (midnight + timedelta(minutes=iv.start_minute)).replace(tzinfo=zone)
        end = (midnight + timedelta(minutes=iv.end_minute)).replace(tzinfo=zone)
        parts.append(f"{clock(start, locale, tz)}–{clock(end, locale, tz)}")
    return ", ".join(parts)


def status_lines(centre: Centre, state: Openness, locale: UiLocale) -> list[str]:
    """Today's hours, and open now (until when) or when it opens next, in the centre's zone."""
    loc = babel_locale(locale)
    tz = centre.timezone
    weekday = str(format_date(state.now.date(), "EEEE", locale=loc))
    if state.today:
        today = t(locale, texts.TODAY_HOURS, weekday=weekday,
                  hours=hours_text(state.today, state.now, tz, locale))  # fmt: skip
    elif state.holiday:
        today = t(locale, texts.TODAY_HOLIDAY, weekday=weekday)
    else:
        today = t(locale, texts.TODAY_CLOSED, weekday=weekday)
    if state.open_now and state.closes_at is not None:
        status = t(locale, texts.OPEN_UNTIL, time=clock(state.closes_at, locale, tz))
    elif state.opens_at is not None:
        at = clock(state.opens_at, locale, tz)
        days = (state.opens_at.date() - state.now.date()).days
        if days == 0:
            status = t(locale, texts.OPENS_TODAY, time=at)
        elif days == 1:
            status = t(locale, texts.OPENS_TOMORROW, time=at)
        else:
            day = str(format_skeleton("MMMEd", state.opens_at, tzinfo=ZoneInfo(tz), locale=loc))
            status = t(locale, texts.OPENS_ON, day=day, time=at)
    else:
        status = t(locale, texts.NOT_OPENING)
    return [today, status]


def _same_offset(a: str, b: str, moment: datetime) -> bool:
    return moment.astimezone(ZoneInfo(a)).utcoffset() == moment.astimezone(ZoneInfo(b)).utcoffset()


def describe(result: Nearest, locale: UiLocale) -> str:
    """The full reply: which centre, how far, where, today's hours, open now or when next."""
    centre, state = result.centre, result.openness
    name, distance = centre_name(centre, locale), distance_text(result.distance_km, locale)
    if result.place is None or result.shared:
        lines = [t(locale, texts.NEAREST_TO_YOU, centre=name, distance=distance)]
    else:
        place = place_name(result.place, locale)
        lines = [t(locale, texts.NEAREST_TO_PLACE, place=place, centre=name, distance=distance)]
    if result.place is not None and result.alternatives:
        places = [result.place, *result.alternatives]
        labels = [place_with_country(p, locale) for p in places]
        if len(set(labels)) < len(labels):  # two Gwangju in Korea: tell them apart by size
            labels = [
                with_population(label, p, locale) for label, p in zip(labels, places, strict=True)
            ]
        others = format_list(
            list(dict.fromkeys(labels[1:])), style="or", locale=babel_locale(locale)
        )
        assumed = labels[0]
        lines.append(t(locale, texts.ASSUMED, place=assumed, others=others))
    elif result.place is not None and result.abroad:
        country = country_name(result.abroad, locale)
        place = place_name(result.place, locale)
        lines.append(t(locale, texts.NO_CENTRE_IN_COUNTRY, country=country, place=place))
    elif result.place is not None and result.corrected:
        lines.append(
            t(locale, texts.CORRECTED, query=result.query, place=place_name(result.place, locale))
        )
    lines.append(t(locale, texts.ADDRESS, address=centre_address(centre, locale)))
    lines.extend(status_lines(centre, state, locale))
    merchant_tz = result.place.timezone if result.place is not None else None
    if merchant_tz is None or not _same_offset(merchant_tz, centre.timezone, state.now):
        zone = get_timezone_name(ZoneInfo(centre.timezone), locale=babel_locale(locale))
        lines.append(t(locale, texts.LOCAL_TIME, zone=str(zone)))
    if content_lang(locale) not in centre.languages:
        names = [
            str(babel_locale(locale).languages.get(code.split("-")[0], code))
            for code in centre.languages
        ]
        lines.append(
            t(locale, texts.TEAM_SPEAKS, languages=format_list(names, locale=babel_locale(locale)))
        )
    return "\n".join(lines)


def unknown(result: UnknownPlace, locale: UiLocale) -> str:
    """The request for a city name or a shared location when the place was not found."""
    if result.country:
        return t(locale, texts.WHICH_CITY, country=country_name(result.country, locale))
    return t(locale, texts.UNKNOWN_PLACE, query=_localise(result.query, locale))
