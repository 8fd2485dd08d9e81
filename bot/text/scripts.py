"""The scripts the bot reads, as character ranges: written here once, used everywhere.

The ranges are regex character-class bodies (``f"[{HAN}{HANGUL}]"``); the compiled patterns and
predicates below cover what most callers need.
"""

from __future__ import annotations

import re
from functools import cache

# CJK Unified Ideographs, Extension A and the compatibility ideographs (豈 .. 﫿).
HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
# Precomposed Hangul syllables (가 .. 힣): what Korean text is written in.
HANGUL = "\uac00-\ud7a3"
# Hangul jamo (conjoining) and compatibility jamo (ㄱ .. ㆎ, as in ㅋㅋ): letters, not syllables.
HANGUL_JAMO = "\u1100-\u11ff\u3130-\u318f"
# Hiragana and katakana: a sign of Japanese.
KANA = "\u3040-\u30ff"

HAN_RE = re.compile(f"[{HAN}]")
HANGUL_RE = re.compile(f"[{HANGUL}]")
KOREAN_RE = re.compile(f"[{HANGUL}{HANGUL_JAMO}]")  # syllables or jamo
KANA_RE = re.compile(f"[{KANA}]")
CJK_RE = re.compile(f"[{HAN}{HANGUL}]")  # a Han character or a Hangul syllable


def is_han(char: str) -> bool:
    """True for one Han character."""
    return HAN_RE.fullmatch(char) is not None


def is_hangul(char: str) -> bool:
    """True for one precomposed Hangul syllable (not a lone jamo)."""
    return HANGUL_RE.fullmatch(char) is not None


def is_jamo(char: str) -> bool:
    """True for one Hangul jamo, conjoining or compatibility."""
    return KOREAN_RE.fullmatch(char) is not None and not is_hangul(char)


def is_cjk(char: str) -> bool:
    """True for one Han character or Hangul syllable."""
    return CJK_RE.fullmatch(char) is not None


def has_han(text: str) -> bool:
    """True when the text has at least one Han character."""
    return HAN_RE.search(text) is not None


def has_hangul(text: str) -> bool:
    """True when the text has at least one Hangul syllable."""
    return HANGUL_RE.search(text) is not None


def han_chars(text: str) -> str:
    """The text's Han characters, in order, nothing else."""
    return "".join(HAN_RE.findall(text))


def only(text: str, ranges: str) -> bool:
    """True when the text is one or more characters of ``ranges`` and nothing else.

    ``only(key, HAN)``, ``only(word, HANGUL)``, ``only(key, HAN + HANGUL)``; False for "".
    """
    return _run_of(ranges).fullmatch(text) is not None


@cache
def _run_of(ranges: str) -> re.Pattern[str]:
    return re.compile(f"[{ranges}]+")
