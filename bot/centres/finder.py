"""The nearest centre from a shared location, a place name, or a merchant's message.

The facade the conversation core and the CLI use: it ties the centres list, the gazetteer,
the statement detector and the opening hours together, with "now" from an injectable clock.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache

from bot.centres.extract import Span, place_spans
from bot.centres.gazetteer import (
    ADMIN_WORD_ENDINGS,
    Gazetteer,
    Place,
    PlacesMissing,
    country_code,
    default_gazetteer,
)
from bot.centres.geo import haversine_km, nearest, valid_point
from bot.centres.hours import Openness, openness
from bot.centres.intent import asks_for_centre, centre_cue_at, correction_at
from bot.centres.misspellings import EVERYDAY_HOMOPHONES, Misspellings, build
from bot.centres.model import Centre, Centres
from bot.centres.names import EVERYDAY_PLACE_NAMES, HAN_SUFFIXES, name_key
from bot.centres.regions import region_capital
from bot.centres.statement import mention, prepare
from bot.centres.typos import CjkNearMiss
from bot.text.chinese import pinyin
from bot.text.scripts import HAN, HANGUL, only

# A bare name ("宁波", "Busan") is taken for a place only when it is a well-known one.
KNOWN_HOME_POPULATION = 100_000  # in China, Korea, Taiwan, Hong Kong, Macau
KNOWN_ABROAD_POPULATION = 1_000_000
HOME = frozenset({"CN", "KR", "TW", "HK", "MO"})
HAN_HOME = frozenset({"CN", "TW", "HK", "MO"})  # where place names are written in Han
MAX_UNKNOWN_WORDS = 3
_POINT_RE = re.compile(r"^\s*(-?\d{1,3}(?:\.\d+)?)\s*[,，\s]\s*(-?\d{1,3}(?:\.\d+)?)\s*$")
_HAN_PLACE = re.compile(f"^[{HAN}]{{1,8}}(?:{'|'.join(HAN_SUFFIXES)})$")
_HANGUL_PLACE = re.compile(f"^[{HANGUL}]{{1,8}}(?:특별시|광역시|시|군|구|도|읍|면|동)$")
# Two places closer than this, named side by side, are a city and a part of it ("용인 기흥구").
NEST_KM = 30.0
# What may stand between them: spaces and commas, administrative words of no place of their
# own ("서울 중구 명동": 중구 names five districts), a suffix ("Giheung-gu, Yongin").
_NEST_GAP = re.compile(
    rf"^(?:[\s,，、-]+|[{HANGUL}]+(?:{'|'.join(ADMIN_WORD_ENDINGS)})|"
    r"(?:gu|si|gun|dong|district|city)\b|[市区县])*$"
)
# Korean readings of Chinese names (광주 廣州, 청도 青島) are Korean towns too: the Chinese
# city is meant when China is named right before it, perhaps with a province or a site between
# ("중국 광주", "중국의 광동성 광주", "중국 공장은 광주에"), not anywhere in the message: "중국에
# 수출하는데 광주에 있어요" is a seller in Gwangju.
_CHINA_BEFORE = (
    rf"(?:중국|中国)\s*(?:의\s*)?"
    rf"(?:(?:[{HANGUL}]{{1,4}}성|공장|사무실|지사|회사|창고|매장|본사|법인)(?:은|는|이|가|도)?\s*)?"
)
_NAMED_CHINA = re.compile(r"^(?:중국|中国)|(?:중국|中国)$")
_LATIN_PLACE = re.compile(r"^[a-z][a-z'.-]+(?: [a-z][a-z'.-]+){0,2}$")
# "I'm in trouble", "we're in the middle of...": words after "in" that are not places.
_NOT_PLACES = frozenset(
    re.split(
        r"\s+",
        """a an the my our your this that these those some any no trouble hurry charge touch
        doubt stock progress process review business love need line time debt shock pain favour
        favor good bad transit contact control danger luck fact general particular advance total
        person public private demand use stores store shop office factory warehouse home bed
        hospital school meeting queue""",
    )
)


@dataclass(frozen=True)
class Nearest:
    """The nearest centre to a point, and how that point was found."""

    centre: Centre
    distance_km: float
    lat: float  # the merchant's point: the shared location, or the named place
    lon: float
    openness: Openness  # the centre's hours at the finder's "now", in its zone
    place: Place | None = None  # the place named, or the town near a shared location
    shared: bool = False  # the merchant shared their location
    query: str = ""  # the merchant's words for the place
    alternatives: tuple[Place, ...] = ()  # other places with that name (larger one assumed)
    corrected: bool = False  # the name was matched despite a typo
    abroad: str | None = None  # a country with no centre (ISO code): nearest to its main city


@dataclass(frozen=True)
class UnknownPlace:
    """The merchant named a place that is not known (or only a country)."""

    query: str
    country: str | None = None  # ISO code when only a country was named


@dataclass(frozen=True)
class AskForPlace:
    """The merchant asked for the nearest centre without saying where they are."""


Found = Nearest | UnknownPlace | AskForPlace


def utc_now() -> datetime:
    """The current time (the default clock)."""
    return datetime.now(UTC)


class CentreFinder:
    """Finds the nearest centre; ``clock`` is "now" for opening hours (tests pin it)."""

    def __init__(
        self,
        centres: Centres,
        gazetteer: Callable[[], Gazetteer] = default_gazetteer,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        self.centres = centres
        self._gazetteer = gazetteer
        self._clock = clock

    def now(self) -> datetime:
        """The finder's current time."""
        return self._clock()

    def from_location(self, lat: float, lon: float) -> Nearest:
        """The nearest centre to a shared point (ValueError for coordinates out of range)."""
        if not valid_point(lat, lon):
            raise ValueError(f"not a point on Earth: {lat}, {lon}")
        try:
            near = self._gazetteer().nearest(lat, lon)
        except PlacesMissing:  # the centres have their own points; only the town name is lost
            near = None
        return self._nearest(lat, lon, place=near, shared=True)

    def from_place(self, query: str) -> Nearest | UnknownPlace:
        """The nearest centre to a place name in any language, or to "lat,lon"."""
        point = parse_point(query)
        if point is not None:
            return self.from_location(*point)
        gazetteer = self._gazetteer()
        alias = self._fixes().nickname(query)
        if alias and not self._well_known(query):  # 鹏城: Shenzhen; 禅城 stays the district
            query = alias
        country = country_code(query)
        if country:  # "Korea" asks for a city; "Singapore" and "Macau" are cities too
            exact = gazetteer.resolve(query, fuzzy=False)
            if exact is None or exact.place.country != country:
                return self.from_country(query.strip(), country)
        found = gazetteer.resolve(query)
        if found is None:
            return UnknownPlace(query.strip())
        return self._nearest(
            found.place.lat,
            found.place.lon,
            place=found.place,
            query=query.strip(),
            alternatives=found.alternatives,
            corrected=found.corrected,
        )

    def from_message(self, text: str) -> Found | None:
        """What to answer to a free-text message about where the merchant is; None when the
        message is about something else (or too unsure to be treated as a place)."""
        prepared = prepare(text)
        said = mention(
            text,
            lambda w: (
                self.known(w) or self.misspelt(w, china_before(prepared, w), bare=True) is not None
            ),
        )
        if said is None:
            return self._from_sentence(text)
        if said.kind == "ask":  # the place may still stand elsewhere in the sentence
            return self._from_sentence(text) or AskForPlace()
        # "我在深镇", "김헤에 있어요", "중국 광주에 있어요": the name stands where a place does
        fixed = self.misspelt(said.place, china_before(prepared, said.place))
        try:
            found: Nearest | UnknownPlace | None = self.from_place(
                fixed or as_written(said.place, text)
            )
        except ValueError:  # "I'm at 95 200": numbers, but no point on Earth
            found = None
        if isinstance(found, Nearest):
            return found
        sentence = self._from_sentence(text)  # "我在广东，最近的中心是哪个？": a region
        if isinstance(sentence, Nearest) or found is None:
            return sentence
        if said.kind == "name" or found.country or plausible_place(said.place):
            return found
        return sentence  # "I'm in trouble", "我在等回款": not a place after all

    def _from_sentence(self, text: str) -> Found | None:
        """A centre question with the place anywhere in it ("our factory in Foshan - where is
        the nearest centre?"), or a corrected place ("no, I meant Ningbo, not Ningde")."""
        prepared = prepare(text)
        asks = asks_for_centre(prepared)
        reach = None if asks else correction_at(prepared)
        if not asks and reach is None:
            return None
        fixes = self._fixes()
        spans = self._nested(
            prepared,
            place_spans(
                prepared,
                self.known,
                self.near_miss,
                lambda w: self.near_miss_cjk(w, china_before(prepared, w)),
                self.written_abroad,
                homophone=fixes.homophone,
                nickname=fixes.nickname,
            ),
        )
        spans = [self._read_in_china(prepared, s) for s in spans]  # "중국 광주": 廣州
        if reach is not None:  # a correction only: the places it corrects, not any in the text
            spans = [s for s in spans if s.start < reach[1] and s.start + len(s.words) > reach[0]]
        # A region next to a town qualifies it ("Ganzhou in Jiangxi", "Suzhou, Jiangsu").
        places = [s for s in spans if s.kind == "place"] or [s for s in spans if s.kind == "region"]
        places = [s for s in places if not s.slip] or places  # a sure name beats a guessed one
        if places:
            chosen = focus(prepared, places)
            return self.from_place(chosen.query) if chosen else AskForPlace()
        countries = [s for s in spans if s.kind == "country"]
        code = country_code(countries[-1].words) if countries else None
        if countries and code:
            return self.from_country(countries[-1].words, code)
        return AskForPlace() if asks else None

    def _nested(self, prepared: str, spans: list[Span]) -> list[Span]:
        """A place named with the city it lies in ("용인 기흥구", "首尔明洞", "Giheung-gu, Yongin")
        is one place, the smaller one: not two places competing for the question."""
        out: list[Span] = []
        for span in spans:
            before = out[-1] if out else None
            if (
                before is not None
                and before.kind == span.kind == "place"
                and not (before.slip or span.slip)
                and _NEST_GAP.match(prepared[before.start + len(before.words) : span.start])
            ):
                inner = self._inner(before, span)
                if inner is not None:
                    words = prepared[before.start : span.start + len(span.words)]
                    out[-1] = Span("place", words, before.start, inner.query)
                    continue
            out.append(span)
        return out

    def _inner(self, first: Span, second: Span) -> Span | None:
        """Of two places named side by side, the one inside the other; None when they are apart."""
        gazetteer = self._gazetteer()
        a, b = (gazetteer.resolve(s.query, fuzzy=False) for s in (first, second))
        if a is None or b is None:
            return None
        pa, pb = a.place, b.place
        if pa.country != pb.country or haversine_km(pa.lat, pa.lon, pb.lat, pb.lon) > NEST_KM:
            return None
        if pa.part and pb.part:  # two parts, say "분당 판교": Korean and Chinese go down,
            return first if first.words.isascii() else second  # "Pangyo, Bundang" goes up
        if pb.part:
            return second
        return first if pa.part else None  # two cities ("용인 수원") are two places

    def from_country(self, words: str, country: str) -> Nearest | UnknownPlace:
        """A country with a centre asks which city; one without gets the centre nearest to its
        main city (the reply then offers a video call)."""
        gazetteer = self._gazetteer()
        if country in self.centre_countries():
            return UnknownPlace(words, country)
        city = gazetteer.main_city(country)
        if city is None:
            return UnknownPlace(words, country)
        return self._nearest(city.lat, city.lon, place=city, query=words, abroad=country)

    def centre_countries(self) -> frozenset[str]:
        """The countries the centres stand in."""
        gazetteer = self._gazetteer()
        found = (gazetteer.nearest(c.lat, c.lon) for c in self.centres)
        return frozenset(p.country for p in found if p is not None)

    def near_miss(self, word: str, framed: bool = True) -> str | None:
        """A big city's name for a misspelt word ("Busna", "Guangzho"), else None.

        ``framed``: "in", "near"... stands before the word; without that, only words of six
        letters or more that are one slip from a big city at home ("Shenzen based").
        """
        if len(word) < (5 if framed else 6):
            return None
        found = self._gazetteer().resolve(word)
        if found is None or not found.corrected:
            return None
        place = found.place
        if place.population < KNOWN_ABROAD_POPULATION or not (framed or place.country in HOME):
            return None
        return place.name

    def near_miss_cjk(self, word: str, china: bool = False) -> str | None:
        """A place's name for a misspelt Han or Hangul word ("广洲", "인쳔", "김헤"), or for a
        Chinese city's name read the Korean way ("영파"); else None. ``china``: China is named
        right before the word, so a Korean reading means the Chinese city first."""
        key = name_key(word)
        if key in EVERYDAY_HOMOPHONES:
            return None
        fixes = self._fixes()
        if not only(key, HANGUL):
            return _cjk_near_miss(self._gazetteer())(word)
        reading = fixes.korean_reading(key, china=china)
        if reading and (china or not self._korean_place(key)):
            return reading
        return _cjk_near_miss(self._gazetteer())(word) or fixes.korean_slip(key)

    def misspelt(self, words: str, china: bool = False, *, bare: bool = False) -> str | None:
        """The place a name standing alone or in "I'm in X" means when it is not a known place
        as written: a nickname (鹏城), a sound-alike (深镇, 김헤), a Korean reading (영파).

        ``bare``: the name is the whole message, where a Korean reading (a common Hangul
        word as often as not) counts only if China is named.
        """
        key = name_key(words)
        if _NAMED_CHINA.search(key) and len(key) > 2:  # "중국 광주"
            key, china = _NAMED_CHINA.sub("", key), True
        if len(key) < 2 or not only(key, HAN + HANGUL) or country_code(key) or region_capital(key):
            return None  # a country or a province (장쑤 is Jiangsu, not a slip of 장수)
        fixes = self._fixes()
        if only(key, HANGUL) and china and self.known(key):
            return fixes.korean_reading(key, china=True)
        if self.known(key):
            return None
        if only(key, HANGUL):
            if bare and not china:
                return _cjk_near_miss(self._gazetteer())(key) or fixes.korean_slip(key)
            return self.near_miss_cjk(key, china)
        if key in EVERYDAY_HOMOPHONES:
            return None
        return fixes.nickname(key) or fixes.homophone(key) or self.near_miss_cjk(key)

    def _read_in_china(self, prepared: str, span: Span) -> Span:
        """A Hangul place after "중국" read as the Chinese city of that Korean reading, if any."""
        if (
            span.kind != "place"
            or not only(name_key(span.words), HANGUL)
            or not china_before(prepared, span.words, span.start)
        ):
            return span
        city = self._fixes().korean_reading(span.words, china=True)
        return Span("place", span.words, span.start, city, span.slip) if city else span

    def _korean_place(self, key: str) -> bool:
        found = self._gazetteer().resolve(key, fuzzy=False)
        return found is not None and found.place.country == "KR"

    def _fixes(self) -> Misspellings:
        return _misspellings(self._gazetteer())

    def _well_known(self, words: str) -> bool:
        """True when the gazetteer alone knows the words as a well-known place."""
        found = self._gazetteer().resolve(words, fuzzy=False)
        if found is None:
            return False
        place = found.place
        if place.admin or self._gazetteer().names_area(words):
            return True
        floor = KNOWN_HOME_POPULATION if place.country in HOME else KNOWN_ABROAD_POPULATION
        return place.population >= floor

    def written_abroad(self, words: str) -> bool:
        """True when Han words name a lesser place outside the Chinese-writing countries: a
        neighbourhood's Hanja (一山, 明洞), not a city's Chinese name (釜山)."""
        found = self._gazetteer().resolve(words, fuzzy=False)
        if found is None:
            return False
        place = found.place
        return place.country not in HAN_HOME and place.population < KNOWN_HOME_POPULATION

    def known(self, words: str) -> bool:
        """True when words exactly name a well-known place (for bare names in messages)."""
        key = name_key(words)
        if country_code(words) or len(key) < 2 or key in EVERYDAY_PLACE_NAMES:
            return False
        # a city, county or district (용인, 강남구, 宜蘭) is named like a town; a nickname too
        return self._well_known(words) or self._fixes().nickname(key) is not None

    def _nearest(
        self,
        lat: float,
        lon: float,
        *,
        place: Place | None,
        shared: bool = False,
        query: str = "",
        alternatives: tuple[Place, ...] = (),
        corrected: bool = False,
        abroad: str | None = None,
    ) -> Nearest:
        best = nearest(lat, lon, self.centres, lambda c: (c.lat, c.lon))
        if best is None:
            raise LookupError("no centres")
        centre, km = best
        return Nearest(
            centre=centre,
            distance_km=km,
            lat=lat,
            lon=lon,
            openness=openness(centre, self.now()),
            place=place,
            shared=shared,
            query=query,
            alternatives=alternatives,
            corrected=corrected,
            abroad=abroad,
        )


@lru_cache(maxsize=2)
def _misspellings(gazetteer: Gazetteer) -> Misspellings:
    return build(gazetteer)


@lru_cache(maxsize=2)
def _cjk_near_miss(gazetteer: Gazetteer) -> CjkNearMiss:
    return CjkNearMiss(gazetteer.cjk_names(KNOWN_ABROAD_POPULATION, HOME), pinyin)


_CLAUSE = re.compile(r"[,，。.!！?？;；\n]+")


def focus(prepared: str, places: list[Span]) -> Span | None:
    """The place the centre question is about: in the asking clause (after the centre word
    first, else the last before it), else the only place named; None when several compete."""
    cue = centre_cue_at(prepared)
    if cue is not None:
        starts = [0] + [m.end() for m in _CLAUSE.finditer(prepared)]
        begin = max(s for s in starts if s <= cue)
        ends = [m.start() for m in _CLAUSE.finditer(prepared) if m.start() > cue]
        end = ends[0] if ends else len(prepared)
        inside = [p for p in places if begin <= p.start < end]
        after = [p for p in inside if p.start > cue]
        if after or inside:
            return after[0] if after else inside[-1]
        anchored = _anchored(prepared, places, begin, end)
        if anchored is not None:
            return anchored
    distinct = {p.query for p in places}
    return places[-1] if len(distinct) == 1 else None


# Sites a merchant names a place for and then asks about: "the factory is in Dongguan ... a
# centre close to the factory", "창고가 인천에 있어요. 창고 근처에 센터".
_SITES = (
    re.compile(r"\b(?:factory|factories|plant|workshop)\b|工厂|厂房|공장"),
    re.compile(r"\b(?:warehouses?|storage)\b|仓库|货仓|창고|물류창고"),
    re.compile(r"\b(?:home|house|flat|apartment)\b|家里|住处|집"),
    re.compile(r"\b(?:hq|head ?office|headquarters)\b|总部|본사"),
    re.compile(r"\b(?:shop|store|showroom)\b|门店|店铺|매장"),
)
_SITE_REACH = 14  # characters from a site word to the place it stands in
_SITE_JUST_BEFORE = 3  # a place qualifying the site word right before it


def _anchored(prepared: str, places: list[Span], begin: int, end: int) -> Span | None:
    """The one place the message ties to the site the question is about, else None."""
    for site in _SITES:
        if not site.search(prepared, begin, end):
            continue
        named = [m for m in site.finditer(prepared) if not begin <= m.start() < end]
        # "the factory is in Dongguan", "창고가 인천에": the place follows; else it may come
        # just before ("our Yiwu warehouse", "义乌的仓库", "인천 창고").
        after = {
            p.query: p
            for p in places
            for m in named
            if 0 <= p.start - m.end() <= _SITE_REACH
            or (m.end() <= p.start and not _CLAUSE.search(prepared, m.end(), p.start))
        }
        before = {
            p.query: p
            for p in places
            for m in named
            if 0 <= m.start() - (p.start + len(p.words)) <= _SITE_JUST_BEFORE
        }
        for near in (after, before):
            if len(near) == 1:
                return next(iter(near.values()))
            if near:
                return None
    return None


def china_before(prepared: str, words: str, at: int | None = None) -> bool:
    """True when China is named right before the words ("중국 광주"), at ``at`` if given."""
    if not words:
        return False
    pattern = re.compile(_CHINA_BEFORE + re.escape(words))
    if at is None:
        return pattern.search(prepared) is not None
    return any(m.end() == at + len(words) for m in pattern.finditer(prepared, 0, at + len(words)))


def parse_point(text: str) -> tuple[float, float] | None:
    """(lat, lon) from "22.54,114.06" (ValueError when out of range); None when not a point."""
    m = _POINT_RE.match(text)
    if m is None:
        return None
    lat, lon = float(m.group(1)), float(m.group(2))
    if not valid_point(lat, lon):
        raise ValueError(f"not a point on Earth: {lat}, {lon}")
    return lat, lon


def as_written(words: str, text: str) -> str:
    """The words as the merchant wrote them ("Guangzou", not "guangzou"), when they can be found."""
    at = text.casefold().find(words)
    if at < 0 or len(text.casefold()) != len(text):
        return words
    return text[at : at + len(words)]


def plausible_place(words: str) -> bool:
    """True when unknown words still look like a place name worth asking about.

    "我在火星市", "im in atlantis" are; "我在等回款", "I'm in trouble" are not.
    """
    text = words.strip().casefold()
    if _HAN_PLACE.match(text.replace(" ", "")) or _HANGUL_PLACE.match(text.replace(" ", "")):
        return True
    if not _LATIN_PLACE.match(text) or len(text.split()) > MAX_UNKNOWN_WORDS:
        return False
    return text.split()[0] not in _NOT_PLACES
