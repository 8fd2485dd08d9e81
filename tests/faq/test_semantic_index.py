"""Each entry's semantic score: its best phrasing's cosine averaged with its centroid's."""

from __future__ import annotations

import math

import numpy as np
import pytest

from bot.faq.semantic.index import SemanticIndex


def test_an_entry_scores_the_mean_of_its_best_phrasing_and_its_centroid() -> None:
    vectors = np.array([[1, 0], [0, 1], [0.6, 0.8], [0.8, 0.6]], dtype=np.float32)
    index = SemanticIndex(vectors, [0, 0, 2, 2], entries=4)  # entries 1 and 3 have none
    scores = index.scores(np.array([1.0, 0.0], dtype=np.float32))
    half = math.sqrt(0.5)  # both centroids point at (1, 1)
    assert scores.tolist() == pytest.approx([(1.0 + half) / 2, -1.0, (0.8 + half) / 2, -1.0])


def test_an_entry_all_about_the_question_beats_one_stray_phrasing_that_matches_it() -> None:
    s = math.sqrt(1 - 0.95**2)
    vectors = np.array([[1, 0], [0, 1], [0.95, s], [0.95, -s]], dtype=np.float32)
    index = SemanticIndex(vectors, [0, 0, 1, 1], entries=2)
    scores = index.scores(np.array([1.0, 0.0], dtype=np.float32))
    assert scores[1] > scores[0]  # entry 0 holds the exact phrasing, but is about (1, 1)


def test_an_empty_index_scores_every_entry_lowest() -> None:
    index = SemanticIndex(np.zeros((0, 2), np.float32), [], entries=3)
    assert index.scores(np.array([1.0, 0.0], dtype=np.float32)).tolist() == [-1.0] * 3


def test_phrasings_must_come_grouped_by_entry() -> None:
    with pytest.raises(ValueError):
        SemanticIndex(np.zeros((2, 2), np.float32), [1, 0], entries=2)
