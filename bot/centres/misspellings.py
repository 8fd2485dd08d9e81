"""How merchants actually misspell places, beyond one slip in a big city's name (typos.py).

- Chinese homophones: an input method offers a character of the same sound (深镇 for 深圳, 夏门
  for 厦门, 航州 for 杭州): a Han word whose toneless pinyin is that of a big Chinese city.
- Korean near-misses: one jamo swapped for one that sounds alike or sits under the shift key
  (김헤 for 김해, 데전 for 대전, 부싼 for 부산, 서을 for 서울), among Korean cities, counties and
  districts of any size, since only sound-alike jamo count.
- Korean readings of Chinese names: 寧波 read the Korean way is 영파 (the bot's Hangul names
  are transcriptions of pinyin, 닝보), from a table of Hanja readings (data/hanja_readings.tsv).
- Nicknames of Chinese cities (鹏城 Shenzhen, 羊城 Guangzhou), from data/nicknames.tsv.

Each maps a word to the name of a place to resolve in the gazetteer, or None. Where a word
may be read so (a centre question, "I'm in X") is for the caller to decide.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from itertools import product

from bot.centres.gazetteer import Gazetteer, Place
from bot.centres.names import name_key, name_keys
from bot.centres.typos import HANGUL_FIRST, jamo
from bot.text.chinese import pinyin
from bot.text.scripts import HAN, HANGUL, only

# GeoNames counts about this many people in a prefecture-level city (its urban core): smaller
# places are not worth guessing, and a homophone of a town is too often an everyday word.
HOMOPHONE_MIN_POPULATION = 500_000
HOMOPHONE_LENGTHS = range(2, 4)  # 深镇, 东管; one character is not a name, four rarely a slip
# Among several cities of one sound (苏州 and 宿州 are both suzhou), the largest is meant only
# when it is this many times larger than the next; else nothing is guessed (泰州, 台州).
DOMINANCE = 2.0
SLIP_MIN_POPULATION = 100_000  # Korean towns; cities, counties and districts at any size
SLIP_MIN_PART_SYLLABLES = 3  # a neighbourhood only by a longer name (해운대), not by 2 (역삼)
READING_MIN_POPULATION = HOMOPHONE_MIN_POPULATION
CHINA = frozenset({"CN"})
KOREA = frozenset({"KR"})
# Everyday words that sound like a big city: never read as its name, however placed
# (义务 "duty" / 义乌, 保安 "guard" / 宝安, 背景 "background" / 北京, 白色 "white" / 百色).
EVERYDAY_HOMOPHONES = frozenset(
    """义务 保安 背景 伤害 程度 信仰 打通 实验 试验 誓言 形态 异常 孕妇 信誉 通话 白色 危害
    宣称 冒名 假定""".split()  # noqa: SIM905
)
# Everyday Korean words that are also a Chinese city's name read the Korean way (상담
# "consultation" / 湘潭, 수령 "receipt" / 遂宁, 통화 "call" / 通化, 장사 "business" / 长沙):
# read as the city only when the message names China.
EVERYDAY_READINGS = frozenset(
    """가정 개봉 구강 귀양 금주 금화 남양 대동 동영 매주 무명 무한 백색 보정 부신 부양 상구
    상담 상해 성도 소관 소주 수령 수주 신양 안경 연대 영구 요양 용암 위해 유방 일조 임기
    자양 장사 장치 정안 정주 조경 조장 주산 주주 주해 중산 지주 천수 천주 천진 청원 통화
    하주 한중 형수 호주 회화""".split()  # noqa: SIM905
)
# Jamo that Korean writers confuse: the same sound today (ㅐ/ㅔ, ㅒ/ㅖ, ㅙ/ㅞ/ㅚ), a neighbour
# vowel (ㅓ/ㅗ, ㅕ/ㅛ, ㅡ/ㅜ), or a plain consonant and its tense (shifted) twin.
_INITIALS = "ㄱㄲㄴㄷㄸㄹㅁㅂㅃㅅㅆㅇㅈㅉㅊㅋㅌㅍㅎ"
_VOWELS = "ㅏㅐㅑㅒㅓㅔㅕㅖㅗㅘㅙㅚㅛㅜㅝㅞㅟㅠㅡㅢㅣ"
_CONFUSABLE_INITIALS = ("ㄱㄲ", "ㄷㄸ", "ㅂㅃ", "ㅅㅆ", "ㅈㅉ")
_CONFUSABLE_VOWELS = ("ㅐㅔ", "ㅒㅖ", "ㅙㅞㅚ", "ㅓㅗ", "ㅕㅛ", "ㅡㅜ")
# 두음법칙: a Sino-Korean word does not start with ㄹ, nor with ㄴ before i or y (寧波 령파 is
# written 영파, 洛陽 락양 낙양).
_Y_VOWELS = frozenset("ㅑㅕㅖㅛㅠㅣ")
_LATIN_LETTERS = re.compile(r"[^a-zv]")


def _groups(sets: tuple[str, ...], alphabet: str) -> dict[int, int]:
    return {alphabet.index(c): n for n, group in enumerate(sets) for c in group}


_INITIAL_GROUP = _groups(_CONFUSABLE_INITIALS, _INITIALS)
_VOWEL_GROUP = _groups(_CONFUSABLE_VOWELS, _VOWELS)


def sound_alike(a: str, b: str) -> bool:
    """True when two Hangul syllables differ only by one confusable jamo (데/대, 싼/산)."""
    ja, jb = jamo(a), jamo(b)
    if ja is None or jb is None or ja == jb:
        return False
    (ia, va, fa), (ib, vb, fb) = ja, jb
    if fa != fb:
        return False
    if va == vb:
        return ia in _INITIAL_GROUP and _INITIAL_GROUP[ia] == _INITIAL_GROUP.get(ib)
    return ia == ib and va in _VOWEL_GROUP and _VOWEL_GROUP[va] == _VOWEL_GROUP.get(vb)


def sound_alike_word(word: str, name: str) -> bool:
    """True when a Hangul word is a name with exactly one syllable swapped for a sound-alike."""
    if len(word) != len(name):
        return False
    differ = [(a, b) for a, b in zip(word, name, strict=True) if a != b]
    return len(differ) == 1 and sound_alike(*differ[0])


def toneless_pinyin(word: str) -> str | None:
    """The toneless pinyin of a Han word, syllables run together ('深镇' -> 'shenzhen')."""
    readings = [pinyin(c) for c in word]
    if any(r is None for r in readings):
        return None
    return "".join(r for r in readings if r)


def initial_sound_law(syllable: str) -> str:
    """The first syllable of a Sino-Korean word as written (령 -> 영, 락 -> 낙, 녀 -> 여)."""
    parts = jamo(syllable)
    if parts is None:
        return syllable
    initial, vowel, final = parts
    lead = _INITIALS[initial]
    if lead == "ㄹ":
        lead = "ㅇ" if _VOWELS[vowel] in _Y_VOWELS else "ㄴ"
    elif lead == "ㄴ" and _VOWELS[vowel] in _Y_VOWELS:
        lead = "ㅇ"
    return chr(HANGUL_FIRST + (_INITIALS.index(lead) * 21 + vowel) * 28 + final)


def hanja_readings(name: str, table: Mapping[str, tuple[str, ...]]) -> list[str]:
    """Every Korean reading of a Han name ('宁波' -> ['영파']); [] if a character has none."""
    per_char = [table.get(c, ()) for c in name]
    if not per_char or any(not r for r in per_char):
        return []
    out = []
    for combo in product(*per_char):
        out.append(initial_sound_law(combo[0]) + "".join(combo[1:]))
    return out


@cache
def reading_table() -> dict[str, tuple[str, ...]]:
    """Han character -> its Korean readings, for the characters of Chinese city names."""
    text = files("bot.centres").joinpath("data/hanja_readings.tsv").read_text(encoding="utf-8")
    table: dict[str, tuple[str, ...]] = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            char, _, readings = line.partition("\t")
            table[char] = tuple(readings.split())
    return table


@cache
def nickname_table() -> dict[str, str]:
    """Nickname -> the Chinese name of the city it stands for (鹏城 -> 深圳)."""
    text = files("bot.centres").joinpath("data/nicknames.tsv").read_text(encoding="utf-8")
    table: dict[str, str] = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            nickname, _, city = line.partition("\t")
            table[name_key(nickname)] = city.strip()
    return table


@dataclass(frozen=True)
class _Candidate:
    query: str  # the name to resolve
    population: int
    written: str  # the name as the place table writes it, to count shared characters


def _dominant(found: Iterable[_Candidate], word: str) -> str | None:
    """The one place meant among candidates: the one sharing most characters with the word,
    then the largest when it is DOMINANCE times the next; None when still unsure."""
    by_query: dict[str, _Candidate] = {}
    for c in found:
        if c.query not in by_query or c.population > by_query[c.query].population:
            by_query[c.query] = c
    if not by_query:
        return None

    def shared(c: _Candidate) -> int:
        return sum(a == b for a, b in zip(word, c.written, strict=False))

    most = max(shared(c) for c in by_query.values())
    ranked = sorted(
        (c for c in by_query.values() if shared(c) == most), key=lambda c: -c.population
    )
    if len(ranked) == 1 or ranked[0].population >= DOMINANCE * max(ranked[1].population, 1):
        return ranked[0].query
    return None


class Misspellings:
    """Reads a misspelt, sound-alike or nicknamed place name; built once per place table."""

    def __init__(
        self,
        chinese: Iterable[Place],
        korean: Iterable[Place],
        readings: Mapping[str, tuple[str, ...]],
        nicknames: Mapping[str, str],
    ) -> None:
        """``chinese``: big cities of China; ``korean``: Korean towns and areas."""
        self._by_sound: dict[str, list[_Candidate]] = defaultdict(list)
        self._by_reading: dict[str, list[_Candidate]] = defaultdict(list)
        for place in chinese:
            if not place.zh or not only(place.zh, HAN):
                continue
            c = _Candidate(place.zh, place.population, place.zh)
            # The English name is the pinyin as read in the name (厦门 xiamen, though 厦 alone
            # reads sha first); the characters' own readings catch the rest (Hohhot).
            sounds = {_LATIN_LETTERS.sub("", place.name.lower().replace("ü", "v"))}
            for key in name_keys(place.zh):
                sounds.add(toneless_pinyin(key) or "")
                for reading in hanja_readings(key, readings):
                    self._by_reading[reading].append(c)
            for sound in sounds - {""}:
                self._by_sound[sound].append(c)
        self._korean: dict[int, list[_Candidate]] = defaultdict(list)
        for place in korean:
            if not place.ko or not only(place.ko, HANGUL):
                continue
            for key in name_keys(place.ko):
                if place.part and len(key) < SLIP_MIN_PART_SYLLABLES:
                    continue
                self._korean[len(key)].append(_Candidate(key, place.population, key))
        self._nicknames = dict(nicknames)

    def homophone(self, word: str) -> str | None:
        """The big Chinese city a Han word sounds like ('深镇' -> '深圳'), None if none or unsure.

        Everyday words of the same sound (义务, 背景) never are; the word must not be the
        city's own name (that is a lookup, not a slip).
        """
        for key in name_keys(word):  # 深镇, and 深镇市 without 市
            if len(key) not in HOMOPHONE_LENGTHS or not only(key, HAN):
                continue
            if key in EVERYDAY_HOMOPHONES:
                return None
            sound = toneless_pinyin(key)
            found = [c for c in self._by_sound.get(sound or "", ()) if c.written != key]
            city = _dominant(found, key)
            if city:
                return city
        return None

    def korean_slip(self, word: str) -> str | None:
        """The Korean place a Hangul word is one sound-alike jamo from ('김헤' -> '김해')."""
        for key in name_keys(word):  # 김헤, and 김헤시 without 시
            if len(key) < 2 or not only(key, HANGUL):
                continue
            found = {
                c.query for c in self._korean.get(len(key), ()) if sound_alike_word(key, c.written)
            }
            if len(found) == 1:
                return found.pop()
        return None

    def korean_reading(self, word: str, *, china: bool = False) -> str | None:
        """The Chinese city whose name read the Korean way is this word ('영파' -> '宁波');
        an everyday word of that sound (상담) only when the message names China (``china``)."""
        for key in name_keys(word):  # 영파, and 영파시 without 시
            if len(key) < 2 or not only(key, HANGUL) or (key in EVERYDAY_READINGS and not china):
                continue
            city = _dominant(self._by_reading.get(key, ()), "")
            if city:
                return city
        return None

    def nickname(self, word: str) -> str | None:
        """The city a well-known nickname stands for ('鹏城' -> '深圳'), else None."""
        return self._nicknames.get(name_key(word))


def build(gazetteer: Gazetteer) -> Misspellings:
    """A reader over a place table's big Chinese cities and Korean towns and areas."""
    return Misspellings(
        gazetteer.places_in(CHINA, HOMOPHONE_MIN_POPULATION),
        gazetteer.places_in(KOREA, SLIP_MIN_POPULATION, areas=True),
        reading_table(),
        nickname_table(),
    )
