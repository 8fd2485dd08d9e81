"""How merchants misspell places: Chinese homophones, Korean sound-alike jamo and split names,
Korean readings of Chinese city names, and city nicknames (issue 13)."""

from __future__ import annotations

import pytest

from bot.centres.extract import place_spans
from bot.centres.finder import CentreFinder, Nearest
from bot.centres.gazetteer import Place
from bot.centres.misspellings import (
    EVERYDAY_HOMOPHONES,
    Misspellings,
    hanja_readings,
    initial_sound_law,
    nickname_table,
    reading_table,
    sound_alike,
    sound_alike_word,
    toneless_pinyin,
)


def _cn(name: str, zh: str, population: int) -> Place:
    return Place(name=name, lat=0.0, lon=0.0, country="CN", population=population, zh=zh)


def _kr(name: str, ko: str, population: int = 0, *, part: bool = False) -> Place:
    return Place(
        name=name, lat=0.0, lon=0.0, country="KR", population=population, ko=ko,
        admin=True, part=part,
    )  # fmt: skip


CHINESE = [
    _cn("Shenzhen", "深圳", 17_000_000),
    _cn("Xiamen", "厦门", 4_600_000),
    _cn("Yiwu", "义乌", 1_500_000),
    _cn("Suzhou", "苏州", 6_700_000),
    _cn("Suzhou", "宿州", 1_600_000),
    _cn("Taizhou", "泰州", 1_600_000),
    _cn("Taizhou", "台州", 1_500_000),
    _cn("Ningbo", "宁波", 3_700_000),
]
KOREAN = [
    _kr("Gimhae", "김해", 530_000),
    _kr("Daejeon", "대전", 1_400_000),
    _kr("Haeundae", "해운대구", part=True),
    _kr("Yeoksam", "역삼", part=True),
    _kr("Busan", "부산", 3_300_000),
]
READINGS = {
    "宁": ("령",),
    "波": ("파",),
    "厦": ("하",),
    "门": ("문",),
    "义": ("의",),
    "乌": ("오",),
}


@pytest.fixture(scope="module")
def fixes() -> Misspellings:
    return Misspellings(CHINESE, KOREAN, READINGS, {"鹏城": "深圳"})


# -- 1. Chinese homophones ------------------------------------------------------------------


def test_toneless_pinyin_runs_the_readings_together() -> None:
    assert toneless_pinyin("深镇") == "shenzhen"
    assert toneless_pinyin("夏门") == "xiamen"
    assert toneless_pinyin("深a") is None


def test_a_homophone_of_a_big_city_is_read_as_the_city(fixes: Misspellings) -> None:
    assert fixes.homophone("深镇") == "深圳"
    # 厦 alone reads sha first: the city's own romanisation (Xiamen) is the sound to match
    assert fixes.homophone("夏门") == "厦门"
    assert fixes.homophone("夏門") == "厦门"  # Traditional folded
    assert fixes.homophone("深圳") is None  # the name itself is a lookup, not a slip
    assert fixes.homophone("深") is None and fixes.homophone("深镇深镇") is None


def test_of_two_cities_of_one_sound_the_one_sharing_a_character_or_far_larger_wins(
    fixes: Misspellings,
) -> None:
    assert fixes.homophone("苏洲") == "苏州"  # shares 苏
    assert fixes.homophone("速洲") == "苏州"  # neither shared: 苏州 is four times 宿州
    assert fixes.homophone("台洲") == "台州"
    assert fixes.homophone("太洲") is None  # 泰州 and 台州 are as large: no guess


def test_everyday_words_of_a_city_sound_are_never_the_city(fixes: Misspellings) -> None:
    assert fixes.homophone("义务") is None  # "duty", not 义乌
    assert {"义务", "保安", "背景"} <= EVERYDAY_HOMOPHONES


@pytest.mark.parametrize(
    ("text", "centre"),
    [
        ("深镇有中心吗", "shenzhen"),
        ("东管最近的中心在哪", "guangzhou"),
        ("我在夏門，最近的中心在哪", "xiamen"),
        ("航州有没有办事处", "yiwu"),
        ("我在清岛", "qingdao"),
        ("我在深镇", "shenzhen"),  # a village of that name is not what a merchant means
        ("深镇", "shenzhen"),
        ("深镇市附近有中心吗", "shenzhen"),
    ],
)
def test_homophones_in_centre_questions_and_place_statements(
    finder: CentreFinder, text: str, centre: str
) -> None:
    found = finder.from_message(text)
    assert isinstance(found, Nearest) and found.centre.id == centre, (text, found)


@pytest.mark.parametrize(
    "text",
    [
        "义务最近的中心在哪",
        "保安附近有中心吗",
        "我们公司背景是做服装的，最近的中心在哪",  # 背景 sounds like 北京, inside a phrase
        "店铺信誉，最近的中心在哪",
        "白色的款式哪里有中心",
        "视频通话还是去最近的中心",
    ],
)
def test_everyday_homophones_do_not_become_a_place(finder: CentreFinder, text: str) -> None:
    found = finder.from_message(text)
    assert not isinstance(found, Nearest), (text, found)


def test_a_homophone_is_read_only_where_a_place_name_stands(finder: CentreFinder) -> None:
    def spans(text: str) -> list[str]:
        found = place_spans(text, finder.known, homophone=lambda w: "深圳" if w == "深镇" else None)
        return [s.query for s in found]

    assert spans("我在深镇，最近的中心") == ["深圳"]
    assert spans("深镇附近有中心吗") == ["深圳"]
    assert spans("我们的深镇产品线") == []  # between 的 and 产品: a word of a phrase


def test_a_real_place_beats_a_homophone_elsewhere(finder: CentreFinder) -> None:
    found = finder.from_message("我们在宁波，东管那边也有仓库，最近的中心在哪")
    assert isinstance(found, Nearest) and found.place is not None
    assert found.place.name == "Ningbo"


# -- 2. Korean near-misses ------------------------------------------------------------------


def test_sound_alike_jamo() -> None:
    assert sound_alike("헤", "해") and sound_alike("싼", "산") and sound_alike("을", "울")
    assert sound_alike("텍", "택") and sound_alike("또", "도") and sound_alike("뻐", "버")
    assert not sound_alike("하", "하") and not sound_alike("가", "나")  # same; not alike
    assert not sound_alike("산", "삼")  # a different final is a different word
    assert sound_alike_word("데전", "대전") and not sound_alike_word("데젼", "대전")


def test_a_korean_slip_among_towns_and_longer_districts(fixes: Misspellings) -> None:
    assert fixes.korean_slip("김헤") == "김해"
    assert fixes.korean_slip("데전") == "대전"
    assert fixes.korean_slip("부싼") == "부산"
    assert fixes.korean_slip("헤운대") == "해운대"  # 해운대구 without 구
    assert fixes.korean_slip("역쌈") is None  # a two-syllable neighbourhood: too easily a word
    assert fixes.korean_slip("김해") is None and fixes.korean_slip("가나") is None


@pytest.mark.parametrize(
    ("text", "place"),
    [
        ("김헤 근처 센터 있나요", "Kimhae"),
        ("김헤에 있어요", "Kimhae"),
        ("헤운대에 있는데 가까운 센터 어디예요?", "Haeundae"),
        ("평텍에 있어요", "Pyeongtaek"),
        ("데전 근처에 센터 있나요", "Daejeon"),
        ("서을에 살아요", "Seoul"),
        ("부싼에 있어요", "Busan"),
        ("광저 우 에 있는데 가까운 센터", "Guangzhou"),
        ("부 산 에 있는데 가까운 센터 어디예요?", "Busan"),
        ("인천광역 시에 있는데 가까운 센터 있나요?", "Incheon"),
        ("김헤시 근처 센터 있나요", "Kimhae"),
    ],
)
def test_korean_near_misses_and_split_names(finder: CentreFinder, text: str, place: str) -> None:
    found = finder.from_message(text)
    assert isinstance(found, Nearest) and found.place is not None, (text, found)
    assert found.place.name == place, (text, found.place)


def test_a_province_is_not_a_slip_of_a_korean_county(finder: CentreFinder) -> None:
    found = finder.from_message("장쑤 근처 센터 있나요")  # Jiangsu, one jamo from 장수
    assert isinstance(found, Nearest) and found.place is not None
    assert found.place.country == "CN"


def test_a_slip_needs_a_place_position_and_split_words_need_a_locative(
    finder: CentreFinder,
) -> None:
    assert not isinstance(finder.from_message("센터 방문하려면 어디로 가야 하나요?"), Nearest)
    assert not isinstance(finder.from_message("나 주 한번 센터 가요"), Nearest)


# -- 3. Korean readings of Chinese cities ---------------------------------------------------


def test_initial_sound_law() -> None:
    assert initial_sound_law("령") == "영" and initial_sound_law("락") == "낙"
    assert initial_sound_law("녀") == "여" and initial_sound_law("하") == "하"


def test_everyday_words_that_read_like_a_chinese_city_need_china_named(
    finder: CentreFinder,
) -> None:
    for text in ("상담", "통화", "상담에 대해 가까운 센터 방문하고 싶어요"):
        assert not isinstance(finder.from_message(text), Nearest), text
    found = finder.from_message("중국 상해에 있어요")  # 상해 "injury"; here 上海
    assert isinstance(found, Nearest) and found.place is not None
    assert found.place.name == "Shanghai"


def test_readings_of_a_han_name(fixes: Misspellings) -> None:
    assert hanja_readings("宁波", READINGS) == ["영파"]
    assert hanja_readings("宁X", READINGS) == []
    assert fixes.korean_reading("영파") == "宁波"
    assert fixes.korean_reading("하문") == "厦门"
    assert fixes.korean_reading("부산") is None


def test_the_shipped_reading_table_reads_simplified_characters_by_their_traditional_form() -> None:
    table = reading_table()
    assert table["广"] == ("광",)  # 廣, not the radical 广 (엄)
    assert "천" in table["圳"] and "관" in table["莞"]  # customary readings kept


@pytest.mark.parametrize(
    ("text", "place"),
    [
        ("중국 심천에 있는데 가까운 센터 어디예요?", "Shenzhen"),
        ("중국 광주에 있어요", "Guangzhou"),
        ("중국 광주에 공장이 있어요. 가까운 센터 어디예요?", "Guangzhou"),
        ("중국 청도에 있는데 가까운 센터", "Qingdao"),
        ("동관에 있어요", "Dongguan"),  # no Korean place reads so: the Chinese city
        ("의오에 있어요", "Yiwu"),
        ("하문 근처에 센터 있나요", "Xiamen"),
        ("영파에 있어요", "Ningbo"),
        ("불산에 있어요", "Foshan"),
        ("광주에 있어요", "Gwangju"),  # without China named, 광주 is Gwangju
        ("청도에 있어요", "Cheongdo"),
        ("중국 공장은 광주에 있어요. 가까운 센터 어디예요?", "Guangzhou"),
        # China named, but not as where the place is: an exporter in Gwangju
        ("중국에 수출하는데 광주에 있어요. 가까운 센터 어디예요?", "Gwangju"),
        ("중국 수출 관련해서 광주에 있어요. 가까운 센터 어디예요?", "Gwangju"),
        ("영파시에 있어요", "Ningbo"),
    ],
)
def test_korean_readings_of_chinese_cities(finder: CentreFinder, text: str, place: str) -> None:
    found = finder.from_message(text)
    assert isinstance(found, Nearest) and found.place is not None, (text, found)
    assert found.place.name == place, (text, found.place)


# -- 4. Nicknames ---------------------------------------------------------------------------


def test_the_nickname_table_names_cities_of_the_place_table(finder: CentreFinder) -> None:
    table = nickname_table()
    assert table["鹏城"] == "深圳" and table["羊城"] == "广州" and table["穗"] == "广州"
    for city in set(table.values()):
        found = finder.from_place(city)
        assert isinstance(found, Nearest) and found.place is not None, city
        assert found.place.country == "CN" and found.place.population >= 1_000_000, city


@pytest.mark.parametrize(
    ("text", "place"),
    [
        ("我在鹏城", "Shenzhen"),
        ("鹏城最近的中心在哪", "Shenzhen"),
        ("我在羊城，最近的中心在哪", "Guangzhou"),
        ("甬城有中心吗", "Ningbo"),
        ("我在鹭岛", "Xiamen"),
        ("蓉城附近有中心吗", "Chengdu"),
        ("我在莞，最近的中心在哪", "Dongguan"),
        ("我在穗，附近有中心吗", "Guangzhou"),
    ],
)
def test_nicknames_are_place_names(finder: CentreFinder, text: str, place: str) -> None:
    found = finder.from_message(text)
    assert isinstance(found, Nearest) and found.place is not None, (text, found)
    assert found.place.name == place, (text, found.place)


def test_a_one_character_nickname_only_after_in_or_to(finder: CentreFinder) -> None:
    for text in ("麦穗附近有中心吗", "沪深两地哪里有中心"):
        assert not isinstance(finder.from_message(text), Nearest), text
