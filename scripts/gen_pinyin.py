"""Regenerate bot/text/data/pinyin.txt from pypinyin's single-character readings.

The bot needs only the toneless first reading of each common Han character (to match
homophone typos such as 保正金 for 保证金). pypinyin itself costs ~55 MB of RSS at import, so
the table is generated once here and shipped as ~70 KB of text.
"""

from __future__ import annotations

import sys
import unicodedata
from collections import defaultdict
from pathlib import Path

from pypinyin.pinyin_dict import pinyin_dict

OUT = Path(__file__).resolve().parent.parent / "bot" / "text" / "data" / "pinyin.txt"


def toneless(reading: str) -> str:
    """'zhèng' -> 'zheng', 'lǜ' -> 'lv'."""
    decomposed = unicodedata.normalize("NFD", reading.replace("ü", "v"))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def main() -> int:
    """Write the table: one line per syllable, then the characters read that way."""
    by_syllable: dict[str, list[str]] = defaultdict(list)
    for code, readings in sorted(pinyin_dict.items()):
        if 0x3400 <= code <= 0x9FFF:
            by_syllable[toneless(readings.split(",")[0])].append(chr(code))
    lines = [f"{syl}\t{''.join(chars)}" for syl, chars in sorted(by_syllable.items())]
    OUT.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"wrote {OUT} ({len(lines)} syllables)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
