"""Opening hours in the centre's own time zone: midnight, weekends, holidays, other zones."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.centres.hours import openness
from bot.centres.loader import parse_ranges
from bot.centres.model import Centre, Interval
from tests.centres.conftest import SEOUL, SHANGHAI, WriteCentres, centre_yaml, load_one

WEEKDAYS_9_TO_6 = '{mon: "09:00-18:00", tue: "09:00-18:00", wed: "09:00-18:00", ' \
    'thu: "09:00-18:00", fri: "09:00-18:00", sat: "10:00-16:00"}'  # fmt: skip


def centre(write: WriteCentres, **kw: str) -> Centre:
    return next(iter(load_one(write("centres:\n" + centre_yaml(**kw)))))


def at(
    year: int, month: int, day: int, hour: int, minute: int = 0, tz: ZoneInfo = SHANGHAI
) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=tz)


def test_open_during_the_day_until_closing(write_centres: WriteCentres) -> None:
    c = centre(write_centres, hours=WEEKDAYS_9_TO_6)
    state = openness(c, at(2026, 5, 4, 10, 30))  # a Monday
    assert state.open_now and state.closes_at == at(2026, 5, 4, 18)
    assert state.today == (Interval(time(9), time(18)),) and not state.holiday


def test_closing_time_itself_is_closed_and_next_opening_is_tomorrow(
    write_centres: WriteCentres,
) -> None:
    c = centre(write_centres, hours=WEEKDAYS_9_TO_6)
    assert openness(c, at(2026, 5, 4, 17, 59)).open_now
    closed = openness(c, at(2026, 5, 4, 18, 0))
    assert not closed.open_now and closed.opens_at == at(2026, 5, 5, 9)


def test_before_opening_it_opens_today(write_centres: WriteCentres) -> None:
    c = centre(write_centres, hours=WEEKDAYS_9_TO_6)
    state = openness(c, at(2026, 5, 4, 7, 15))
    assert not state.open_now and state.opens_at == at(2026, 5, 4, 9)


def test_weekend_saturday_hours_and_closed_sunday(write_centres: WriteCentres) -> None:
    c = centre(write_centres, hours=WEEKDAYS_9_TO_6)
    saturday = openness(c, at(2026, 5, 9, 12))
    assert saturday.open_now and saturday.closes_at == at(2026, 5, 9, 16)
    sunday = openness(c, at(2026, 5, 10, 12))
    assert not sunday.open_now and sunday.today == ()
    assert sunday.opens_at == at(2026, 5, 11, 9)  # Monday
    saturday_evening = openness(c, at(2026, 5, 9, 17))
    assert saturday_evening.opens_at == at(2026, 5, 11, 9)  # straight over Sunday


def test_holidays_close_the_day_and_push_the_next_opening(write_centres: WriteCentres) -> None:
    c = centre(
        write_centres, hours=WEEKDAYS_9_TO_6, holidays='["2026-10-01", "2026-10-02", 2026-10-05]'
    )
    national_day = openness(c, at(2026, 10, 1, 11))  # a Thursday
    assert not national_day.open_now and national_day.holiday and national_day.today == ()
    assert national_day.opens_at == at(2026, 10, 3, 10)  # Saturday hours; Friday is a holiday too
    sunday = openness(c, at(2026, 10, 4, 11))
    assert sunday.opens_at == at(2026, 10, 6, 9)  # Monday the 5th is a holiday
    assert openness(c, at(2026, 10, 6, 11)).open_now


def test_hours_past_midnight_belong_to_the_day_they_open(write_centres: WriteCentres) -> None:
    late = '{fri: "20:00-02:00", sat: "22:00-24:00", sun: "00:00-03:00"}'
    c = centre(write_centres, hours=late)
    friday_night = openness(c, at(2026, 5, 8, 23, 30))
    assert friday_night.open_now and friday_night.closes_at == at(2026, 5, 9, 2)
    after_midnight = openness(c, at(2026, 5, 9, 1, 30))  # Saturday 01:30, still Friday's hours
    assert after_midnight.open_now and after_midnight.closes_at == at(2026, 5, 9, 2)
    assert after_midnight.today == (Interval(time(22), time(0)),)  # Saturday's own hours
    closed = openness(c, at(2026, 5, 9, 2, 0))
    assert not closed.open_now and closed.opens_at == at(2026, 5, 9, 22)
    # Saturday 22:00-24:00 and Sunday 00:00-03:00 run on into one opening
    saturday_night = openness(c, at(2026, 5, 9, 23))
    assert saturday_night.closes_at == at(2026, 5, 10, 3)


def test_a_holiday_closes_the_night_that_opens_on_it_not_the_one_before(
    write_centres: WriteCentres,
) -> None:
    c = centre(
        write_centres, hours='{thu: "20:00-02:00", fri: "20:00-02:00"}', holidays='["2026-05-08"]'
    )
    assert openness(c, at(2026, 5, 8, 1)).open_now  # Thursday's night runs into the holiday
    holiday_night = openness(c, at(2026, 5, 8, 21))
    assert not holiday_night.open_now and holiday_night.holiday
    assert holiday_night.opens_at == at(2026, 5, 14, 20)


def test_whole_day_and_lunch_breaks(write_centres: WriteCentres) -> None:
    c = centre(write_centres, hours='{mon: "00:00-24:00", tue: "08:30-12:00, 13:30-17:30"}')
    assert (
        openness(c, at(2026, 5, 4, 0, 0)).open_now and openness(c, at(2026, 5, 4, 23, 59)).open_now
    )
    lunch = openness(c, at(2026, 5, 5, 12, 30))
    assert not lunch.open_now and lunch.opens_at == at(2026, 5, 5, 13, 30)
    morning = openness(c, at(2026, 5, 5, 9))
    assert morning.closes_at == at(2026, 5, 5, 12)


def test_computed_in_the_centres_zone_not_the_merchants(write_centres: WriteCentres) -> None:
    busan = centre(write_centres, timezone="Asia/Seoul", hours=WEEKDAYS_9_TO_6)
    # 08:30 in China is 09:30 in Korea: a Chinese merchant's clock says "not yet", Busan is open
    state = openness(busan, at(2026, 5, 4, 8, 30, SHANGHAI))
    assert state.open_now and state.now.tzinfo == SEOUL and state.now.hour == 9
    assert state.closes_at == at(2026, 5, 4, 18, tz=SEOUL)
    # Friday 23:30 in Bangkok is already Saturday 01:30 in Korea: today is Saturday there
    bangkok = openness(busan, datetime(2026, 5, 8, 23, 30, tzinfo=ZoneInfo("Asia/Bangkok")))
    assert bangkok.now.weekday() == 5 and bangkok.opens_at == at(2026, 5, 9, 10, tz=SEOUL)
    # UTC and naive (taken as UTC) times give the same answer
    assert openness(busan, datetime(2026, 5, 4, 0, 30, tzinfo=UTC)).open_now
    assert openness(busan, datetime(2026, 5, 4, 0, 30)).open_now


def test_daylight_saving_time_zones_use_local_wall_clock(write_centres: WriteCentres) -> None:
    berlin = ZoneInfo("Europe/Berlin")
    c = centre(write_centres, timezone="Europe/Berlin", hours=WEEKDAYS_9_TO_6)
    # 07:30 UTC is 09:30 in Berlin in summer (CEST) but 08:30 in winter (CET)
    assert openness(c, datetime(2026, 7, 6, 7, 30, tzinfo=UTC)).open_now
    winter = openness(c, datetime(2026, 1, 5, 7, 30, tzinfo=UTC))
    assert not winter.open_now and winter.opens_at == datetime(2026, 1, 5, 9, tzinfo=berlin)


def test_no_opening_in_two_weeks(write_centres: WriteCentres) -> None:
    days = ", ".join(
        f'"{(datetime(2026, 5, 4) + timedelta(days=n)).date().isoformat()}"' for n in range(20)
    )
    c = centre(write_centres, hours=WEEKDAYS_9_TO_6, holidays=f"[{days}]")
    state = openness(c, at(2026, 5, 4, 10))
    assert not state.open_now and state.opens_at is None


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("9:00-18:00", "is not HH:MM-HH:MM"),
        ("09:00-25:00", "is not HH:MM-HH:MM"),
        ("09:00 to 18:00", "is not HH:MM-HH:MM"),
        ("09:00-09:00", "same time"),
        ("09:00-12:00, 11:00-14:00", "overlapping"),
        ("08:00-12:00, 20:00-09:00", "more than a day"),
        ("09:00-24:30", "24:00 is the latest"),
    ],
)
def test_malformed_ranges(text: str, error: str) -> None:
    intervals, message = parse_ranges(text)
    assert intervals == () and message is not None and error in message


def test_well_formed_ranges() -> None:
    assert parse_ranges("13:30-17:30, 08:30-12:00")[0] == (
        Interval(time(8, 30), time(12)),
        Interval(time(13, 30), time(17, 30)),
    )
    overnight, _ = parse_ranges("22:00-02:00")
    assert overnight[0].overnight and overnight[0].end_minute == 26 * 60
    whole, _ = parse_ranges("00:00-24:00")
    assert whole[0].end_minute - whole[0].start_minute == 24 * 60
