"""Repair Latin words against the FAQ's own vocabulary: typos and missing spaces."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from functools import lru_cache

from rapidfuzz import fuzz, process

MIN_FIX_LEN = 4  # shorter words have too many close neighbours to correct safely
MIN_SPLIT_LEN = 6
SIMILARITY = 84.0


class LatinVocabulary:
    """Known words; maps an unknown word to a close known one or to known parts."""

    def __init__(self, words: Iterable[str]) -> None:
        self._words = frozenset(w for w in words if len(w) > 1)
        by_initial: dict[str, list[str]] = defaultdict(list)
        for word in sorted(self._words):
            by_initial[word[0]].append(word)
        self._by_initial = dict(by_initial)
        self.repair = lru_cache(maxsize=4096)(self._repair)

    def __contains__(self, word: object) -> bool:
        return word in self._words

    def _repair(self, word: str) -> str:
        """The word itself, a corrected spelling, or known words joined by spaces."""
        if word in self._words or len(word) < MIN_FIX_LEN:
            return word
        if len(word) >= MIN_SPLIT_LEN:
            parts = self._split(word)
            if parts:
                return " ".join(parts)
        candidates = self._by_initial.get(word[0], [])
        best = process.extractOne(word, candidates, scorer=fuzz.ratio, score_cutoff=SIMILARITY)
        return str(best[0]) if best else word

    def _split(self, word: str) -> list[str] | None:
        # Fewest known parts covering the word ("howmuchdeposit" -> how much deposit).
        n = len(word)
        best: list[list[str] | None] = [None] * (n + 1)
        best[0] = []
        for end in range(1, n + 1):
            for start in range(max(0, end - 20), end):
                prev = best[start]
                piece = word[start:end]
                if prev is None or piece not in self._words:
                    continue
                if best[end] is None or len(prev) + 1 < len(best[end] or []):
                    best[end] = [*prev, piece]
        result = best[n]
        return result if result and len(result) > 1 else None
