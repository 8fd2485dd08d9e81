"""Places named anywhere in a sentence: "our factory in Foshan ...", "저희 회사는 인천에 ..."."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from itertools import pairwise
from typing import Literal

from bot.centres.gazetteer import Place, country_code
from bot.centres.names import EVERYDAY_PLACE_NAMES
from bot.centres.regions import KOREAN_CITIES_ZH, region_capital
from bot.centres.statement import is_syllable
from bot.text.scripts import HAN, HANGUL

Kind = Literal["place", "region", "country"]
Candidate = Callable[[int, int], "Span | None"]  # (start, length) -> a span, or None
NearMiss = Callable[[str, bool], "str | None"]  # (word, after a preposition) -> a city, or None
Fix = Callable[[str], "str | None"]  # a word -> the name of the place it stands for, or None

MAX_LATIN_WORDS = 3
MAX_PINYIN_WORDS = 5  # a name cut into syllables ("wu lu mu qi", see statement.prepare)
MAX_HAN = 5
# Words that are never a place on their own, though a town somewhere bears the name.
NOT_NAMES = frozenset(
    """a an the in at to of for and or but near from my our your is are am be i we you it this
    that there here which what where who how can could get go come walk talk see visit meet
    want would will do does did have has centre center office team shop store factory
    warehouse company business hi hello please thanks
    zhongxin zuijin fujin nali nage zaina""".split()  # noqa: SIM905
)  # the last line: pinyin of a centre question ("zui jin de zhongxin zai nali")
# Han characters that never stand inside a place name in these messages: a candidate holding
# one ("工厂在佛山") is a phrase around a name, not a name.
_HAN_FUNCTION = re.compile("[在的是我你他她们有和与从到去来了吗呢吧啊这那个哪离最近附]")
_PARTICLES = re.compile(
    r"(?:에서는|에서도|에서|에는|에도|에|으로|로|은|는|이|가|을|를|의|도|쪽|근처|인데요|인데|"
    r"입니다|이에요|예요|이요|이고|이랑|랑|하고|시|지역|역|요)$"  # 역: a station (판교역)
)
# Words that end like a place and a particle but are one word: 고양이 "cat", not 고양 + 이.
_KO_NOT_NAMES = frozenset({"고양이"})
_PREPOSITIONS = frozenset({"in", "near", "from", "at", "around", "to", "zai"})
_NEGATION_BEFORE = re.compile(r"(?:\bnot|不是|并非|非|而不是)\s*$")
_NEGATION_AFTER = re.compile(r"^\s*(?:말고|아니라|아니고|가 아니라|이 아니라)")
_LATIN = re.compile(r"[a-z][a-z'.]*")  # "beijing-based": the hyphen ends the name
_HAN_RUN = re.compile(f"[{HAN}]+")
_HANGUL = re.compile(f"[{HANGUL}]+")
_LOCATIVE = re.compile(r"(?:에서|에|\s*근처|\s*쪽|\s*(?:사는|살아|살고|삽니다))")
# Where a Chinese sentence puts a place name: after 在, 到, 离... (or first in its run), and
# before 的, 最近, 附近, 有... (or last). A sound-alike is read as a city only there, so that a
# word in the middle of a phrase ("公司的背景是") is left alone.
_SLOT_BEFORE = ("在", "到", "去", "离", "从", "于", "住", "近", "自", "是", "中国", "省", "市")
_SLOT_AFTER = (
    "的", "最近", "附近", "周边", "周围", "这边", "那边", "这里", "那里", "一带", "有", "哪",
    "离", "市", "区", "近", "还是", "和", "或",
)  # fmt: skip
# A one-character nickname (穗, 沪) only right after "in", "to", "from"...: elsewhere the
# character is part of another word (麦穗, 沪深).
_ONE_CHAR_BEFORE = frozenset("在来到去离赴回返驻")
MAX_JOINED = 3  # Hangul words of one name split by stray spaces ("광저 우", "부 산 에")


@dataclass(frozen=True)
class Span:
    """A place named in the message: where it stands and what to look up."""

    kind: Kind
    words: str
    start: int
    query: str  # the name to resolve (a region's capital for a region)
    slip: bool = False  # read as a misspelt city's name, not found as written
    at: Place | None = None  # the very place meant, when its name alone would mean another


def place_spans(
    prepared: str,
    known: Callable[[str], bool],
    near_miss: NearMiss | None = None,
    near_miss_cjk: Callable[[str], str | None] | None = None,
    foreign: Callable[[str], bool] | None = None,
    homophone: Fix | None = None,
    nickname: Fix | None = None,
) -> list[Span]:
    """Every place, region and country named in a prepared message, in order, negations dropped.

    ``near_miss`` maps a misspelt word to a big city's name, if any (told whether "in",
    "near"... stands before it);
    ``near_miss_cjk`` does the same for a Han or Hangul word ("广洲", "인쳔");
    ``foreign`` tells a Han name of a place outside the Chinese-writing countries (一山, Ilsan):
    such a name yields to a name that overlaps it and reaches further ("一山东": 山东);
    ``homophone`` reads a Han word that sounds like a big city (深镇), only where a place name
    stands; ``nickname`` reads a one-character nickname (穗), only after 在, 来, 到...
    """
    spans = (
        _latin(prepared, known, near_miss)
        + _han(prepared, known, near_miss_cjk, foreign, homophone, nickname)
        + _hangul(prepared, known, near_miss_cjk)
    )
    spans.sort(key=lambda s: s.start)
    return [s for s in spans if not _negated(prepared, s)]


def _classify(words: str, start: int, known: Callable[[str], bool]) -> Span | None:
    capital = region_capital(words)
    if capital:
        return Span("region", words, start, capital)
    if words in KOREAN_CITIES_ZH:
        return Span("place", words, start, KOREAN_CITIES_ZH[words])
    if country_code(words):
        return Span("country", words, start, words)
    if known(words):
        return Span("place", words, start, words)
    return None


def _closed_list(words: str, start: int) -> Span | None:
    capital = region_capital(words)
    if capital:
        return Span("region", words, start, capital)
    return Span("country", words, start, words) if country_code(words) else None


def _greedy(count: int, longest: int, shortest: int, candidate: Candidate) -> list[Span]:
    """Longest match first at each position, left to right; a match skips what it covers."""
    out: list[Span] = []
    i = 0
    while i < count:
        for n in range(min(longest, count - i), shortest - 1, -1):
            span = candidate(i, n)
            if span is not None:
                out.append(span)
                i += n
                break
        else:
            i += 1
    return out


def _latin(
    text: str, known: Callable[[str], bool], near_miss: NearMiss | None = None
) -> list[Span]:
    tokens = [(m.group(0).strip(".'-"), m.start()) for m in _LATIN.finditer(text)]

    def candidate(i: int, n: int) -> Span | None:
        parts = [t for t, _ in tokens[i : i + n]]
        words = " ".join(parts)
        if any(w in NOT_NAMES for w in parts) or (n == 1 and len(words) < 3):
            return None
        if n > MAX_LATIN_WORDS and not all(is_syllable(w) for w in parts):
            return None
        span = _classify(words, tokens[i][1], known)
        if span is None and n == 1 and near_miss:
            # "in Busna", "Shenzen based": a typo of a big city; without "in" before it, only
            # a longer word and a city at home (see CentreFinder.near_miss).
            framed = bool(i) and tokens[i - 1][0] in _PREPOSITIONS
            fixed = near_miss(words, framed)
            span = Span("place", words, tokens[i][1], fixed, slip=True) if fixed else None
        return span

    return _greedy(len(tokens), MAX_PINYIN_WORDS, 1, candidate)


def _han(
    text: str,
    known: Callable[[str], bool],
    near_miss: Callable[[str], str | None] | None,
    foreign: Callable[[str], bool] | None = None,
    homophone: Fix | None = None,
    nickname: Fix | None = None,
) -> list[Span]:
    out: list[Span] = []
    for run in _HAN_RUN.finditer(text):
        chars, at = run.group(0), run.start()

        def found(i: int, n: int, chars: str = chars, at: int = at) -> Span | None:
            words = chars[i : i + n]
            if n == 1:
                placed = i > 0 and chars[i - 1] in _ONE_CHAR_BEFORE and _slot_after(chars[i + 1 :])
                return _slip(words, at + i, nickname) if placed else None
            if _HAN_FUNCTION.search(words):
                # Only a country or a region may hold such a character (马来西亚); a town
                # name with one is a phrase around a name ("工厂在佛山"), or a slip (厦们).
                return _closed_list(words, at + i) or _slip(words, at + i, near_miss)
            return (
                _classify(words, at + i, known)
                or _slip(words, at + i, near_miss)
                or (_slip(words, at + i, homophone) if _in_slot(chars, i, n) else None)
            )

        def sure(i: int, n: int, chars: str = chars) -> bool:
            span = found(i, n)
            return span is not None and not span.slip and not _yields(span, foreign)

        def candidate(i: int, n: int, chars: str = chars) -> Span | None:
            span = found(i, n)
            if span is None or not _yields(span, foreign):
                return span
            # Chinese is written without spaces, so a foreign name can be read out of a
            # longer home one ("一山东的工厂": 一山 inside 山东): the one at home wins.
            longer = any(
                sure(j, m)
                for j in range(i + 1, i + n)
                for m in range(n, min(MAX_HAN, len(chars) - j) + 1)
                if j + m > i + n
            )
            return None if longer else span

        out += _greedy(len(chars), MAX_HAN, 1, candidate)
    return out


def ends_name(after: str) -> bool:
    """True when Chinese text after a name lets the name end there ("的", "附近", "区", or
    nothing): "长安" in "东莞长安，", not "工业" in "东莞工业区"."""
    return _slot_after(after) or after.startswith(("镇", "街道", "县"))


def has_function_char(words: str) -> bool:
    """True when Han words hold a character no place name holds in these messages (在, 的)."""
    return _HAN_FUNCTION.search(words) is not None


def strip_particles(word: str) -> str:
    """A Hangul word without the particles after it ("강남에서" -> "강남")."""
    while (shorter := _PARTICLES.sub("", word)) != word and len(shorter) >= 2:
        word = shorter
    return word


def _slot_after(after: str) -> bool:
    return not after or after.startswith(_SLOT_AFTER)


def _in_slot(chars: str, i: int, n: int) -> bool:
    """True when chars[i:i+n] stands where a Chinese sentence puts a place name."""
    return (i == 0 or chars[:i].endswith(_SLOT_BEFORE)) and _slot_after(chars[i + n :])


def _yields(span: Span, foreign: Callable[[str], bool] | None) -> bool:
    """True for a Han name of a place abroad, which gives way to an overlapping home name."""
    return foreign is not None and span.kind == "place" and not span.slip and foreign(span.query)


def _hangul(
    text: str, known: Callable[[str], bool], near_miss: Callable[[str], str | None] | None
) -> list[Span]:
    out: list[Span] = []
    tokens = list(_HANGUL.finditer(text))
    covered = 0
    for k, m in enumerate(tokens):
        if m.start() < covered:
            continue
        joined = _joined(text, tokens[k : k + MAX_JOINED], known)
        if joined is not None:
            out.append(joined)
            covered = joined.start + len(joined.words)
            continue
        word = m.group(0)
        while len(word) >= 2 and word not in _KO_NOT_NAMES:
            # A slip is read as a place only where Korean puts one: before 에, 에서, 근처, 쪽
            # ("인쳔 근처", "광져우에"), not in any word one jamo from a city ("하나요").
            located = _LOCATIVE.match(text, m.start() + len(word)) is not None
            span = _classify(word, m.start(), known) or (
                _located(word, m.start(), near_miss) if located else None
            )
            if span is not None:
                out.append(span)
                break
            shorter = _PARTICLES.sub("", word)
            if shorter == word:
                break
            word = shorter
    return out


def _joined(text: str, tokens: list[re.Match[str]], known: Callable[[str], bool]) -> Span | None:
    """A place name split by stray spaces ("광저 우 에", "인천광역 시에"), where Korean puts a
    place (before 에, 근처...), and only when its first part is no place of its own."""
    first = tokens[0].group(0)
    if _classify(_PARTICLES.sub("", first), 0, known) or _classify(first, 0, known):
        return None
    for count in range(len(tokens), 1, -1):
        group = tokens[:count]
        if any(text[a.end() : b.start()] != " " for a, b in pairwise(group)):
            continue
        at = [g.start() + j for g in group for j in range(len(g.group(0)))]
        whole = word = "".join(g.group(0) for g in group)
        while len(word) > len(first):
            span = _classify(word, group[0].start(), known)
            after = whole[len(word) :] + text[group[-1].end() :]
            if span is not None and span.kind == "place" and _LOCATIVE.match(after.lstrip()):
                end = at[len(word) - 1] + 1
                return Span("place", text[group[0].start() : end], group[0].start(), word)
            shorter = _PARTICLES.sub("", word)
            if shorter == word:
                break
            word = shorter
    return None


def _located(word: str, start: int, near_miss: Callable[[str], str | None] | None) -> Span | None:
    """A place read only where Korean puts one: an everyday word that names a place, or a slip."""
    if word in EVERYDAY_PLACE_NAMES:
        return Span("place", word, start, word)
    return _slip(word, start, near_miss)


def _slip(words: str, start: int, near_miss: Callable[[str], str | None] | None) -> Span | None:
    fixed = near_miss(words) if near_miss else None
    return Span("place", words, start, fixed, slip=True) if fixed else None


def _negated(text: str, span: Span) -> bool:
    before = text[max(0, span.start - 8) : span.start]
    after = text[span.start + len(span.words) : span.start + len(span.words) + 8]
    return bool(_NEGATION_BEFORE.search(before) or _NEGATION_AFTER.match(after))
