"""Each entry's semantic score is its best phrasing's cosine."""

from __future__ import annotations

import numpy as np
import pytest

from bot.faq.semantic.index import SemanticIndex


def test_each_entry_takes_its_best_phrasing_and_empty_entries_score_lowest() -> None:
    vectors = np.array([[1, 0], [0, 1], [0.6, 0.8], [0.8, 0.6]], dtype=np.float32)
    index = SemanticIndex(vectors, [0, 0, 2, 2], entries=4)  # entries 1 and 3 have none
    scores = index.scores(np.array([1.0, 0.0], dtype=np.float32))
    assert scores.tolist() == pytest.approx([1.0, -1.0, 0.8, -1.0])


def test_phrasings_must_come_grouped_by_entry() -> None:
    with pytest.raises(ValueError):
        SemanticIndex(np.zeros((2, 2), np.float32), [1, 0], entries=2)
