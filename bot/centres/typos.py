"""Misspelt Chinese and Korean names of big cities in a centre question: "广洲", "인쳔".

Latin names are corrected by edit distance in the gazetteer, and here when the misspelt name
happens to be a village's (LatinNearMiss: "Dongguang" for Dongguan). Han and Hangul need their own
rule: a Chinese input method puts a character of the same reading in the wrong place (广洲 for
广州), and a Korean keyboard slip changes one jamo of one syllable (인쳔 for 인천). Only names
of big cities are corrected, and only when exactly one city fits (a Korean city first for a
Hangul word, as in the gazetteer), so that an ordinary word is not read as a place.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable

from rapidfuzz import process
from rapidfuzz.distance import DamerauLevenshtein

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


# A Latin name is corrected from this many letters: shorter, one edit makes another word.
LATIN_MIN_LENGTH = 5
LATIN_TWO_EDITS_FROM = 8  # two edits from eight letters ("Dongguang", "Guangzou"), else one


def latin_edits(word: str) -> int:
    """How many edits a misspelt Latin name of this length may hold (0: too short to guess)."""
    if len(word) < LATIN_MIN_LENGTH:
        return 0
    return 1 if len(word) < LATIN_TWO_EDITS_FROM else 2


class LatinNearMiss:
    """Finds the one big city a misspelt Latin name stands for, where the name as written is
    no big city ("Dongguang", a village, for Dongguan); the gazetteer's own typo-tolerant lookup
    only runs for names it does not know at all."""

    def __init__(self, names: Iterable[tuple[str, str]]) -> None:
        """``names``: (romanised name as a key, name to look up) of each big city."""
        self._names: dict[str, set[str]] = defaultdict(set)
        for key, query in names:
            if key.isascii() and key.isalpha():
                self._names[key].add(query)
        self._keys = list(self._names)

    def __call__(self, word: str) -> str | None:
        """The city's name when ``word`` is a few edits from exactly one big city, else None."""
        key = "".join(word.casefold().split())
        allowed = latin_edits(key)
        if not allowed or not key.isalpha() or key in self._names:
            return None  # a city's own name is a lookup, not a slip
        hits = process.extract(
            key, self._keys, scorer=DamerauLevenshtein.distance, score_cutoff=allowed, limit=None
        )
        if not hits:
            return None
        fewest = min(int(h[1]) for h in hits)
        found = {q for name, d, _ in hits if d == fewest for q in self._names[name]}
        return found.pop() if len(found) == 1 else None
