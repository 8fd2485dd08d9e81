"""Place-name keys: one normal form for gazetteer names and what merchants type.

"Shēn Zhèn", "shenzhen", "深圳市" and "深圳" (市 stripped), "서울특별시" and "서울" meet at the
same keys. Both the build script and the runtime lookup use these functions, so they must not drift.
"""

from __future__ import annotations

from bot.text.normalize import normalize
from bot.text.scripts import HAN, HANGUL, is_han, only

# Administrative words after a name: stripped as an extra key, never instead of the full name
# (청도 and 沙市 stay whole: at least two characters must remain).
HAN_SUFFIXES = (
    "特别行政区", "自治州", "自治县", "自治区", "新区", "地区", "市", "省", "区", "县", "镇", "乡",
)  # fmt: skip
HANGUL_SUFFIXES = (
    "특별자치시", "특별자치도", "특별시", "광역시", "시", "군", "구", "도", "읍", "면",
)  # fmt: skip
# Place names that are also everyday words (서면: Seomyeon in Busan, and "in writing"): a place
# only where Korean puts one, before 에, 에서, 근처, 쪽, or where a sentence says "I'm in ...".
EVERYDAY_PLACE_NAMES = frozenset({"서면"})
# Latin words of the same kind, only when they stand apart ("Busan-si", "Foshan City").
LATIN_SUFFIXES = frozenset({"shi", "si", "city", "xian", "sheng", "gun", "prefecture"})


def name_key(text: str) -> str:
    """The key of a name: width, case, accents and Traditional folded; spaces and marks gone."""
    return "".join(normalize(text).split())


def name_keys(text: str) -> list[str]:
    """The key of a name, then the same without an administrative suffix (if one was there)."""
    words = normalize(text).split()
    if not words:
        return []
    key = "".join(words)
    keys = [key]
    if len(words) > 1 and words[-1] in LATIN_SUFFIXES:
        rest = "".join(words[:-1])
        if len(words) > 2 or len(rest) >= 5:  # "Shi Shi" (石狮) is not "shi"
            keys.append(rest)
    elif only(key, HAN + HANGUL):
        suffixes = HAN_SUFFIXES if is_han(key[-1]) else HANGUL_SUFFIXES
        for suffix in suffixes:
            if key.endswith(suffix) and len(key) - len(suffix) >= 2:
                keys.append(key[: -len(suffix)])
                break
    return keys


def is_latin_key(key: str) -> bool:
    """True for keys in Latin letters (the ones worth typo-tolerant matching)."""
    return key.isascii()
