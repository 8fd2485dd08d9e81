"""Babel formatting per locale and time zone."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.formatting import clock, duration, number, when, zone

MOMENT = datetime(2026, 11, 25, 1, 5, tzinfo=UTC)  # 09:05 in Shanghai and Taipei, 10:05 in Seoul


def test_times_are_in_the_merchants_zone_and_locale() -> None:
    assert clock(MOMENT, "en", "Asia/Shanghai") == "9:05\u202fAM"
    assert "10:05" in clock(MOMENT, "ko", "Asia/Seoul")  # Seoul is an hour ahead
    assert clock(MOMENT, "zh_Hans", "Asia/Shanghai") == "09:05"
    assert "2026" in when(MOMENT, "zh_Hant", "Asia/Taipei")
    assert when(MOMENT, "zh_Hans", "Asia/Shanghai").startswith("2026年11月25日")


def test_unknown_zone_falls_back_to_utc() -> None:
    assert zone("Mars/Olympus").key == "UTC"
    assert clock(MOMENT, "zh_Hans", None) == "01:05"


def test_durations_and_numbers() -> None:
    assert duration(timedelta(hours=2), "en") == "2 hours"
    assert duration(timedelta(hours=2), "ko") == "2시간"
    assert duration(timedelta(hours=2), "zh_Hans") == "2小时"
    assert number(12345.6, "en") == "12,345.6"
    assert number(12345.6, "ko") == "12,345.6"
