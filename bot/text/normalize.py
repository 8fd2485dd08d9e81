"""Text normalisation and script-based language detection."""

from __future__ import annotations

import re
import unicodedata
from functools import partial

from bot.faq.chinese import cantonese_to_mandarin, to_simplified
from bot.faq.model import Lang

HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
HANGUL = "\uac00-\ud7a3"
_HAN_RE = re.compile(f"[{HAN}]")
_HANGUL_RE = re.compile(f"[{HANGUL}\u1100-\u11ff\u3130-\u318f]")
_LATIN_WORD_RE = re.compile(r"[a-z]+")
_KANA_RE = re.compile("[\u3040-\u30ff]")
# Anything that is not a letter or digit of the scripts we match becomes a space.
# Characters that appear (almost) only in written Cantonese; their presence switches on the
# Cantonese word map, so that Mandarin 系/返 are left alone.
_CANTONESE_HINT_RE = re.compile("[唔嘅喺咗啲冇咩嘢佢哋俾畀睇揾嗰咁]|系唔系|系咪|点样|几耐")
_NOISE_RE = re.compile(f"[^0-9a-z{HAN}{HANGUL}]+")


_ACCENTED_RE = re.compile("[\u00c0-\u024f\u1e00-\u1eff]")


def _fold_latin(match: re.Match[str]) -> str:
    # Strip accents (pinyin tones, café) without decomposing Hangul syllables.
    return unicodedata.normalize("NFD", match.group(0))[0]


_nfkc = partial(unicodedata.normalize, "NFKC")


def _clean(text: str) -> tuple[str, bool]:
    # Everything after NFKC; also tells whether Cantonese was converted.
    text = _ACCENTED_RE.sub(_fold_latin, text.casefold())
    cantonese = False
    if _HAN_RE.search(text):
        text = to_simplified(text)
        if _CANTONESE_HINT_RE.search(text):
            cantonese = True
            text = cantonese_to_mandarin(text)
    return _NOISE_RE.sub(" ", text).strip(), cantonese


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


def detect_language(text: str, hint: Lang | None = None) -> Lang:
    """The message's language by script: Hangul -> ko, Han -> zh, Latin -> en; hint breaks ties."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    hangul = len(_HANGUL_RE.findall(folded))
    han = len(_HAN_RE.findall(folded))
    if _KANA_RE.search(folded) and han:
        han = 0  # Japanese: not a content language; Latin words or the hint decide.
    latin_words = len(_LATIN_WORD_RE.findall(folded))
    # A Han character carries about half an English word; a Hangul syllable about a third.
    weights: dict[Lang, float] = {"ko": hangul / 2.5, "zh": han / 1.8, "en": float(latin_words)}
    best = max(weights.values())
    if best == 0:
        return hint or "en"
    leaders = [lang for lang, w in weights.items() if w == best]
    if hint in leaders:
        return hint
    if hangul and weights["ko"] * 3 >= best:
        return "ko"  # Korean with English words (KC인증, VAT 신고) is still Korean.
    if han and weights["zh"] * 3 >= best:
        return "zh"
    return leaders[0]


def is_traditional(text: str) -> bool:
    """True when the text has Han characters that change under Traditional -> Simplified."""
    han = "".join(_HAN_RE.findall(text))
    return bool(han) and to_simplified(han) != han
