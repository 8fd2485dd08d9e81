"""Misspelt Chinese and Korean names of big cities in a centre question: "广洲", "인쳔".

Latin names are corrected by edit distance in the gazetteer. Han and Hangul need their own
rule: a Chinese input method puts a character of the same reading in the wrong place (广洲 for
广州), and a Korean keyboard slip changes one jamo of one syllable (인쳔 for 인천). Only names
of big cities are corrected, and only when exactly one city fits (a Korean city first for a
Hangul word, as in the gazetteer), so that an ordinary word is not read as a place.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable

from bot.text.scripts import is_hangul

HANGUL_FIRST = 0xAC00  # 가: syllables are numbered from here (initial, vowel, final)
MIN_LENGTH = 2
KOREA = "KR"


def jamo(syllable: str) -> tuple[int, int, int] | None:
    """(initial, vowel, final) indices of one Hangul syllable, None for anything else."""
    if not is_hangul(syllable):
        return None
    code = ord(syllable) - HANGUL_FIRST
    return code // (21 * 28), (code // 28) % 21, code % 28


def one_jamo_apart(a: str, b: str) -> bool:
    """True when two Hangul syllables differ in exactly one of their three parts."""
    ja, jb = jamo(a), jamo(b)
    if ja is None or jb is None:
        return False
    return sum(x != y for x, y in zip(ja, jb, strict=True)) == 1


class CjkNearMiss:
    """Finds the one big city a misspelt Han or Hangul name stands for."""

    def __init__(
        self, names: Iterable[tuple[str, str, str]], reading: Callable[[str], str | None]
    ) -> None:
        """``names``: (written name, name to look up, country); ``reading``: a Han pinyin."""
        self._reading = reading
        self._by_length: dict[int, list[tuple[str, str, str]]] = defaultdict(list)
        for written, query, country in names:
            if len(written) >= MIN_LENGTH:
                self._by_length[len(written)].append((written, query, country))

    def __call__(self, word: str) -> str | None:
        """The city's name when ``word`` is one slip away from exactly one big city, else None."""
        if len(word) < MIN_LENGTH:
            return None
        fits = [(q, c) for w, q, c in self._by_length.get(len(word), ()) if self._slip(word, w)]
        if len({q for q, _ in fits}) > 1 and jamo(word[0]) is not None:
            fits = [(q, c) for q, c in fits if c == KOREA]
        found = {q for q, _ in fits}
        return found.pop() if len(found) == 1 else None

    def _slip(self, word: str, name: str) -> bool:
        differ = [(a, b) for a, b in zip(word, name, strict=True) if a != b]
        if len(differ) != 1:
            return False
        a, b = differ[0]
        if jamo(a) is not None:
            return one_jamo_apart(a, b)
        same = self._reading(a)
        return same is not None and same == self._reading(b)
