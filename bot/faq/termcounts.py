"""Token ids and per-text token counts for the index build, each distinct chunk tokenised once."""

from __future__ import annotations

from itertools import chain

import numpy as np
import numpy.typing as npt

from bot.faq.tokens import tokenize

IntArray = npt.NDArray[np.int32]
FloatArray = npt.NDArray[np.float64]


class _Ids(dict[str, int]):
    # A new token takes the next id, so known ones are looked up by ``map`` without Python code.
    def __missing__(self, token: str) -> int:
        self[token] = n = len(self)
        return n


class _ChunkIds(dict[str, list[int]]):
    # Chunk -> its token ids, filled on first sight.
    def __init__(self, ids: _Ids, *, with_pinyin: bool, with_chars: bool) -> None:
        super().__init__()
        self._ids = ids
        self._with_pinyin = with_pinyin
        self._with_chars = with_chars

    def __missing__(self, chunk: str) -> list[int]:
        tokens = tokenize(chunk, with_pinyin=self._with_pinyin, with_chars=self._with_chars)
        found = self[chunk] = list(map(self._ids.__getitem__, tokens))
        return found


class TermCounter:
    """Interns tokens to dense ids and counts them per text, for building an index.

    No token spans whitespace (every script's run stops there), so a text's tokens are those of
    its whitespace-separated chunks. A 3,000-entry FAQ has ~1.4 million chunks but only ~40,000
    distinct ones: each is tokenised once, and counting the rest is C-level work on ids.
    """

    def __init__(self) -> None:
        self._ids = _Ids()
        self._chunks: dict[tuple[bool, bool], _ChunkIds] = {}

    def vocab(self) -> dict[str, int]:
        """Token -> id of every token counted so far (dense ids, in order of first sight)."""
        return dict(self._ids)

    def count(
        self, normalized: str, *, with_pinyin: bool = True, with_chars: bool = True
    ) -> tuple[IntArray, FloatArray]:
        """The distinct token ids of normalised text, ascending, and how often each occurs."""
        chunks = self._chunks.get((with_pinyin, with_chars))
        if chunks is None:
            chunks = _ChunkIds(self._ids, with_pinyin=with_pinyin, with_chars=with_chars)
            self._chunks[with_pinyin, with_chars] = chunks
        tokens = chain.from_iterable(map(chunks.__getitem__, normalized.split()))
        ids = np.fromiter(tokens, dtype=np.int32)
        distinct, counts = np.unique(ids, return_counts=True)
        return distinct, counts.astype(np.float64)
