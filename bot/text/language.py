"""The content languages, and a message's language by script."""

from __future__ import annotations

import re
import unicodedata
from typing import Literal, TypeGuard

from bot.text.chinese import simplified_characters
from bot.text.scripts import HAN_RE, KANA_RE, KOREAN_RE, han_chars

Lang = Literal["en", "zh", "ko"]
LANGS: tuple[Lang, ...] = ("en", "zh", "ko")

_LATIN_WORD_RE = re.compile(r"[a-z]+")


def is_lang(value: object) -> TypeGuard[Lang]:
    """True when ``value`` is one of the content languages."""
    return value in LANGS


def detect_language(text: str, hint: Lang | None = None) -> Lang:
    """The message's language by script: Hangul -> ko, Han -> zh, Latin -> en; hint breaks ties."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    hangul = len(KOREAN_RE.findall(folded))
    han = len(HAN_RE.findall(folded))
    if KANA_RE.search(folded) and han:
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
    """True when the text has Han characters that only Traditional writes that way.

    Characters, not phrases: Taiwan's phrase tables rewrite words common to both scripts
    (文件 -> 文档, 程序 -> 程式), which would read "上传文件" as Traditional.
    """
    han = han_chars(text)
    return bool(han) and simplified_characters(han) != han
