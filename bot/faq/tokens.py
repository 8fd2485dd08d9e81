"""Script-aware tokens: Han/Hangul character uni+bigrams, pinyin bigrams, stemmed Latin words."""

from __future__ import annotations

import re
from functools import cache
from itertools import pairwise
from operator import add

import snowballstemmer

from bot.faq.chinese import reading_table
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


def tokenize(normalized: str, *, with_pinyin: bool = True, with_chars: bool = True) -> list[str]:
    """Tokens of text already passed through ``normalize``.

    ``with_chars=False`` drops single Han/Hangul characters (kept only for runs of one), and
    ``with_pinyin=False`` the reading bigrams: long texts such as answers need neither.
    """
    out: list[str] = []
    for match in _RUN_RE.finditer(normalized):
        run = match.group(0)
        kind = match.lastindex
        if kind == 1 or kind == 2:  # Han or Hangul: characters and character bigrams
            if with_chars or len(run) == 1:
                out += run
            out += map(add, run, run[1:])
            if kind == 1 and with_pinyin and len(run) > 1:
                # Homophone typos (保正金) share the reading of the word meant (保证金).
                get = reading_table().get
                readings = [get(ch, ch) for ch in run]
                out += ["~" + a + b for a, b in pairwise(readings)]
        elif kind == 3:
            out.append(stem(run))
        else:
            out.append(run)
    return out
