"""Okapi BM25 (Lucene variant) over token counts, as one sparse token -> documents table.

Written on numpy instead of calling bm25s: bm25s wants every document as a list of repeated
token ids, and building those lists cost more than half of the index build at 3,000 entries.
Scores equal bm25s's ``method="lucene"`` (tests/faq/test_bm25.py checks that).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int32]


Docs = Sequence[tuple[IntArray, FloatArray]]  # per document: distinct token ids, their counts


def field_weights(
    docs: Docs, vocab_size: int, k1: float = 1.2, b: float = 0.75
) -> tuple[IntArray, IntArray, FloatArray]:
    """(token, document, weight) triples of one field, Lucene's BM25."""
    n_docs = len(docs)
    sizes = np.fromiter((len(t) for t, _ in docs), dtype=np.int64, count=n_docs)
    doc = np.repeat(np.arange(n_docs, dtype=np.int32), sizes)
    tok = np.concatenate([t for t, _ in docs]) if n_docs else np.empty(0, np.int32)
    tf = np.concatenate([c for _, c in docs]) if n_docs else np.empty(0)
    length = np.bincount(doc, weights=tf, minlength=n_docs)
    avg = float(length.mean()) if n_docs and length.mean() > 0 else 1.0
    df = np.bincount(tok, minlength=vocab_size).astype(np.float64)
    idf = np.log(1 + (n_docs - df + 0.5) / (df + 0.5))
    tf /= tf + k1 * (1 - b + b * length[doc] / avg)  # in place: large FAQs, tight memory
    tf *= idf[tok]  # Lucene drops the constant (k1 + 1) factor
    return tok, doc, tf


def stable_order(keys: IntArray) -> npt.NDArray[np.intp]:
    """``np.argsort(keys, kind="stable")`` for non-negative keys, in 16-bit radix passes.

    numpy sorts 16-bit keys stably by radix sort, in linear time; wider keys fall back to a
    merge sort that took 0.25 s on a 3,000-entry FAQ's 2.7 million (token, document) pairs.
    """
    order: npt.NDArray[np.intp] = np.argsort(keys.astype(np.uint16), kind="stable")
    top = int(keys.max()) if len(keys) else 0
    shift = 16
    while top >> shift:
        digit = (keys[order] >> shift).astype(np.uint16)
        order = order[np.argsort(digit, kind="stable")]
        shift += 16
    return order


class Bm25:
    """Term weights per (token, document), stored by token for fast query scoring."""

    def __init__(self, docs: Docs, vocab_size: int, k1: float = 1.2, b: float = 0.75) -> None:
        """Index one field of documents."""
        self._build([(field_weights(docs, vocab_size, k1, b), 1.0)], len(docs), vocab_size)

    @classmethod
    def fields(cls, fields: Sequence[tuple[Docs, float]], vocab_size: int) -> Bm25:
        """One table scoring the weighted sum of several fields (one lookup per query)."""
        table = object.__new__(cls)
        n_docs = len(fields[0][0]) if fields else 0
        table._build(
            [(field_weights(docs, vocab_size), factor) for docs, factor in fields],
            n_docs,
            vocab_size,
        )
        return table

    def _build(
        self,
        parts: Sequence[tuple[tuple[IntArray, IntArray, FloatArray], float]],
        n_docs: int,
        vocab_size: int,
    ) -> None:
        self.n_docs = n_docs
        tok = np.concatenate([t for (t, _, _), _ in parts])
        order = stable_order(tok)
        self._starts = np.concatenate(([0], np.cumsum(np.bincount(tok, minlength=vocab_size))))
        del tok
        self._docs = np.concatenate([d for (_, d, _), _ in parts])[order]
        weights = np.concatenate([w for (_, _, w), _ in parts]).astype(np.float32)
        at = 0
        for (_, _, w), factor in parts:
            if factor != 1.0:
                weights[at : at + len(w)] *= factor
            at += len(w)
        # float32 halves the table of a 3,000-entry FAQ; scores need no more precision.
        self._weights = weights[order]

    def scores(self, token_ids: Sequence[int]) -> FloatArray:
        """Score of every document for a query (repeated tokens count again, as in bm25s)."""
        starts, docs, weights = self._starts, self._docs, self._weights
        spans = [(starts[t], starts[t + 1]) for t in token_ids if 0 <= t < len(starts) - 1]
        if not spans:
            return np.zeros(self.n_docs)
        picked_docs = np.concatenate([docs[a:b] for a, b in spans])
        picked_weights = np.concatenate([weights[a:b] for a, b in spans])
        out = np.bincount(picked_docs, weights=picked_weights, minlength=self.n_docs)
        return out.astype(np.float64, copy=False)  # bincount sums in float64
