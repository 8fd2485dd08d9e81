"""Place names -> coordinates, from a compact copy of GeoNames and Korea's district boundaries.

The data (``data/gazetteer.tsv.gz``, built by ``scripts/build_gazetteer.py``) holds cities of
15,000+ people worldwide, every place GeoNames lists in China, Korea, Taiwan, Hong Kong and
Macau, and their cities, counties and districts (용인시, 강남구, 觀塘, 宜蘭縣), with their
English, pinyin, Chinese and Korean names as keys. It is loaded once, lazily, into
columns (lists and numpy arrays) rather than one object per place, to keep the bot small.
"""

from __future__ import annotations

import bisect
import gzip
import io
import math
import re
import sys
from array import array
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np
from babel import Locale
from rapidfuzz import process
from rapidfuzz.distance import DamerauLevenshtein

from bot.centres.geo import EARTH_RADIUS_KM, haversine_km
from bot.centres.names import is_latin_key, name_key, name_keys
from bot.centres.regions import region_capital
from bot.text.scripts import HAN, HANGUL, only

DATA_FILE = Path(__file__).resolve().parent / "data" / "gazetteer.tsv.gz"
COLUMNS = ("geonameid", "name", "zh", "ko", "country", "population", "lat", "lon", "tz", "kind")
# ``kind``: "" for a GeoNames place; "adm" for a city or county (Korea's 시/군, Taiwan's
# counties), "part" for a district or neighbourhood of a city (Korea's 구, 판교, 송도; Hong
# Kong's districts, Macau's parishes): both named by merchants as they name towns whatever
# their population (a Korean one has none in its source: 0).
ADMIN = "adm"
PART = "part"
HAN_HOME = frozenset({"CN", "TW", "HK", "MO"})
KOREA = frozenset({"KR"})
KEYS_MARK = "#keys"  # after the places: "key<TAB>row,row,..." lines, sorted by key

TOWN = 15_000  # people: a town rather than a village
# Typo-tolerant matches only among cities ("Guangzou" -> Guangzhou), never for short words:
# "home" is one letter from Rome and "office" from Officer, Australia.
FUZZY_MIN_POPULATION = 100_000
FUZZY_MIN_LENGTH = 5
SHORT_FUZZY_LENGTH = 7  # below this, one edit is a large change: only cities of a million
SHORT_FUZZY_MIN_POPULATION = 1_000_000
PART_MIN_POPULATION = TOWN  # "广东东莞" -> 东莞: partial matches only for towns and cities
ALTERNATIVE_MIN_POPULATION = 50_000  # other places of the same name worth mentioning
ALTERNATIVE_MIN_KM = 30.0
MAX_ALTERNATIVES = 2
_SPLIT_RE = re.compile(r"[,，、;；/]")
ADMIN_WORD_ENDINGS = ("도", "시", "군", "구", "읍", "면", "동", "리", "로", "길")
# Country names Babel does not list in these short forms.
_COUNTRY_ALIASES = {"korea": "KR", "한국": "KR", "usa": "US", "uk": "GB", "prc": "CN"}


@dataclass(frozen=True)
class Place:
    """A populated place: English (GeoNames) name, Chinese and Korean names when known."""

    name: str
    lat: float
    lon: float
    country: str  # ISO 3166 code ("CN", "KR", "HK")
    population: int
    timezone: str = "UTC"
    zh: str = ""
    ko: str = ""
    geonameid: int = 0
    admin: bool = False  # an administrative area (용인시, 강남구), not a GeoNames town
    part: bool = False  # a district or neighbourhood of a city (강남구, 판교, 觀塘)


@dataclass(frozen=True)
class Resolution:
    """What a place name was taken to mean; ``alternatives``: other places of that name."""

    place: Place
    alternatives: tuple[Place, ...] = ()
    corrected: bool = False  # found by typo-tolerant matching, not by an exact name


_HAN_ADMIN = frozenset("省市区县")  # the unit after a Chinese place name (广东省, 苏州市)


class Gazetteer:
    """Place lookup by name (exact, suffix-stripped, partial, typo-tolerant) and by position."""

    def __init__(self, lines: Iterable[str]) -> None:
        # Numbers go straight into C arrays: lists of Python ints and floats would leave the
        # allocator's arenas fragmented and cost more RSS than the data itself.
        names: list[str] = []
        zh: list[str] = []
        ko: list[str] = []
        country: list[str] = []
        tz: list[str] = []
        gid, pop = array("i"), array("q")
        lat, lon = array("d"), array("d")
        city = bytearray()  # rows whose names are typo-tolerant
        admin = bytearray()
        part = bytearray()
        keys: list[str] = []
        fuzzy: list[str] = []
        first = array("i")  # where each key's rows start in ``postings``
        postings = array("i")
        intern = sys.intern
        it = iter(lines)
        header = next((ln for ln in it if not ln.startswith("#")), "")
        if tuple(header.rstrip("\n").split("\t")) != COLUMNS:
            raise ValueError("gazetteer data does not start with its column names")
        for line in it:
            if line.startswith(KEYS_MARK):
                break
            cells = line.rstrip("\n").split("\t")
            gid.append(int(cells[0]))
            names.append(cells[1])
            zh.append(intern(cells[2]))
            ko.append(intern(cells[3]))
            country.append(intern(cells[4]))
            population = int(cells[5])
            pop.append(population)
            city.append(population >= FUZZY_MIN_POPULATION)
            lat.append(math.radians(float(cells[6])))
            lon.append(math.radians(float(cells[7])))
            tz.append(intern(cells[8]))
            admin.append(cells[9] in (ADMIN, PART))
            part.append(cells[9] == PART)
        for line in it:
            key, _, rows = line.rstrip("\n").partition("\t")
            keys.append(key)
            first.append(len(postings))
            start = len(postings)
            postings.extend(map(int, rows.split(",")))
            if key.isascii() and any(city[r] for r in postings[start:]):
                fuzzy.append(key)
        if keys != sorted(keys):
            raise ValueError("gazetteer keys are not sorted")
        first.append(len(postings))
        self._names, self._zh, self._ko, self._country, self._tz = names, zh, ko, country, tz
        self._gid = np.frombuffer(gid, dtype=np.int32)
        self._pop = np.frombuffer(pop, dtype=np.int64)
        self._lat = np.frombuffer(lat, dtype=np.float64)
        self._lon = np.frombuffer(lon, dtype=np.float64)
        self._keys = keys
        self._first = np.frombuffer(first, dtype=np.int32)
        self._postings = np.frombuffer(postings, dtype=np.int32)
        self._fuzzy = fuzzy
        self._admin = np.frombuffer(bytes(admin), dtype=np.bool_)
        self._part = np.frombuffer(bytes(part), dtype=np.bool_)

    def __len__(self) -> int:
        return len(self._names)

    def cjk_names(
        self, min_population: int, countries: frozenset[str]
    ) -> list[tuple[str, str, str]]:
        """(Chinese or Korean name, name to resolve, country) of each place this large there."""
        out: list[tuple[str, str, str]] = []
        for i in np.flatnonzero(self._pop >= min_population):
            if self._country[i] not in countries:
                continue
            for written in (self._zh[i], self._ko[i]):
                if written:
                    out.append((written, self._names[i], self._country[i]))
        return out

    def places_in(
        self, countries: frozenset[str], min_population: int, *, areas: bool = False
    ) -> list[Place]:
        """The places of these countries with this many people (and every area, if ``areas``)."""
        rows = self._pop >= min_population
        if areas:
            rows = rows | self._admin
        return [self.place(int(i)) for i in np.flatnonzero(rows) if self._country[i] in countries]

    def place(self, i: int) -> Place:
        """The place at row ``i``."""
        return Place(
            name=self._names[i],
            lat=round(math.degrees(float(self._lat[i])), 5),
            lon=round(math.degrees(float(self._lon[i])), 5),
            country=self._country[i],
            population=int(self._pop[i]),
            timezone=self._tz[i],
            zh=self._zh[i],
            ko=self._ko[i],
            geonameid=int(self._gid[i]),
            admin=bool(self._admin[i]),
            part=bool(self._part[i]),
        )

    # -- by name ---------------------------------------------------------------------------

    def resolve(self, query: str, *, fuzzy: bool = True) -> Resolution | None:
        """The place a name means (the most populous on ambiguity), or None when unknown.

        "Guangzhou, China" and "韩国釜山" narrow the search to a country; ``fuzzy`` allows one
        typo (two from eight letters) in the Latin name of a city.
        """
        head, *rest = _SPLIT_RE.split(query)
        country = next((c for part in rest if (c := country_code(part))), None)
        keys = name_keys(head)
        if not keys:
            return None
        stripped, named = self._strip_country(head)
        if stripped:
            keys += name_keys(stripped)
            country = country or named
        for key in keys:
            if self.known(key):
                return self._choose(self._ids(key), key, country)
        for key in keys:
            part = self._partial(key)
            if part is not None:
                return self._choose(self._ids(part), part, country)
        word = self._last_word(stripped or head)
        if word is not None:
            return self._choose(self._ids(word), word, country)
        if not fuzzy:
            return None
        return self._corrected(keys[-1] if stripped else keys[0], country)

    def named_near(self, words: str, lat: float, lon: float, max_km: float) -> Place | None:
        """The place of this exact name nearest to a point, within ``max_km``, of any size:
        "长安" next to Dongguan is the town of Dongguan, not the larger 长安 elsewhere."""
        rows = sorted({i for key in name_keys(words) for i in self._ids(key)})
        if not rows:
            return None
        distance, best = min(
            (haversine_km(lat, lon, math.degrees(self._lat[i]), math.degrees(self._lon[i])), i)
            for i in rows
        )
        return self.place(best) if distance <= max_km else None

    def _ids(self, key: str) -> list[int]:
        n = bisect.bisect_left(self._keys, key)
        if n == len(self._keys) or self._keys[n] != key:
            return []
        return [int(i) for i in self._postings[self._first[n] : self._first[n + 1]]]

    def names_area(self, query: str) -> bool:
        """True when the query is the exact name of a city, county or district (宜蘭, 용인시)."""
        return any(bool(self._admin[i]) for key in name_keys(query) for i in self._ids(key))

    def known(self, key: str) -> bool:
        """True when ``key`` (see :func:`bot.centres.names.name_key`) names a place."""
        n = bisect.bisect_left(self._keys, key)
        return n < len(self._keys) and self._keys[n] == key

    def _choose(self, ids: list[int], key: str, country: str | None) -> Resolution | None:
        if country and any(self._country[i] == country for i in ids):
            ids = [i for i in ids if self._country[i] == country]
        if not ids:
            return None
        # The largest place wins, except that a name in Hangul means the Korean place first:
        # 안양 is Anyang near Seoul for a Korean writer, though Anyang in Henan is larger.
        # Likewise a name in Chinese characters means a town of the Chinese-writing home
        # countries before a Japanese one: 板橋 is Banqiao in New Taipei, not Itabashi in Tokyo;
        # then a Korean one (松岛 is Songdo in Incheon before Matsushima in Japan). On a tie
        # (no population known), an area merchants name beats a hamlet (Dongtan, Hwaseong).
        korean = only(key, HANGUL)
        home = HAN_HOME if only(key, HAN) else frozenset({"KR"}) if korean else frozenset()
        second = KOREA if only(key, HAN) else frozenset()
        ids.sort(
            key=lambda i: (
                not self._home_town(i, home),
                not self._home_town(i, second),
                -int(self._pop[i]),
                not self._admin[i],
                i,
            )
        )
        best = ids[0]
        alternatives: list[Place] = []
        for i in ids[1:]:
            if len(alternatives) >= MAX_ALTERNATIVES:
                break
            if int(self._pop[i]) < ALTERNATIVE_MIN_POPULATION or not self._named(i, key):
                continue
            if any(self._km(i, j) < ALTERNATIVE_MIN_KM for j in [best, *self._rows(alternatives)]):
                continue  # the same city under another GeoNames entry, or a district of it
            alternatives.append(self.place(i))
        return Resolution(self.place(best), tuple(alternatives))

    def _home_town(self, i: int, countries: frozenset[str]) -> bool:
        return self._country[i] in countries and (bool(self._admin[i]) or int(self._pop[i]) >= TOWN)

    def _rows(self, places: list[Place]) -> list[int]:
        return [int(np.flatnonzero(self._gid == p.geonameid)[0]) for p in places]

    def _named(self, i: int, key: str) -> bool:
        """True when ``key`` is the place's own name (not one of its many alternate names)."""
        return any(key in name_keys(n) for n in (self._names[i], self._zh[i], self._ko[i]) if n)

    def _km(self, i: int, j: int) -> float:
        return haversine_km(
            math.degrees(self._lat[i]), math.degrees(self._lon[i]),
            math.degrees(self._lat[j]), math.degrees(self._lon[j]),
        )  # fmt: skip

    def _partial(self, key: str) -> str | None:
        """The longest town name a Chinese key ends with ("广东东莞" -> "东莞").

        Chinese writes addresses from the province down without spaces; Korean separates the
        parts (see :meth:`_last_word`), and a Korean word can end in a city's name by chance.
        """
        if not only(key, HAN):
            return None
        for start in range(1, len(key) - 1):
            tail = key[start:]
            ids = self._ids(tail)
            if any(int(self._pop[i]) >= PART_MIN_POPULATION for i in ids) and self._chain(
                key[:start]
            ):
                return tail
        return None

    def _chain(self, prefix: str) -> bool:
        """True when Chinese words before a town are places and regions ("广东省", "江苏苏州"),
        so that "美国注册商标要多久" does not end in a town (多久, Taku) by chance."""
        if not prefix:
            return True
        for cut in range(len(prefix), 0, -1):
            head = prefix[:cut]
            bare = head[:-1] if head[-1] in _HAN_ADMIN and len(head) > 2 else head
            if (region_capital(head) or self.known(head) or self.known(bare)) and self._chain(
                prefix[cut:]
            ):
                return True
        return False

    def _last_word(self, text: str) -> str | None:
        """The key of the smallest town in a spaced Korean address ("경기도 수원시" -> "수원").

        Every other word must be an administrative unit (경기도, 팔달구) or a place itself, so
        that "카테고리 권한 신청" is not read as an address ending in 신청 (Xincheng).
        """
        words = text.split()
        if len(words) < 2 or not all(only(w, HANGUL) for w in words):
            return None
        found = None
        for word in reversed(words):
            town = next((k for k in name_keys(word) if self._is_town(k)), None)
            if found is None and town is not None:
                found = town
            elif town is None and not word.endswith(ADMIN_WORD_ENDINGS):
                return None
        return found

    def _is_town(self, key: str) -> bool:
        return any(
            int(self._pop[i]) >= PART_MIN_POPULATION or self._admin[i] for i in self._ids(key)
        )

    def _corrected(self, key: str, country: str | None) -> Resolution | None:
        """A typo-tolerant match among Latin names of cities: 1 edit, 2 from 8 letters.

        Short words need a city of a million ("Busna" -> Busan, but not "login" -> Logan).
        """
        if not is_latin_key(key) or len(key) < FUZZY_MIN_LENGTH:
            return None
        allowed = 1 if len(key) < 8 else 2
        hits = process.extract(
            key, self._fuzzy, scorer=DamerauLevenshtein.distance, score_cutoff=allowed, limit=20
        )
        if not hits:
            return None
        fewest = min(int(h[1]) for h in hits)
        ids = [i for name, d, _ in hits if d == fewest for i in self._ids(name)]
        floor = (
            FUZZY_MIN_POPULATION if len(key) >= SHORT_FUZZY_LENGTH else SHORT_FUZZY_MIN_POPULATION
        )
        ids = [i for i in ids if int(self._pop[i]) >= floor]
        found = self._choose(ids, "", country)
        return Resolution(found.place, (), corrected=True) if found else None

    def _strip_country(self, text: str) -> tuple[str, str | None]:
        """("Busan", "KR") from "Busan Korea" or "韩国釜山"; ("", None) when no country is named."""
        words = text.split()
        if len(words) > 1:
            for head, tail in ((words[:-1], words[-1]), (words[1:], words[0])):
                code = country_code(tail)
                if code:
                    return " ".join(head), code
        key = name_key(text)
        if only(key, HAN + HANGUL):
            for size in range(2, min(5, len(key) - 1)):
                for part, rest in ((key[:size], key[size:]), (key[-size:], key[:-size])):
                    code = country_code(part)
                    if code and len(rest) >= 2:
                        return rest, code
        return "", None

    def main_city(self, country: str) -> Place | None:
        """The most populous place of a country (ISO code), None when none is listed."""
        rows = [i for i, c in enumerate(self._country) if c == country]
        return self.place(max(rows, key=lambda i: int(self._pop[i]))) if rows else None

    # -- by position -----------------------------------------------------------------------

    def nearest(self, lat: float, lon: float, max_km: float = 50.0) -> Place | None:
        """The nearest town (15,000+ people) within ``max_km``, else the nearest place at all."""
        d = self._distances(lat, lon)
        near = np.flatnonzero(d <= max_km)
        if near.size == 0:
            return None
        towns = near[self._pop[near] >= TOWN]
        pick = towns[np.argmin(d[towns])] if towns.size else near[np.argmin(d[near])]
        return self.place(int(pick))

    def _distances(self, lat: float, lon: float) -> np.ndarray:
        la, lo = math.radians(lat), math.radians(lon)
        a = (
            np.sin((self._lat - la) / 2) ** 2
            + math.cos(la) * np.cos(self._lat) * np.sin((self._lon - lo) / 2) ** 2
        )
        km: np.ndarray = 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))
        return km


@cache
def _countries() -> dict[str, str]:
    names: dict[str, str] = {}
    for loc in ("en", "ko", "zh_Hans", "zh_Hant"):
        for code, name in Locale.parse(loc).territories.items():
            if len(code) == 2 and code.isalpha():
                names.setdefault(name_key(name), code)
    for alias, code in _COUNTRY_ALIASES.items():
        names.setdefault(name_key(alias), code)
    return names


def country_code(text: str) -> str | None:
    """The ISO code of a country name in English, Korean or Chinese ("South Korea", "중국")."""
    key = name_key(text)
    return _countries().get(key) if key else None


class PlacesMissing(RuntimeError):
    """The place table was never built (it is a build output, not kept in git)."""


def load(path: Path = DATA_FILE) -> Gazetteer:
    """Read a gazetteer file (gzip or plain text), line by line."""
    if not path.is_file():
        raise PlacesMissing(
            f"the place table {path} is missing: build it with "
            "`python scripts/build_gazetteer.py` after `pip install -e '.[places]'` "
            "(./dev run does both)"
        )
    with path.open("rb") as raw:
        gzipped = raw.read(2) == b"\x1f\x8b"
    if gzipped:
        with gzip.open(path, "rt", encoding="utf-8") as text:
            return Gazetteer(text)
    with path.open(encoding="utf-8") as plain:
        return Gazetteer(plain)


def parse(text: str) -> Gazetteer:
    """A gazetteer from its text (as written by ``scripts/build_gazetteer.py``)."""
    return Gazetteer(io.StringIO(text))


@cache
def default_gazetteer() -> Gazetteer:
    """The shipped gazetteer, loaded on first use and kept for the life of the process."""
    return load(DATA_FILE)
