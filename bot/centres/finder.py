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

from bot.centres.extract import (
    NOT_NAMES,
    Span,
    ends_name,
    has_function_char,
    place_spans,
    strip_particles,
)
from bot.centres.gazetteer import (
    ADMIN_WORD_ENDINGS,
    TOWN,
    Gazetteer,
    Place,
    PlacesMissing,
    country_code,
    default_gazetteer,
)
from bot.centres.geo import haversine_km, nearest, valid_point
from bot.centres.hours import Openness, openness
from bot.centres.intent import asks_for_centre, centre_cue_at, correction_at
from bot.centres.misspellings import EVERYDAY_HOMOPHONES, Misspellings, build, toneless_pinyin
from bot.centres.model import Centre, Centres
from bot.centres.names import EVERYDAY_PLACE_NAMES, HAN_SUFFIXES, name_key
from bot.centres.regions import region_capital
from bot.centres.statement import mention, prepare
from bot.centres.typos import CjkNearMiss, LatinNearMiss
from bot.text.chinese import pinyin
from bot.text.scripts import HAN, HANGUL, is_han, is_hangul, only

# A bare name ("宁波", "Busan") is taken for a place only when it is a well-known one.
KNOWN_HOME_POPULATION = 100_000  # in China, Korea, Taiwan, Hong Kong, Macau
KNOWN_ABROAD_POPULATION = 1_000_000
BIG_CITY = 500_000
# A Latin name that is only a village's ("Dongguang") is read as a big city a slip away.
LATIN_SLIP_MIN_POPULATION = BIG_CITY
HOME = frozenset({"CN", "KR", "TW", "HK", "MO"})
HAN_HOME = frozenset({"CN", "TW", "HK", "MO"})  # where place names are written in Han
MAX_UNKNOWN_WORDS = 3
_POINT_RE = re.compile(r"^\s*(-?\d{1,3}(?:\.\d+)?)\s*[,，\s]\s*(-?\d{1,3}(?:\.\d+)?)\s*$")
_HAN_PLACE = re.compile(f"^[{HAN}]{{1,8}}(?:{'|'.join(HAN_SUFFIXES)})$")
_HANGUL_PLACE = re.compile(f"^[{HANGUL}]{{1,8}}(?:특별시|광역시|시|군|구|도|읍|면|동)$")
# Two places closer than this, named side by side, are a city and a part of it ("용인 기흥구").
NEST_KM = 30.0
DISTRICT_RATIO = 10  # a town this many times smaller than a city beside it lies in it
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
# Short forms read as a place only in a centre question ("im in HK nearest center"): elsewhere
# they may be a currency (HK$) or anything else.
_ABBREVIATIONS = {"hk": "hong kong"}
_ABBREVIATION = re.compile(rf"\b(?:{'|'.join(_ABBREVIATIONS)})\b")
# A town or district written right after its city, with no space ("东莞长安", "서울강남"):
# at most this many characters, and never a word about the merchant's business.
MAX_PART_CHARS = 4
_NOT_PARTS = re.compile("工厂|厂房|工业|公司|仓库|市场|商城|总部|门店|店铺|中心|办事|这边|那边")
_HAN_RUN = re.compile(f"[{HAN}]+")
_UNIT_WORD = re.compile(r"[\s-]+(?:district|county|town|area|gu|qu)$")
# A Latin district named beside its city, set off by a comma or called a district: "Nanshan,
# Shenzhen", "Shenzhen, Nanshan district" (a bare word beside a city may be any word).
_LATIN_PART_BEFORE = re.compile(
    r"\b(?P<name>[a-z]{4,})(?:\s*,\s*|[\s-]+(?:district|gu|qu)\b\s*,?\s*)$"
)
_LATIN_PART_AFTER = re.compile(r"\s*,\s*(?P<name>[a-z]{4,})(?:[\s-]+(?:district|gu|qu)\b)?")
_HANGUL_RUN = re.compile(f"[{HANGUL}]+")
# The place a centre question itself names: "离萧山最近", "closest to Yiwu", "수원에서 가까운";
# such a place counts from a town's size (a district of a city, 萧山), not only a city's.
_ASKED_PLACE = re.compile(
    rf"离(?P<zh>[{HAN}]{{2,6}}?)(?:最近|比较近|近|附近)|"
    r"\b(?:closest|nearest|close|near|closer)\s+to\s+(?P<en>[a-z][a-z' -]{2,30}?)"
    r"(?=\s*(?:[?.!,;]|$|please|pls))|"
    rf"(?P<ko>[{HANGUL}]{{2,6}}?)(?:에서)\s*(?:가장|제일)?\s*가까운"
)
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
        # "东莞长安", "深圳龙华", "서울강남": a district written with its city, not a namesake
        # elsewhere that the name's last part alone would find
        part = None if gazetteer.known(name_key(query)) else self._city_and_part(query)
        if part is not None:
            return self._at(part, query)
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
                self.known(w)
                or self.misspelt(w, china_before(prepared, w), bare=True) is not None
                or self._city_and_part(w) is not None  # "东莞长安"
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
        if asks:  # "HK" is Hong Kong where a centre is asked for
            prepared = _ABBREVIATION.sub(lambda m: _ABBREVIATIONS[m.group(0)], prepared)
        fixes = self._fixes()
        found = place_spans(
            prepared,
            self.known,
            self.near_miss,
            lambda w: self.near_miss_cjk(w, china_before(prepared, w)),
            self.written_abroad,
            homophone=fixes.homophone,
            nickname=fixes.nickname,
        )
        found = self._written_together(prepared, found)
        if asks:
            found = self._asked_place(prepared, found)
        spans = self._nested(prepared, found)
        spans = [self._read_in_china(prepared, s) for s in spans]  # "중국 광주": 廣州
        if reach is not None:  # a correction only: the places it corrects, not any in the text
            spans = [s for s in spans if s.start < reach[1] and s.start + len(s.words) > reach[0]]
        # A region next to a town qualifies it ("Ganzhou in Jiangxi", "Suzhou, Jiangsu").
        places = [s for s in spans if s.kind == "place"] or [s for s in spans if s.kind == "region"]
        places = [s for s in places if not s.slip] or places  # a sure name beats a guessed one
        if places:
            chosen = focus(prepared, places, self._identity)
            if chosen is None:
                return AskForPlace()
            return self._at(chosen.at, chosen.words) if chosen.at else self.from_place(chosen.query)
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
                    out[-1] = Span("place", words, before.start, inner.query, at=inner.at)
                    continue
            out.append(span)
        return out

    def _inner(self, first: Span, second: Span) -> Span | None:
        """Of two places named side by side, the one inside the other; None when they are apart."""
        gazetteer = self._gazetteer()
        a, b = (gazetteer.resolve(s.query, fuzzy=False) for s in (first, second))
        if a is None or b is None:
            return None
        pa, pb = first.at or a.place, second.at or b.place
        if pa.geonameid == pb.geonameid:  # "Panyu, Guangzhou": two names of one city
            return second
        if pa.country != pb.country or haversine_km(pa.lat, pa.lon, pb.lat, pb.lon) > NEST_KM:
            # "Longgang district Shenzhen", "Seol, Mapo-gu": the lesser name is the place of
            # that name in the city named beside it, not the larger one elsewhere.
            # Not when the name is a big city's own ("Shenzhen, Guangzhou": two cities).
            for small, city, own in ((first, pb, pa), (second, pa, pb)):
                name = _UNIT_WORD.sub("", small.query) or small.query  # "Longgang district"
                part = gazetteer.named_near(name, city.lat, city.lon, NEST_KM)
                if own.population < BIG_CITY and _lies_in(part, city):
                    return Span("place", small.words, small.start, small.query, at=part)
            return None
        if pa.part and pb.part:  # two parts, say "분당 판교": Korean and Chinese go down,
            return first if first.words.isascii() else second  # "Pangyo, Bundang" goes up
        if pb.part:
            return second
        if pa.part:
            return first
        # two cities ("용인 수원") are two places; a town a tenth of its neighbour's size is a
        # district of it ("Longgang district Shenzhen": Longgang is a town in the table)
        (lesser, named), (larger, _) = sorted(
            ((pa, first), (pb, second)), key=lambda x: x[0].population
        )
        if not (lesser.admin or pa.country != pb.country) and (
            0 < lesser.population * DISTRICT_RATIO <= larger.population
        ):  # a Korean city or county has no population in the table: never a district
            return Span("place", named.words, named.start, named.query, at=lesser)
        return None

    def _written_together(self, prepared: str, spans: list[Span]) -> list[Span]:
        """A town or district written right after its city with no space between ("东莞长安",
        "深圳龙华", "서울강남"): the more specific place, when the place table has it there."""
        out: list[Span] = []
        starts = {s.start for s in spans}
        for span in spans:
            end = span.start + len(span.words)
            city = self._place_of(span) if span.kind == "place" and end not in starts else None
            part = self._part_after(prepared, end, city) if city else None
            if part is not None:
                words, place = part
                whole = prepared[span.start : end + len(words)]
                span = Span("place", whole, span.start, words, span.slip, at=place)
            elif city is not None and span.words.isascii():
                span = self._latin_part_beside(prepared, span, city, spans) or span
            out.append(span)
        covered = [(s.start, s.start + len(s.words)) for s in out]
        for m in _HANGUL_RUN.finditer(prepared):  # "서울강남": the city is no word of its own
            if any(a < m.end() and m.start() < b for a, b in covered):
                continue
            cut_at = self._city_then_part(prepared, m.start(), m.end())
            if cut_at is not None:
                cut, words, place = cut_at
                whole = prepared[m.start() : m.start() + cut + len(words)]
                out.append(Span("place", whole, m.start(), words, at=place))
        return sorted(out, key=lambda s: s.start)

    def _latin_part_beside(
        self, prepared: str, span: Span, city: Place, spans: list[Span]
    ) -> Span | None:
        """A Latin district of ``city`` named beside it that is no place of its own in the
        message ("Nanshan, Shenzhen": Nanshan is too small to count anywhere else)."""
        end = span.start + len(span.words)
        before = _LATIN_PART_BEFORE.search(prepared, 0, span.start)
        after = _LATIN_PART_AFTER.match(prepared, end)
        for m in (before, after):
            if m is None:
                continue
            at, name = m.start("name"), m.group("name")
            if any(s.start <= at < s.start + len(s.words) for s in spans):
                continue  # a place of its own: two places, for _nested to weigh
            if name in NOT_NAMES or self.known(name):
                continue
            part = self._gazetteer().named_near(name, city.lat, city.lon, NEST_KM)
            if part is not None and part.geonameid != city.geonameid and _lies_in(part, city):
                first, last = min(m.start(), span.start), max(m.end(), end)
                words = prepared[first:last].strip(" ,")
                return Span("place", words, prepared.index(words, first), name, span.slip, at=part)
        return None

    def _city_then_part(self, text: str, start: int, end: int) -> tuple[int, str, Place] | None:
        """(length of the city's name, the part's words, the part) for a word that is a known
        city's name run into a part of it ("서울강남", "东莞长安"), else None."""
        for cut in range(2, min(MAX_PART_CHARS, end - start - 2) + 1):
            head = text[start : start + cut]
            city = self._place_of(Span("place", head, start, head)) if self.known(head) else None
            part = self._part_after(text[:end], start + cut, city) if city else None
            if part is not None:
                return cut, *part
        return None

    def _city_and_part(self, words: str) -> Place | None:
        """The part of a city a Han or Hangul name written with its city stands for ("东莞长安":
        Chang'an in Dongguan), when the name is a known city followed by a part of it."""
        key = name_key(words)
        if not only(key, HAN) and not only(key, HANGUL):
            return None
        found = self._city_then_part(key, 0, len(key))
        if found is None:
            return None
        cut, part, place = found
        return place if len(part) == len(strip_particles(key[cut:])) else None

    def _place_of(self, span: Span) -> Place | None:
        """The place a span names, as the gazetteer reads its query."""
        if span.at is not None:
            return span.at
        found = self._gazetteer().resolve(span.query, fuzzy=False)
        return found.place if found is not None else None

    def _part_after(self, prepared: str, end: int, city: Place) -> tuple[str, Place] | None:
        """(words, place) of a part of ``city`` written right after its name at ``end``."""
        if city.part or end >= len(prepared) or end == 0:
            return None
        han = is_han(prepared[end - 1]) and is_han(prepared[end])
        hangul = is_hangul(prepared[end - 1]) and is_hangul(prepared[end])
        run = (_HAN_RUN if han else _HANGUL_RUN).match(prepared, end) if han or hangul else None
        if run is None:
            return None
        text = run.group(0)
        for n in range(min(MAX_PART_CHARS, len(text)), 1, -1):
            words, rest = text[:n], text[n:]
            if han and (
                has_function_char(words) or _NOT_PARTS.search(words) or not ends_name(rest)
            ):
                continue
            if hangul and rest and strip_particles(text) != words:
                continue  # "서울강남에": only particles may follow the part
            place = self._gazetteer().named_near(words, city.lat, city.lon, NEST_KM)
            if (
                place is not None
                and place.geonameid != city.geonameid
                and place.country == city.country
            ):
                return words, place
        return None

    def _asked_place(self, prepared: str, spans: list[Span]) -> list[Span]:
        """The place the centre question itself names ("离萧山最近的中心"), added when it is a
        town or district at home too small to count as a place elsewhere in a message."""
        out = list(spans)
        for m in _ASKED_PLACE.finditer(prepared):
            group = next(g for g in ("zh", "en", "ko") if m.group(g))
            start, words = m.start(group), m.group(group).strip()
            if any(s.start < start + len(words) and start < s.start + len(s.words) for s in spans):
                continue  # already read as a place (or as part of one)
            found = self._gazetteer().resolve(words, fuzzy=False)
            if found is None or country_code(words):
                continue
            place = found.place
            if place.country in HOME and (place.admin or place.population >= TOWN):
                out.append(Span("place", words, start, words, at=place))
        return sorted(out, key=lambda s: s.start)

    def _identity(self, span: Span) -> object:
        """What tells places apart: two names of one city ("Fushan (Foshan)") are one place."""
        place = self._place_of(span)
        return place.geonameid if place is not None else span.query

    def _at(self, place: Place, words: str) -> Nearest:
        """The nearest centre to a place already found (a district read in its city)."""
        return self._nearest(place.lat, place.lon, place=place, query=words.strip())

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
        if found is not None and not found.corrected:
            return self.latin_slip(word)  # "Dongguang": a village's name, a slip of Dongguan
        if found is None:
            return None
        place = found.place
        if place.population < KNOWN_ABROAD_POPULATION or not (framed or place.country in HOME):
            return None
        return place.name

    def latin_slip(self, word: str) -> str | None:
        """The big city a Latin name means when, as written, it names only a lesser place
        ("Dongguang", a village: Dongguan); None when it is a well-known place or no slip."""
        if not word.isascii() or self._well_known(word):
            return None
        if self._gazetteer().resolve(word, fuzzy=False) is None:
            return None  # unknown names are the gazetteer's own typo-tolerant lookup
        return _latin_near_miss(self._gazetteer())(name_key(word))

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
        if key.isascii():
            return self.latin_slip(words)
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
def _latin_near_miss(gazetteer: Gazetteer) -> LatinNearMiss:
    """Big cities at home under their English name and the pinyin of their Chinese one."""
    names: list[tuple[str, str]] = []
    for place in gazetteer.places_in(HOME, LATIN_SLIP_MIN_POPULATION):
        names.append((name_key(place.name), place.name))
        if place.country in HAN_HOME and place.zh:
            names.append((toneless_pinyin(name_key(place.zh)) or "", place.name))
    return LatinNearMiss(names)


@lru_cache(maxsize=2)
def _cjk_near_miss(gazetteer: Gazetteer) -> CjkNearMiss:
    return CjkNearMiss(gazetteer.cjk_names(KNOWN_ABROAD_POPULATION, HOME), pinyin)


_CLAUSE = re.compile(r"[,，。.!！?？;；\n]+")


def focus(
    prepared: str, places: list[Span], identity: Callable[[Span], object] = lambda s: s.query
) -> Span | None:
    """The place the centre question is about: in the asking clause (after the centre word
    first, else the last before it), else the only place named; None when several compete.
    ``identity`` tells when two names are one place ("Fushan (Foshan)")."""
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
    distinct = {identity(p) for p in places}
    return places[-1] if len(distinct) == 1 else None


# Sites a merchant names a place for and then asks about: "the factory is in Dongguan ... a
# centre close to the factory", "창고가 인천에 있어요. 창고 근처에 센터".
_SITES = (
    re.compile(r"\b(?:factory|factories|plant|workshop)\b|工厂|厂房|厂(?![家商长])|공장"),
    re.compile(r"\b(?:warehouses?|storage)\b|仓库|货仓|창고|물류창고"),
    re.compile(r"\b(?:home|house|flat|apartment)\b|家里|住处|집"),
    re.compile(r"\b(?:hq|head ?office|headquarters)\b|总部|본사"),
    re.compile(r"\b(?:shop|store|showroom)\b|门店|店铺|매장"),
    # not "office": that word asks for one of ours ("which office is nearest")
    re.compile(r"\b(?:company|firm)\b|公司|회사"),
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


def _lies_in(part: Place | None, city: Place) -> bool:
    """True for a district, or a place of known population smaller than the city it was found
    in (a hamlet of no population listed is too often a namesake)."""
    if part is None or not (part.part or part.population > 0):
        return False
    return part.population < city.population or (part.part and not city.part)


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
