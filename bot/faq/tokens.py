"""Script-aware tokens: Han/Hangul character uni+bigrams, pinyin bigrams, stemmed Latin words."""

from __future__ import annotations

import re
from functools import cache
from operator import add

import snowballstemmer

from bot.text.chinese import reading_table
from bot.text.scripts import HAN, HANGUL

_HAN_RUN_RE = re.compile(f"[{HAN}]+")
_HANGUL_RUN_RE = re.compile(f"[{HANGUL}]+")
_LATIN_RE = re.compile("[a-z]+")
_DIGITS_RE = re.compile("[0-9]+")
_stemmer = snowballstemmer.stemmer("english")


@cache
def stem(word: str) -> str:
    """English stem of a lowercase word ('payouts' -> 'payout')."""
    return str(_stemmer.stemWord(word))


def latin_words(normalized: str) -> list[str]:
    """The Latin words of normalised text, unstemmed."""
    return _LATIN_RE.findall(normalized)


def tokenize(normalized: str, *, with_pinyin: bool = True, with_chars: bool = True) -> list[str]:
    """Tokens of text already passed through ``normalize``, script by script (order is free).

    ``with_chars=False`` drops single Han/Hangul characters (kept only for runs of one), and
    ``with_pinyin=False`` the reading bigrams: long texts such as answers need neither.
    One pass per script keeps the Python work per run small: a 3,000-entry FAQ has ~10^6 runs.
    """
    out: list[str] = []
    get = reading_table().get
    for run in _HAN_RUN_RE.findall(normalized):
        if with_chars or len(run) == 1:
            out += run
        out += map(add, run, run[1:])
        if with_pinyin and len(run) > 1:
            # Homophone typos (保正金) share the reading of the word meant (保证金).
            readings: list[str] = list(map(get, run, run))
            out += map(add, map("~".__add__, readings), readings[1:])
    for run in _HANGUL_RUN_RE.findall(normalized):
        if with_chars or len(run) == 1:
            out += run
        out += map(add, run, run[1:])
    out += map(stem, _LATIN_RE.findall(normalized))
    out += _DIGITS_RE.findall(normalized)
    return out
