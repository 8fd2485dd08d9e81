"""Okapi BM25 (Lucene variant) over token counts, as one sparse token -> documents table.

Written on numpy instead of calling bm25s: bm25s wants every document as a list of repeated
token ids, and building those lists cost more than half of the index build at 3,000 entries.
Scores equal bm25s's ``method="lucene"`` (tests/test_bm25.py checks that).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int32]


class Bm25:
    """Term weights per (token, document), stored by token for fast query scoring."""

    def __init__(
        self,
        docs: Sequence[tuple[IntArray, FloatArray]],
        vocab_size: int,
        k1: float = 1.2,
        b: float = 0.75,
    ) -> None:
        """Index documents given as (distinct token ids, their counts) pairs."""
        n_docs = len(docs)
        self.n_docs = n_docs
        sizes = np.fromiter((len(t) for t, _ in docs), dtype=np.int64, count=n_docs)
        doc = np.repeat(np.arange(n_docs, dtype=np.int32), sizes)
        tok = np.concatenate([t for t, _ in docs]) if n_docs else np.empty(0, np.int32)
        tf = np.concatenate([c for _, c in docs]) if n_docs else np.empty(0)
        length = np.bincount(doc, weights=tf, minlength=n_docs)
        avg = float(length.mean()) if n_docs and length.mean() > 0 else 1.0
        df = np.bincount(tok, minlength=vocab_size).astype(np.float64)
        idf = np.log(1 + (n_docs - df + 0.5) / (df + 0.5))
        norm = tf + k1 * (1 - b + b * length[doc] / avg)
        weight = idf[tok] * tf / norm  # Lucene drops the constant (k1 + 1) factor
        self._set(tok, doc, weight, vocab_size)

    def _set(self, tok: IntArray, doc: IntArray, weight: FloatArray, vocab_size: int) -> None:
        order = np.argsort(tok, kind="stable")
        self._tok = tok[order]
        self._docs = doc[order]
        self._weights = weight[order]
        self._starts = np.concatenate(([0], np.cumsum(np.bincount(tok, minlength=vocab_size))))

    def plus(self, other: Bm25, factor: float) -> Bm25:
        """One table scoring ``self + factor * other`` (fields merged: one lookup per query)."""
        merged = object.__new__(Bm25)
        merged.n_docs = self.n_docs
        merged._set(
            np.concatenate((self._tok, other._tok)),
            np.concatenate((self._docs, other._docs)),
            np.concatenate((self._weights, factor * other._weights)),
            len(self._starts) - 1,
        )
        return merged

    def scores(self, token_ids: Sequence[int]) -> FloatArray:
        """Score of every document for a query (repeated tokens count again, as in bm25s)."""
        starts, docs, weights = self._starts, self._docs, self._weights
        spans = [(starts[t], starts[t + 1]) for t in token_ids if 0 <= t < len(starts) - 1]
        if not spans:
            return np.zeros(self.n_docs)
        picked_docs = np.concatenate([docs[a:b] for a, b in spans])
        picked_weights = np.concatenate([weights[a:b] for a, b in spans])
        out = np.bincount(picked_docs, weights=picked_weights, minlength=self.n_docs)
        return out.astype(np.float64, copy=False)
