"""Our BM25 table against the bm25s reference implementation (Lucene variant)."""

from __future__ import annotations

import random
from collections import Counter

import bm25s
import numpy as np

from bot.faq.bm25 import Bm25, stable_order


def _as_counts(doc: list[int]) -> tuple[np.ndarray, np.ndarray]:
    counts = Counter(doc)
    return (
        np.fromiter(counts, dtype=np.int32, count=len(counts)),
        np.fromiter(counts.values(), dtype=np.float64, count=len(counts)),
    )


def test_scores_equal_bm25s_lucene() -> None:
    rng = random.Random(3)
    vocab_size = 60
    docs = [[rng.randrange(vocab_size) for _ in range(rng.randint(1, 40))] for _ in range(80)]
    ours = Bm25([_as_counts(d) for d in docs], vocab_size)
    reference = bm25s.BM25(method="lucene", k1=1.2, b=0.75)
    vocab = {str(i): i for i in range(vocab_size)}
    reference.index(([list(d) for d in docs], vocab), show_progress=False)
    for _ in range(20):
        query = [rng.randrange(vocab_size) for _ in range(rng.randint(1, 6))]
        expected = reference.get_scores_from_ids(query)
        np.testing.assert_allclose(ours.scores(query), expected, rtol=1e-5, atol=1e-6)


def test_unknown_and_empty_queries_score_zero() -> None:
    table = Bm25([_as_counts([0, 1, 1]), _as_counts([2])], vocab_size=3)
    assert table.scores([]).tolist() == [0.0, 0.0]
    assert table.scores([1])[0] > 0 and table.scores([1])[1] == 0
    assert table.scores([2, 2])[1] == 2 * table.scores([2])[1]  # repeats count again


def test_merged_fields_score_as_the_weighted_sum() -> None:
    rng = random.Random(5)
    a = [_as_counts([rng.randrange(30) for _ in range(12)]) for _ in range(10)]
    b = [_as_counts([rng.randrange(30) for _ in range(40)]) for _ in range(10)]
    first, second = Bm25(a, 30), Bm25(b, 30)
    merged = Bm25.fields([(a, 1.0), (b, 0.35)], 30)
    for query in ([1, 2, 3], [4, 4], [29]):
        np.testing.assert_allclose(
            merged.scores(query), first.scores(query) + 0.35 * second.scores(query)
        )


def test_stable_order_equals_a_stable_argsort() -> None:
    rng = np.random.default_rng(7)
    for top in (1, 2, 300, 65_536, 70_000, 2**31 - 1):
        for size in (0, 1, 5, 5_000):
            keys = rng.integers(0, top, size).astype(np.int32)
            assert (stable_order(keys) == np.argsort(keys, kind="stable")).all(), (top, size)
