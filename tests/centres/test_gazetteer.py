"""Place names -> places with the shipped GeoNames gazetteer, in every language merchants use."""

from __future__ import annotations

import gzip
import json
import subprocess
import sys

import pytest

from benchmarks.gazetteer import CODE as LOAD_CODE
from bot.centres.gazetteer import DATA_FILE, KEYS_MARK, Gazetteer, country_code, parse
from bot.centres.hangul import pinyin_to_hangul, split_pinyin
from bot.centres.names import name_key, name_keys
from tests.centres.conftest import ROOT


def resolved(gazetteer: Gazetteer, query: str, **kw: bool) -> tuple[str, str]:
    found = gazetteer.resolve(query, **kw)
    assert found is not None, f"{query!r} was not found"
    return found.place.name, found.place.country


@pytest.mark.parametrize(
    ("query", "name", "country"),
    [
        # English and pinyin, with and without tones and spaces
        ("Shenzhen", "Shenzhen", "CN"),
        ("shen zhen", "Shenzhen", "CN"),
        ("Shēnzhèn", "Shenzhen", "CN"),
        ("SHEN ZHEN SHI", "Shenzhen", "CN"),
        ("Dongguan", "Dongguan", "CN"),
        ("dōng guǎn", "Dongguan", "CN"),
        ("Ningbo", "Ningbo", "CN"),
        ("yi wu", "Yiwu", "CN"),
        ("Xiamen", "Xiamen", "CN"),
        ("Amoy", "Xiamen", "CN"),
        # Simplified and Traditional Chinese, with and without 市
        ("东莞", "Dongguan", "CN"),
        ("東莞", "Dongguan", "CN"),
        ("東莞市", "Dongguan", "CN"),
        ("义乌", "Yiwu", "CN"),
        ("義烏", "Yiwu", "CN"),
        ("寧波", "Ningbo", "CN"),
        ("廣州", "Guangzhou", "CN"),
        ("臺北", "Taipei", "TW"),
        # Chinese addresses from the province down
        ("广东东莞", "Dongguan", "CN"),
        ("广东省东莞市", "Dongguan", "CN"),
        ("浙江省義烏市", "Yiwu", "CN"),
        # Korean, with and without 시 / 특별시 / 광역시, and Korean names of Chinese cities
        ("부산", "Busan", "KR"),
        ("부산시", "Busan", "KR"),
        ("부산광역시", "Busan", "KR"),
        ("서울특별시", "Seoul", "KR"),
        ("서울", "Seoul", "KR"),
        ("인천광역시", "Incheon", "KR"),
        ("경기도 수원시", "Suwon", "KR"),
        ("선전", "Shenzhen", "CN"),
        ("광저우", "Guangzhou", "CN"),
        ("닝보", "Ningbo", "CN"),
        ("이우", "Yiwu", "CN"),
        ("칭다오", "Qingdao", "CN"),
        # cities outside mainland China
        ("Hong Kong", "Hong Kong", "HK"),
        ("香港", "Hong Kong", "HK"),
        ("홍콩", "Hong Kong", "HK"),
        ("Taipei", "Taipei", "TW"),
        ("台北", "Taipei", "TW"),
        ("Seoul", "Seoul", "KR"),
        ("首尔", "Seoul", "KR"),
        ("Busan", "Busan", "KR"),
        ("Pusan", "Busan", "KR"),
        ("釜山", "Busan", "KR"),
        ("Tokyo", "Tokyo", "JP"),
        ("东京", "Tokyo", "JP"),
        ("Singapore", "Singapore", "SG"),
        ("Ho Chi Minh City", "Ho Chi Minh City", "VN"),
        ("Bangkok", "Bangkok", "TH"),
    ],
)
def test_names_in_every_language_resolve(
    gazetteer: Gazetteer, query: str, name: str, country: str
) -> None:
    assert resolved(gazetteer, query) == (name, country)


@pytest.mark.parametrize(
    ("typo", "name"),
    [("Shenzen", "Shenzhen"), ("Guangzou", "Guangzhou"), ("Qindao", "Qingdao"),
     ("Xiamin", "Xiamen"), ("Busna", "Busan"), ("Tokio", "Tokyo"), ("Hangzhuo", "Hangzhou")],
)  # fmt: skip
def test_typos_in_city_names_are_corrected(gazetteer: Gazetteer, typo: str, name: str) -> None:
    assert resolved(gazetteer, typo)[0] == name
    exact = gazetteer.resolve(typo, fuzzy=False)
    assert exact is None or exact.place.name == name  # some typos are GeoNames variants


def test_a_corrected_name_says_so(gazetteer: Gazetteer) -> None:
    found = gazetteer.resolve("Guangzou")
    assert found is not None and found.corrected
    exact = gazetteer.resolve("Guangzhou")
    assert exact is not None and not exact.corrected


@pytest.mark.parametrize("word", ["home", "office", "store", "login", "fees", "help", "test"])
def test_short_everyday_words_are_not_corrected_into_cities(
    gazetteer: Gazetteer, word: str
) -> None:
    found = gazetteer.resolve(word)
    assert found is None or not found.corrected, found


@pytest.mark.parametrize("query", ["xyzzy", "Atlantis Prime", "火星市", "얼리 리뷰어 신청", "   "])
def test_unknown_places_are_none(gazetteer: Gazetteer, query: str) -> None:
    assert gazetteer.resolve(query) is None


def test_ambiguous_names_prefer_the_larger_place_and_list_the_others(
    gazetteer: Gazetteer,
) -> None:
    canton = gazetteer.resolve("Canton")
    assert canton is not None
    assert (canton.place.name, canton.place.country) == ("Guangzhou", "CN")
    assert {p.country for p in canton.alternatives} == {"US"}
    assert all(p.name == "Canton" for p in canton.alternatives)
    springfield = gazetteer.resolve("Springfield")
    assert springfield is not None and len(springfield.alternatives) == 2
    sizes = [springfield.place.population] + [p.population for p in springfield.alternatives]
    assert sizes == sorted(sizes, reverse=True)


def test_a_korean_name_means_the_korean_place_first(gazetteer: Gazetteer) -> None:
    anyang = gazetteer.resolve("안양")
    assert anyang is not None and anyang.place.country == "KR"
    assert [p.country for p in anyang.alternatives] == ["CN"]  # the larger Anyang, in Henan
    gwangju = gazetteer.resolve("광주")
    assert gwangju is not None and gwangju.place.population > 1_000_000
    assert gwangju.alternatives and gwangju.alternatives[0].country == "KR"


def test_one_city_under_several_entries_is_not_ambiguous(gazetteer: Gazetteer) -> None:
    for query in ("宁波", "Ningbo", "Shenzhen", "东莞"):
        found = gazetteer.resolve(query)
        assert found is not None and found.alternatives == (), query


def test_a_country_narrows_the_search(gazetteer: Gazetteer) -> None:
    assert resolved(gazetteer, "Canton, United States")[1] == "US"
    assert resolved(gazetteer, "Canton USA")[1] == "US"
    assert resolved(gazetteer, "Busan, Korea") == ("Busan", "KR")
    assert resolved(gazetteer, "韩国釜山") == ("Busan", "KR")
    assert country_code("South Korea") == country_code("대한민국") == country_code("韩国") == "KR"
    assert country_code("Shenzhen") is None


def test_places_carry_names_in_every_script(gazetteer: Gazetteer) -> None:
    found = gazetteer.resolve("Dongguan")
    assert found is not None
    place = found.place
    assert (place.zh, place.ko, place.timezone) == ("东莞", "둥관", "Asia/Shanghai")
    assert abs(place.lat - 23.018) < 0.01 and abs(place.lon - 113.749) < 0.01
    assert place.population > 1_000_000


def test_nearest_place_to_a_point(gazetteer: Gazetteer) -> None:
    near = gazetteer.nearest(22.95, 113.70)  # between Dongguan's districts
    assert near is not None and near.name == "Dongguan"
    assert gazetteer.nearest(0.0, -150.0) is None  # the middle of the Pacific


def test_name_keys_fold_script_case_tones_and_suffixes() -> None:
    assert name_key("Shēn Zhèn") == name_key("shenzhen") == "shenzhen"
    assert name_keys("深圳市") == ["深圳市", "深圳"]
    assert name_keys("東莞市") == ["东莞市", "东莞"]
    assert name_keys("부산광역시") == ["부산광역시", "부산"]
    assert name_keys("Foshan City") == ["foshancity", "foshan"]
    assert name_keys("청도") == ["청도"]  # 도 is part of the name when only one syllable is left
    assert name_keys("Shi Shi") == ["shishi"]


@pytest.mark.parametrize(
    ("pinyin", "hangul"),
    [("Dongguan", "둥관"), ("Guangzhou", "광저우"), ("Shenzhen", "선전"), ("Xiamen", "샤먼"),
     ("Qingdao", "칭다오"), ("Ningbo", "닝보"), ("Yiwu", "이우"), ("Tianjin", "톈진"),
     ("Jiujiang", "주장"), ("Quanzhou", "취안저우"), ("Xi'an", "시안"), ("Luoyang", "뤄양"),
     ("Guiyang", "구이양"), ("Zibo", "쯔보"), ("Weifang", "웨이팡"), ("Dalian", "다롄")],
)  # fmt: skip
def test_pinyin_in_hangul_follows_the_korean_standard(pinyin: str, hangul: str) -> None:
    assert pinyin_to_hangul(pinyin) == hangul


def test_pinyin_splitting() -> None:
    assert split_pinyin("dongguan") == ["dong", "guan"]
    assert split_pinyin("changan") == ["chan", "gan"]  # Chang'an needs its apostrophe
    assert pinyin_to_hangul("Harbin") is None
    assert pinyin_to_hangul("New York") is None


def test_shipped_keys_are_in_step_with_the_name_normaliser() -> None:
    text = gzip.decompress(DATA_FILE.read_bytes()).decode("utf-8")
    keys = [line.split("\t", 1)[0] for line in text[text.index(KEYS_MARK) :].splitlines()[1:]]
    assert len(keys) > 50_000
    drifted = [k for k in keys[::50] if name_key(k) != k]
    assert not drifted, f"rebuild with scripts/build_gazetteer.py: {drifted[:5]}"


def test_build_script_turns_geonames_cities_into_a_gazetteer() -> None:
    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        import build_gazetteer
    finally:
        sys.path.remove(str(ROOT / "scripts"))
    cities = [
        {"geonameid": 2, "name": "Foshan", "latitude": 23.02677, "longitude": 113.13148,
         "countrycode": "CN", "population": 9042509, "timezone": "Asia/Shanghai",
         "alternatenames": ["FUO", "Fatshan", "fo shan shi", "佛山", "佛山市", "포산 시"]},
        {"geonameid": 1, "name": "Busan", "latitude": 35.10168, "longitude": 129.03004,
         "countrycode": "KR", "population": 3285147, "timezone": "Asia/Seoul",
         "alternatenames": ["Pusan", "釜山", "부산광역시", "부산"]},
        {"geonameid": 3, "name": "Tiny", "latitude": 1.0, "longitude": 2.0,
         "countrycode": "FR", "population": 900, "timezone": "Europe/Paris",
         "alternatenames": []},
    ]  # fmt: skip
    gazetteer = parse(build_gazetteer.build(cities))
    assert len(gazetteer) == 2  # a French village is not kept; Chinese and Korean places are
    foshan = gazetteer.resolve("佛山市")
    assert foshan is not None and (foshan.place.zh, foshan.place.ko) == ("佛山", "포산")
    assert gazetteer.resolve("fo shan") is not None and gazetteer.resolve("FUO") is None
    busan = gazetteer.resolve("부산광역시")
    assert busan is not None and busan.place.name == "Busan" and busan.place.zh == "釜山"
    assert build_gazetteer.compress("x") == build_gazetteer.compress("x")  # reproducible bytes


@pytest.mark.slow
def test_shipped_gazetteer_is_what_the_build_script_makes() -> None:
    done = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "build_gazetteer.py"), "--check"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr


def test_loading_costs_little_memory() -> None:
    # Measured in a fresh process that has already imported what the bot imports anyway; the
    # time it takes is printed by `python -m benchmarks.gazetteer`, not asserted here.
    code = LOAD_CODE
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )
    measured = json.loads(done.stdout)
    assert measured["places"] > 40_000
    assert measured["mb"] <= 30, measured
