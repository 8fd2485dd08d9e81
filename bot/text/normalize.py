"""Text normalisation: width, case, accents, Traditional Chinese and written Cantonese folded."""

from __future__ import annotations

import re
import unicodedata
from functools import partial

from bot.text.chinese import cantonese_to_mandarin, to_simplified
from bot.text.scripts import HAN, HANGUL, has_han

# Characters that appear (almost) only in written Cantonese; their presence switches on the
# Cantonese word map, so that Mandarin 系/返 are left alone.
_CANTONESE_HINT_RE = re.compile("[唔嘅喺咗啲冇咩嘢佢哋俾畀睇揾嗰咁]|系唔系|系咪|点样|几耐")
# Anything that is not a letter or digit of the scripts we match becomes a space.
_NOISE_RE = re.compile(f"[^0-9a-z{HAN}{HANGUL}]+")


_ACCENTED_RE = re.compile("[\u00c0-\u024f\u1e00-\u1eff]")


def _fold_latin(match: re.Match[str]) -> str:
    # Strip accents (pinyin tones, café) without decomposing Hangul syllables.
    return unicodedata.normalize("NFD", match.group(0))[0]


_nfkc = partial(unicodedata.normalize, "NFKC")


def _fold(text: str) -> tuple[str, bool]:
    # Everything after NFKC but the noise; also tells whether Cantonese was converted.
    text = _ACCENTED_RE.sub(_fold_latin, text.casefold())
    cantonese = False
    if has_han(text):
        text = to_simplified(text)
        if _CANTONESE_HINT_RE.search(text):
            cantonese = True
            text = cantonese_to_mandarin(text)
    return text, cantonese


def _clean(text: str) -> tuple[str, bool]:
    folded, cantonese = _fold(text)
    return _NOISE_RE.sub(" ", folded).strip(), cantonese


def fold(text: str) -> str:
    """Fold width, case, accents, Traditional Chinese and written Cantonese; keep punctuation."""
    return _fold(_nfkc(text))[0]


def normalize(text: str) -> str:
    """Fold width, case, accents and Traditional Chinese; punctuation and emoji become spaces."""
    return _clean(_nfkc(text))[0]


def normalize_many(texts: list[str]) -> str:
    """Several texts normalised into one, space-separated (same tokens as one by one).

    One call per FAQ entry instead of one per phrasing. A space breaks every script's runs, so
    no bigram spans two texts; Cantonese conversion stays per text (it would rewrite Mandarin).
    """
    # NFKC text by text: most phrasings are already NFKC and pass its quick check, where one
    # full-width question mark would send the whole joined entry down the slow path. A space
    # never composes with a neighbour, so the result is the same.
    joined, cantonese = _clean(" \n ".join(map(_nfkc, texts)))
    # Cleaning only turns characters into spaces: no Cantonese hint before, none after.
    if cantonese and _CANTONESE_HINT_RE.search(joined):
        return " ".join(normalize(t) for t in texts)
    return joined
