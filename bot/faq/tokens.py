"""Script-aware tokens: Han/Hangul character uni+bigrams, pinyin bigrams, stemmed Latin words."""

from __future__ import annotations

import re
from functools import cache

import snowballstemmer

from bot.faq.chinese import pinyin
from bot.faq.text import HAN, HANGUL

_RUN_RE = re.compile(f"([{HAN}]+)|([{HANGUL}]+)|([a-z]+)|([0-9]+)")
_stemmer = snowballstemmer.stemmer("english")


@cache
def stem(word: str) -> str:
    """English stem of a lowercase word ('payouts' -> 'payout')."""
    return str(_stemmer.stemWord(word))


def latin_words(normalized: str) -> list[str]:
    """The Latin words of normalised text, unstemmed."""
    return re.findall(r"[a-z]+", normalized)


def tokenize(normalized: str) -> list[str]:
    """Tokens of text already passed through ``normalize``."""
    out: list[str] = []
    for han, hangul, latin, digits in _RUN_RE.findall(normalized):
        if han:
            out.extend(han)
            out.extend(han[i : i + 2] for i in range(len(han) - 1))
            out.extend(_pinyin_bigrams(han))
        elif hangul:
            out.extend(hangul)
            out.extend(hangul[i : i + 2] for i in range(len(hangul) - 1))
        elif latin:
            out.append(stem(latin))
        else:
            out.append(digits)
    return out


def _pinyin_bigrams(run: str) -> list[str]:
    # Homophone typos (保正金) share the reading of the word meant (保证金).
    readings = [pinyin(ch) or ch for ch in run]
    return [f"~{a}{b}" for a, b in zip(readings, readings[1:], strict=False)]
