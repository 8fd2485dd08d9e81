"""The reply about the nearest centre: which, how far, where, open or when next, in four locales."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from bot.centres.describe import describe, distance_text, unknown
from bot.centres.finder import CentreFinder, Nearest, UnknownPlace, parse_point
from bot.centres.geo import haversine_km, nearest
from bot.i18n import UiLocale
from tests.centres.conftest import SEOUL, SHANGHAI, FinderAt

BANGKOK = ZoneInfo("Asia/Bangkok")


def plain(text: str) -> str:
    """Babel's narrow no-break spaces ("9:00\u202fAM") as plain spaces, for readable asserts."""
    return text.replace("\u202f", " ")


def nearest_to(finder: CentreFinder, text: str) -> Nearest:
    found = finder.from_message(text)
    assert isinstance(found, Nearest), found
    return found


def test_haversine_matches_known_distances() -> None:
    assert haversine_km(0, 0, 0, 1) == pytest.approx(111.195, abs=0.01)
    shenzhen_busan = haversine_km(22.5431, 114.0579, 35.1064, 129.0324)
    assert shenzhen_busan == pytest.approx(2_015, rel=0.01)
    assert haversine_km(10, 179.5, 10, -179.5) == pytest.approx(109.5, rel=0.01)  # dateline
    points = [("a", 0.0, 0.0), ("b", 0.0, 10.0)]
    assert nearest(0.0, 7.0, points, lambda p: (p[1], p[2])) == (
        points[1],
        pytest.approx(333.6, rel=0.01),
    )
    assert nearest(0.0, 0.0, [], lambda p: (0.0, 0.0)) is None


@pytest.mark.parametrize(
    ("text", "centre"),
    [("我在东莞", "guangzhou"), ("I'm in Ningbo", "ningbo"), ("저는 부산에 있어요", "busan"),
     ("我在佛山", "foshan"), ("I'm in Hangzhou", "yiwu"), ("저는 서울에 있어요", "busan"),
     ("I'm in Hong Kong", "shenzhen"), ("我在台北", "xiamen"), ("I'm in Tokyo", "busan"),
     ("Jinhua", "yiwu"), ("我在济南", "qingdao")],
)  # fmt: skip
def test_nearest_centre_by_great_circle(finder: CentreFinder, text: str, centre: str) -> None:
    found = nearest_to(finder, text)
    assert found.centre.id == centre
    others = [haversine_km(found.lat, found.lon, c.lat, c.lon) for c in finder.centres]
    assert found.distance_km == pytest.approx(min(others))


def test_reply_in_simplified_chinese(finder: CentreFinder) -> None:
    text = describe(nearest_to(finder, "我在东莞"), "zh_Hans")
    assert text.splitlines() == [
        "离东莞最近的商家发展中心是广州商家发展中心，距离约41公里。",
        "地址：广东省广州市天河区",
        "今天（星期一）营业时间：09:00–18:00",
        "现在营业中，营业到18:00。",
    ]


def test_reply_in_traditional_chinese(finder: CentreFinder) -> None:
    text = describe(nearest_to(finder, "我在東莞"), "zh_Hant")
    assert "廣州商家發展中心" in text and "廣東省廣州市天河區" in text and "營業" in text
    assert "广" not in text and "发" not in text


def test_reply_in_korean_and_english(finder: CentreFinder) -> None:
    ko = describe(nearest_to(finder, "저는 부산에 있어요"), "ko")
    assert ko.startswith("부산에서 가장 가까운 비즈니스 확장 센터는 부산 비즈니스 확장 센터")
    assert "주소: 부산광역시 중구" in ko and "운영 중" in ko
    en = plain(describe(nearest_to(finder, "I'm in Ningbo"), "en"))
    assert en.splitlines() == [
        "The nearest business-expansion centre to Ningbo is Ningbo Business Expansion Centre, "
        "about 7 km away.",
        "Address: Yinzhou District, Ningbo, Zhejiang, China",
        "Today (Monday): 9:00 AM–5:30 PM",
        "Open now, until 5:30 PM.",
    ]


def test_the_team_languages_are_mentioned_when_they_differ(finder: CentreFinder) -> None:
    ko = describe(nearest_to(finder, "저는 둥관에 있어요"), "ko")
    assert "센터 직원은 중국어 및 영어를 사용해요." in ko
    assert "speaks" not in describe(nearest_to(finder, "I'm in Dongguan"), "en")


def test_closed_on_sunday_opens_tomorrow(finder_at: FinderAt) -> None:
    finder = finder_at(datetime(2026, 5, 10, 15, 0, tzinfo=SHANGHAI))
    text = plain(describe(nearest_to(finder, "I'm in Shenzhen"), "en"))
    assert "Today (Sunday): closed" in text
    assert "Closed now; opens tomorrow at 9:00 AM." in text


def test_saturday_evening_opens_on_monday(finder_at: FinderAt) -> None:
    finder = finder_at(datetime(2026, 5, 9, 19, 0, tzinfo=SHANGHAI))
    text = describe(nearest_to(finder, "我在深圳"), "zh_Hans")
    assert "今天（星期六）营业时间：10:00–16:00" in text
    assert "现在不在营业时间，5月11日周一09:00开门。" in text


def test_a_holiday_is_said_to_be_one(finder_at: FinderAt) -> None:
    finder = finder_at(datetime(2026, 10, 1, 11, 0, tzinfo=SHANGHAI))
    found = nearest_to(finder, "I'm in Shenzhen")
    assert not found.openness.open_now
    text = plain(describe(found, "en"))
    assert "Today (Thursday): closed for a holiday" in text
    assert "Closed now; opens Sat, Oct 3 at 10:00 AM." in text  # Friday is a holiday too


def test_just_after_midnight_it_is_already_the_next_day_at_the_centre(
    finder_at: FinderAt,
) -> None:
    # Sunday 23:30 in Bangkok is Monday 00:30 in China: Foshan opens "today" at 8:30
    finder = finder_at(datetime(2026, 5, 10, 23, 30, tzinfo=BANGKOK))
    text = plain(describe(nearest_to(finder, "I'm in Bangkok"), "en"))
    assert "Today (Monday): 8:30 AM–12:00 PM, 1:30 PM–5:30 PM" in text
    assert "Closed now; opens today at 8:30 AM." in text


def test_a_merchant_in_another_time_zone_is_told_whose_time_it_is(finder_at: FinderAt) -> None:
    # 08:00 in Bangkok is 09:00 in Foshan: open there, although not yet 08:30 for the merchant
    finder = finder_at(datetime(2026, 5, 4, 8, 0, tzinfo=BANGKOK))
    found = nearest_to(finder, "I'm in Bangkok")
    assert found.centre.id == "foshan" and found.openness.open_now
    text = plain(describe(found, "en"))
    assert "Open now, until 12:00 PM." in text
    assert "Times are the centre's local time (China Time)." in text
    # Tokyo and Busan share an offset: no note
    tokyo = describe(nearest_to(finder, "I'm in Tokyo"), "en")
    assert "local time" not in tokyo and "Open now" in tokyo
    busan = nearest_to(finder_at(datetime(2026, 5, 4, 8, 30, tzinfo=SHANGHAI)), "I'm in Shanghai")
    assert busan.centre.id == "ningbo" and "local time" not in describe(busan, "en")


def test_busan_hours_are_korean_time_for_a_chinese_merchant(finder_at: FinderAt) -> None:
    finder = finder_at(datetime(2026, 5, 4, 8, 30, tzinfo=SHANGHAI))  # 09:30 in Korea
    found = finder.from_place("Busan")
    assert isinstance(found, Nearest) and found.openness.open_now
    assert found.openness.now.tzinfo == SEOUL
    text = describe(found, "zh_Hans")
    assert "现在营业中，营业到18:00。" in text


def test_ambiguous_and_corrected_names_are_explained(finder: CentreFinder) -> None:
    canton = describe(nearest_to(finder, "I'm in Canton"), "en")
    assert (  # two Cantons in the United States: told apart by size
        "I assumed Guangzhou, China (population 16.1M). If you meant Canton, United States "
        "(population 86.8K) or Canton, United States (population 71.9K), tell me" in canton
    )
    gwangju = describe(nearest_to(finder, "광주에 있어요"), "ko")
    assert "광주(대한민국)(인구 약 140.1만) 기준으로" in gwangju
    assert "광주(대한민국)(인구 약 8.2만)을(를) 말씀하신 거라면" in gwangju
    typo = describe(nearest_to(finder, "which centre is near Shenzen"), "en")
    assert 'I took "Shenzen" to mean Shenzhen.' not in typo  # a GeoNames spelling, not a typo
    corrected = describe(nearest_to(finder, "I'm in Guangzou"), "en")
    assert 'I took "Guangzou" to mean Guangzhou.' in corrected


def test_shared_location_reply(finder: CentreFinder) -> None:
    found = finder.from_location(22.95, 113.70)
    assert found.shared and found.place is not None and found.place.name == "Dongguan"
    text = describe(found, "en")
    assert text.startswith("The nearest business-expansion centre to your location is Guangzhou")
    with pytest.raises(ValueError, match="not a point"):
        finder.from_location(91.0, 0.0)


def test_unknown_place_and_country_texts(finder: CentreFinder) -> None:
    assert unknown(UnknownPlace("Narnia"), "en").startswith(
        'Sorry, I couldn\'t find a place called "Narnia". Tell me the name of your city'
    )
    assert "您在南韓的哪個城市？" in unknown(UnknownPlace("韩国", "KR"), "zh_Hant")
    assert unknown(UnknownPlace("火星市"), "zh_Hant").count("火星市") == 1


@pytest.mark.parametrize(
    ("km", "locale", "text"),
    [(0.3, "en", "1 km"), (41.4, "zh_Hans", "41公里"), (1682.4, "en", "1,682 km"),
     (7.5, "ko", "8km")],
)  # fmt: skip
def test_distances_are_whole_kilometres(km: float, locale: UiLocale, text: str) -> None:
    assert distance_text(km, locale) == text


def test_points_are_parsed_and_checked() -> None:
    assert parse_point("22.54, 114.06") == (22.54, 114.06)
    assert parse_point("-33.9，18.4") == (-33.9, 18.4)
    assert parse_point("Shenzhen") is None
    with pytest.raises(ValueError):
        parse_point("95,10")
