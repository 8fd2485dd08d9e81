"""Chinese script conversion (OpenCC) and toneless pinyin; the only module importing opencc."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib.resources import files

import opencc


@cache
def _converter(config: str) -> opencc.OpenCC:
    return opencc.OpenCC(config)


def to_simplified(text: str) -> str:
    """Traditional -> Simplified with Taiwan phrases mapped to mainland ones (視訊 -> 视频)."""
    return str(_converter("tw2sp").convert(text))


def simplified_characters(text: str) -> str:
    """Traditional -> Simplified character by character, no phrase tables (軟體 -> 软体)."""
    return str(_converter("tw2s").convert(text))


def to_traditional(text: str, region: str = "tw") -> str:
    """Simplified -> Traditional characters with Taiwan ('tw') or Hong Kong ('hk') conventions."""
    return str(_converter("s2tw" if region == "tw" else "s2hk").convert(text))


@dataclass(frozen=True)
class _SimplifiedTables:
    # scripts/build_simplified_chars.py's answers, precomputed from s2tw.
    chars: frozenset[str]  # rewritten on their own: 发, 这 (not 么)
    words: frozenset[str]  # rewritten as words only: 什么, 周期
    shared: frozenset[str]  # words that keep their characters of ``chars``: 佣金, 公里
    word_sizes: tuple[int, ...]
    shared_sizes: tuple[int, ...]


@cache
def _simplified_tables() -> _SimplifiedTables:
    data = files("bot.text").joinpath("data")
    words = frozenset(data.joinpath("simplified_words.txt").read_text(encoding="utf-8").split())
    shared = frozenset(data.joinpath("shared_words.txt").read_text(encoding="utf-8").split())
    return _SimplifiedTables(
        chars=frozenset(data.joinpath("simplified_chars.txt").read_text(encoding="utf-8").strip()),
        words=words,
        shared=shared,
        word_sizes=tuple(sorted({len(w) for w in words})),
        shared_sizes=tuple(sorted({len(w) for w in shared})),
    )


def has_simplified(han: str) -> bool:
    """True when Han text has a character or word that only Simplified writes so.

    The answer ``to_traditional(han) != han`` gives, from tables built out of OpenCC's s2tw
    (scripts/build_simplified_chars.py) so that asking does not load its ~42 MB of phrases.
    """
    t = _simplified_tables()
    if any(han[i : i + n] in t.words for i in range(len(han)) for n in t.word_sizes):
        return True
    marked = [i for i, c in enumerate(han) if c in t.chars]
    if not marked:
        return False
    # A marked character inside a shared word (佣 in 佣金) is written so in Traditional too.
    kept = {
        k
        for i in range(len(han))
        for n in t.shared_sizes
        if han[i : i + n] in t.shared
        for k in range(i, i + n)
    }
    return any(i not in kept for i in marked)


# Written Cantonese function words -> Standard Written Chinese, so that Hong Kong sellers'
# colloquial messages meet the FAQ's Mandarin phrasings. Applied to Simplified text; longest
# first so that 点样 wins over 样.
_CANTONESE = {
    "点样": "怎样",
    "点解": "为什么",
    "几时": "什么时候",
    "几耐": "多久",
    "几多": "多少",
    "系唔系": "是不是",
    "系咪": "是不是",
    "可唔可以": "可不可以",
    "有冇": "有没有",
    "使唔使": "需不需要",
    "唔该": "请",
    "乜嘢": "什么",
    "咩": "什么",
    "乜": "什么",
    "嘢": "东西",
    "冇": "没有",
    "唔": "不",
    "嘅": "的",
    "喺": "在",
    "咗": "了",
    "啲": "些",
    "佢哋": "他们",
    "我哋": "我们",
    "你哋": "你们",
    "佢": "他",
    "俾": "给",
    "畀": "给",
    "睇": "看",
    "揾": "找",
    "边度": "哪里",
    "边个": "哪个",
    "而家": "现在",
    "仲": "还",
    "咁": "这样",
    "嗰": "那",
    "呢个": "这个",
    "系": "是",
    "要点": "要怎样",
    "一次过": "一次",
    "返": "回",
    "舖": "店",
    "铺": "店",
}
_CANTONESE_RE = re.compile("|".join(sorted(map(re.escape, _CANTONESE), key=len, reverse=True)))


def cantonese_to_mandarin(text: str) -> str:
    """Replace common written-Cantonese words with their Mandarin equivalents."""
    return _CANTONESE_RE.sub(lambda m: _CANTONESE[m.group(0)], text)


@cache
def reading_table() -> dict[str, str]:
    """Han character -> toneless pinyin, for the ~21,000 characters of the basic blocks."""
    table: dict[str, str] = {}
    text = files("bot.text").joinpath("data/pinyin.txt").read_text(encoding="utf-8")
    for line in text.splitlines():
        syllable, _, chars = line.partition("\t")
        for ch in chars:
            table[ch] = syllable
    return table


def pinyin(char: str) -> str | None:
    """Toneless first reading of one Han character ('证' -> 'zheng'), None if unknown."""
    return reading_table().get(char)
