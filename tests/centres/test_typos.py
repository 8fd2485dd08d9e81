"""Misspelt Han and Hangul city names in centre questions, and countries without a centre."""

from __future__ import annotations

import pytest

from bot.centres.describe import describe
from bot.centres.finder import CentreFinder, Nearest, UnknownPlace
from bot.centres.typos import CjkNearMiss, jamo, one_jamo_apart

READINGS = {"州": "zhou", "洲": "zhou", "圳": "zhen", "川": "chuan", "广": "guang", "深": "shen"}
NAMES = [
    ("广州", "Guangzhou", "CN"),
    ("深圳", "Shenzhen", "CN"),
    ("인천", "Incheon", "KR"),
    ("인촨", "Yinchuan", "CN"),
    ("광저우", "Guangzhou", "CN"),
]


def near() -> CjkNearMiss:
    return CjkNearMiss(NAMES, READINGS.get)


def test_jamo_splits_a_syllable_and_rejects_other_characters() -> None:
    assert jamo("가") == (0, 0, 0)
    assert jamo("힣") == (18, 20, 27)
    assert jamo("a") is None and jamo("广") is None
    assert one_jamo_apart("쳔", "천") and not one_jamo_apart("쵸", "천")


def test_a_han_homophone_slip_is_corrected_but_not_a_different_reading() -> None:
    assert near()("广洲") == "Guangzhou"
    assert near()("深川") is None  # 川 and 圳 only look alike: no reading to go by
    assert near()("广州") is None  # the exact name is the gazetteer's job, not a slip


def test_a_hangul_slip_prefers_the_korean_city_when_two_fit() -> None:
    assert near()("인쳔") == "Incheon"  # one jamo from 인천 and from 인촨
    assert near()("광져우") == "Guangzhou"
    assert near()("광져유") is None  # two slips


def test_slips_in_centre_questions_name_the_city(finder: CentreFinder) -> None:
    for text, centre in [
        ("广洲有没有办事处啊", "guangzhou"),
        ("광져우에 있는데 센터 어디가 가까워요?", "guangzhou"),
        ("인쳔 근처에 센터 있나요", "busan"),
    ]:
        found = finder.from_message(text)
        assert isinstance(found, Nearest) and found.centre.id == centre, (text, found)
        assert found.place is not None and found.query


def test_a_word_one_jamo_from_a_city_is_not_a_place_without_a_locative(
    finder: CentreFinder,
) -> None:
    # "하나요" loses its ending to 하나, one jamo from 사나 (Sanaa): not read as a place.
    found = finder.from_message("센터 방문하려면 어디로 가야 하나요?")
    assert not isinstance(found, Nearest), found


@pytest.mark.parametrize(
    ("text", "country"),
    [
        ("I am in Vietnam, which centre is closest?", "VN"),
        ("我在越南，最近的招商中心在哪", "VN"),
        ("저는 일본에 있어요 가까운 센터 어디예요?", "JP"),
    ],
)
def test_a_country_without_a_centre_gets_the_nearest_and_a_video_call(
    finder: CentreFinder, text: str, country: str
) -> None:
    found = finder.from_message(text)
    assert isinstance(found, Nearest) and found.abroad == country, found
    assert found.place is not None and found.place.country == country
    reply = describe(found, "en")
    assert "video call" in reply and "no centre in" in reply


def test_a_country_with_a_centre_asks_for_the_city(finder: CentreFinder) -> None:
    assert finder.centre_countries() >= {"CN", "KR"}
    found = finder.from_message("We're in Korea, where is the nearest centre?")
    assert isinstance(found, UnknownPlace) and found.country == "KR"
