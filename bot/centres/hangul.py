"""Pinyin place names in Hangul, by the Korean standard for Chinese (외래어 표기법, 중국어 표기).

GeoNames lacks Korean names for many Chinese cities (닝보, 샤먼, 이우), so the gazetteer build
derives them from the pinyin name with the standard's initial and final tables.
"""

from __future__ import annotations

import re
from functools import cache

from bot.text.chinese import reading_table

# Hangul composition indices (U+AC00 + (initial * 21 + vowel) * 28 + coda).
_L = {c: i for i, c in enumerate("ㄱㄲㄴㄷㄸㄹㅁㅂㅃㅅㅆㅇㅈㅉㅊㅋㅌㅍㅎ")}
_V = {c: i for i, c in enumerate("ㅏㅐㅑㅒㅓㅔㅕㅖㅗㅘㅙㅚㅛㅜㅝㅞㅟㅠㅡㅢㅣ")}
_T = {"": 0, "ㄴ": 4, "ㄹ": 8, "ㅇ": 21}

INITIALS = {
    "b": "ㅂ", "p": "ㅍ", "m": "ㅁ", "f": "ㅍ", "d": "ㄷ", "t": "ㅌ", "n": "ㄴ", "l": "ㄹ",
    "g": "ㄱ", "k": "ㅋ", "h": "ㅎ", "j": "ㅈ", "q": "ㅊ", "x": "ㅅ", "zh": "ㅈ", "ch": "ㅊ",
    "sh": "ㅅ", "r": "ㄹ", "z": "ㅉ", "c": "ㅊ", "s": "ㅆ", "": "ㅇ",
}  # fmt: skip
# Finals as Hangul pieces (vowel, coda); pieces after the first start with a silent ㅇ.
FINALS: dict[str, tuple[tuple[str, str], ...]] = {
    "a": (("ㅏ", ""),), "o": (("ㅗ", ""),), "e": (("ㅓ", ""),), "er": (("ㅓ", "ㄹ"),),
    "ai": (("ㅏ", ""), ("ㅣ", "")), "ei": (("ㅔ", ""), ("ㅣ", "")),
    "ao": (("ㅏ", ""), ("ㅗ", "")), "ou": (("ㅓ", ""), ("ㅜ", "")),
    "an": (("ㅏ", "ㄴ"),), "en": (("ㅓ", "ㄴ"),), "ang": (("ㅏ", "ㅇ"),), "eng": (("ㅓ", "ㅇ"),),
    "ong": (("ㅜ", "ㅇ"),),
    "i": (("ㅣ", ""),), "ia": (("ㅑ", ""),), "ie": (("ㅖ", ""),), "iao": (("ㅑ", ""), ("ㅗ", "")),
    "iu": (("ㅠ", ""),), "ian": (("ㅖ", "ㄴ"),), "in": (("ㅣ", "ㄴ"),), "iang": (("ㅑ", "ㅇ"),),
    "ing": (("ㅣ", "ㅇ"),), "iong": (("ㅠ", "ㅇ"),),
    "u": (("ㅜ", ""),), "ua": (("ㅘ", ""),), "uo": (("ㅝ", ""),), "uai": (("ㅘ", ""), ("ㅣ", "")),
    "ui": (("ㅜ", ""), ("ㅣ", "")), "uan": (("ㅘ", "ㄴ"),), "un": (("ㅜ", "ㄴ"),),
    "uang": (("ㅘ", "ㅇ"),),
    "ü": (("ㅟ", ""),), "üe": (("ㅞ", ""),), "üan": (("ㅟ", ""), ("ㅏ", "ㄴ")),
    "ün": (("ㅟ", "ㄴ"),),
    # standalone w- syllables differ from u- finals after a consonant (wei 웨이, but gui 구이)
    "wei": (("ㅞ", ""), ("ㅣ", "")), "wen": (("ㅝ", "ㄴ"),), "weng": (("ㅝ", "ㅇ"),),
}  # fmt: skip
_Y_W = {
    "yi": "i", "ya": "ia", "yo": "io", "ye": "ie", "yao": "iao", "you": "iu", "yan": "ian",
    "yin": "in", "yang": "iang", "ying": "ing", "yong": "iong", "yu": "ü", "yue": "üe",
    "yuan": "üan", "yun": "ün", "wu": "u", "wa": "ua", "wo": "uo", "wai": "uai", "wei": "wei",
    "wan": "uan", "wen": "wen", "wang": "uang", "weng": "weng",
}  # fmt: skip
FINALS["io"] = (("ㅛ", ""),)
# After ㅈ, ㅉ and ㅊ the standard writes the plain vowel (jia 자, jiu 주, jian 젠).
_DEPALATALISE = {"ㅑ": "ㅏ", "ㅕ": "ㅓ", "ㅛ": "ㅗ", "ㅠ": "ㅜ", "ㅖ": "ㅔ"}
_INITIAL_RE = re.compile(r"^(zh|ch|sh|[bpmfdtnlgkhjqxrzcsyw]?)(.*)$")
_WORD_RE = re.compile(r"[a-zü]+")


def _compose(initial: str, vowel: str, coda: str) -> str:
    return chr(0xAC00 + (_L[initial] * 21 + _V[vowel]) * 28 + _T[coda])


def syllable_to_hangul(syllable: str) -> str | None:
    """One toneless pinyin syllable in Hangul ('guang' -> '광', 'xia' -> '샤'); None if invalid."""
    s = syllable.replace("v", "ü")
    if s in _Y_W:
        initial, final = "", _Y_W[s]
    else:
        m = _INITIAL_RE.match(s)
        if m is None or m.group(1) in ("y", "w"):
            return None
        initial, final = m.group(1), m.group(2)
        if initial in ("j", "q", "x") and final.startswith("u"):
            final = "ü" + final[1:]  # ju, quan, xue, jun are ü finals written with u
    if initial in ("zh", "ch", "sh", "r", "z", "c", "s") and final == "i":
        pieces: tuple[tuple[str, str], ...] = (("ㅡ", ""),)  # zhi 즈, si 쓰: the buzzed vowel
    elif final in FINALS:
        pieces = FINALS[final]
    else:
        return None
    lead = INITIALS[initial]
    out = []
    for i, (vowel, coda) in enumerate(pieces):
        if i == 0 and lead in ("ㅈ", "ㅉ", "ㅊ"):
            vowel = _DEPALATALISE.get(vowel, vowel)
        out.append(_compose(lead if i == 0 else "ㅇ", vowel, coda))
    return "".join(out)


@cache
def syllables() -> frozenset[str]:
    """Every toneless pinyin syllable with a vowel (from the shipped reading table)."""
    return frozenset(s for s in set(reading_table().values()) if re.search("[aeiouv]", s))


def split_pinyin(word: str) -> list[str] | None:
    """Split run-together pinyin into syllables ('dongguan' -> dong, guan); None if it is not.

    Fewest syllables win; among equals, the split whose later syllables start with a consonant
    (pinyin writes an apostrophe before a vowel-initial syllable, as in Chang'an).
    """
    valid = syllables()
    n = len(word)
    best: list[tuple[int, int, list[str]] | None] = [None] * (n + 1)
    best[0] = (0, 0, [])
    for end in range(1, n + 1):
        for start in range(max(0, end - 6), end):
            prev = best[start]
            piece = word[start:end]
            if prev is None or piece not in valid:
                continue
            vowel_start = 1 if start > 0 and piece[0] in "aeo" else 0
            cand = (prev[0] + 1, prev[1] + vowel_start, [*prev[2], piece])
            current = best[end]
            if current is None or cand[:2] < current[:2]:
                best[end] = cand
    last = best[n]
    return last[2] if last is not None else None


def pinyin_to_hangul(name: str) -> str | None:
    """A pinyin place name in Hangul ('Dongguan' -> '둥관', "Xi'an" -> '시안'), else None."""
    words = _WORD_RE.findall(name.lower())
    if not words or re.search(r"[^a-zü' -]", name.lower()):
        return None
    out = []
    for word in words:
        parts = split_pinyin(word.replace("ü", "v"))
        if parts is None:
            return None
        hangul = [syllable_to_hangul(p) for p in parts]
        if any(h is None for h in hangul):
            return None
        out.append("".join(h for h in hangul if h))
    return "".join(out)
