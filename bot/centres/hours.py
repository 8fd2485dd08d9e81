"""Is a centre open now, what are today's hours, and when does it open next.

Everything is computed in the centre's time zone, whatever the merchant's. Hours may run past
midnight ("22:00-02:00"): such an interval belongs to the day it opens, so a holiday closes the
intervals that open on that date, and the early hours after a normal evening still count as open.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.centres.model import WEEKDAYS, Centre, Interval

LOOK_AHEAD_DAYS = 14  # "opens next" searches this far; a longer closure reads as "no hours"


@dataclass(frozen=True)
class Span:
    """One opening on the centre's local calendar (naive local wall-clock times)."""

    day: date
    start: datetime
    end: datetime


@dataclass(frozen=True)
class Openness:
    """A centre's state at one moment, in its own time zone."""

    now: datetime  # the moment, in the centre's zone
    today: tuple[Interval, ...]  # today's intervals (none when closed today)
    holiday: bool  # today is one of the centre's holidays
    open_now: bool
    closes_at: datetime | None  # when open: when this opening ends (aware, centre's zone)
    opens_at: datetime | None  # when closed: the next opening within LOOK_AHEAD_DAYS


def day_intervals(centre: Centre, day: date) -> tuple[Interval, ...]:
    """The intervals that open on a local date (none on holidays and closed weekdays)."""
    if day in centre.holidays:
        return ()
    return centre.hours.get(WEEKDAYS[day.weekday()], ())


def spans(centre: Centre, first: date, days: int) -> list[Span]:
    """Openings that start on ``days`` local dates from ``first``, in time order."""
    out: list[Span] = []
    for n in range(days):
        day = first + timedelta(days=n)
        midnight = datetime.combine(day, datetime.min.time())
        for iv in day_intervals(centre, day):
            out.append(
                Span(
                    day,
                    midnight + timedelta(minutes=iv.start_minute),
                    midnight + timedelta(minutes=iv.end_minute),
                )
            )
    return sorted(out, key=lambda s: s.start)


def openness(centre: Centre, moment: datetime) -> Openness:
    """The centre's state at ``moment`` (an aware datetime; naive means UTC)."""
    tz = ZoneInfo(centre.timezone)
    aware = moment if moment.tzinfo else moment.replace(tzinfo=ZoneInfo("UTC"))
    local = aware.astimezone(tz)
    wall = local.replace(tzinfo=None)
    today = wall.date()
    # Yesterday's overnight openings may still be running.
    upcoming = spans(centre, today - timedelta(days=1), LOOK_AHEAD_DAYS + 2)
    current = [s for s in upcoming if s.start <= wall < s.end]
    closes_at = opens_at = None
    if current:
        end = max(s.end for s in current)
        for s in upcoming:  # back-to-back openings (a day ending at 24:00, the next at 00:00)
            if s.start <= end < s.end:
                end = s.end
        closes_at = end.replace(tzinfo=tz)
    else:
        horizon = today + timedelta(days=LOOK_AHEAD_DAYS)
        later = [s for s in upcoming if s.start > wall and s.day <= horizon]
        opens_at = later[0].start.replace(tzinfo=tz) if later else None
    return Openness(
        now=local,
        today=day_intervals(centre, today),
        holiday=today in centre.holidays,
        open_now=bool(current),
        closes_at=closes_at,
        opens_at=opens_at,
    )
