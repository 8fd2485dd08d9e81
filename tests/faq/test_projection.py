"""The per-FAQ projection: centred, dominant directions out, rows unit-length."""

from __future__ import annotations

import numpy as np
import pytest

from bot.faq.loader import load_faq
from bot.faq.semantic.fused import FusedModel
from bot.faq.semantic.projection import Projection
from bot.faq.semantic.resources import Semantics
from tests.conftest import WriteFaq
from tests.faq.fake_encoder import HashingEncoder
from tests.faq.samples import SMALL


def _cone(rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Two topics in a narrow cone: a large shared direction plus a small topic direction."""
    dim = 32
    shared = np.zeros(dim)
    shared[0] = 1.0
    topics = np.zeros((2, dim))
    topics[0, 1] = topics[1, 2] = 0.3
    rows, labels = [], []
    for label in (0, 1):
        for _ in range(20):
            v = shared * rng.uniform(0.8, 1.2) + topics[label] + rng.normal(0, 0.03, dim)
            rows.append(v / np.linalg.norm(v))
            labels.append(label)
    return np.asarray(rows, np.float32), np.asarray(labels)


def test_rows_come_back_unit_length_and_a_single_vector_stays_one() -> None:
    rng = np.random.default_rng(1)
    vectors, _ = _cone(rng)
    projection = Projection.fit(vectors, drop=1)
    out = projection.apply(vectors)
    assert out.shape == vectors.shape
    assert np.allclose(np.linalg.norm(out, axis=1), 1.0, atol=1e-5)
    one = projection.apply(vectors[0])
    assert one.shape == (vectors.shape[1],) and np.allclose(one, out[0], atol=1e-6)


def test_topics_in_a_narrow_cone_are_told_apart_after_the_projection() -> None:
    rng = np.random.default_rng(2)
    vectors, labels = _cone(rng)
    other = labels[:, None] != labels[None, :]

    def cross_topic_cosine(v: np.ndarray) -> float:
        return float((v @ v.T)[other].mean())

    before = cross_topic_cosine(vectors)
    after = cross_topic_cosine(Projection.fit(vectors, drop=0).apply(vectors))
    assert before > 0.8  # the cone: unrelated questions look alike
    assert after < 0.0  # centred: the two topics point apart


def test_removed_directions_leave_no_trace_in_projected_vectors() -> None:
    rng = np.random.default_rng(3)
    vectors = rng.normal(size=(50, 16)).astype(np.float32)
    projection = Projection.fit(vectors, drop=2)
    assert projection.components.shape == (2, 16)
    out = projection.apply(rng.normal(size=(5, 16)).astype(np.float32))
    assert np.abs(out @ projection.components.T).max() < 1e-5


def test_identity_only_renormalises() -> None:
    v = np.array([[3.0, 4.0]], np.float32)
    assert np.allclose(Projection.identity(2).apply(v), [[0.6, 0.8]])


def test_an_empty_fit_or_too_few_rows_does_not_fail() -> None:
    assert Projection.fit(np.zeros((0, 8), np.float32)).components.shape == (0, 8)
    assert Projection.fit(np.ones((1, 8), np.float32), drop=3).components.shape == (0, 8)


@pytest.mark.parametrize("question", ["How much is the security deposit?", "保证金要交多少？"])
def test_the_fused_model_projects_messages_like_its_phrasings(
    write_faq: WriteFaq, question: str
) -> None:
    """A message worded exactly as a phrasing meets it at cosine 1 in the projected space."""
    faq, problems = load_faq(write_faq(a__yaml=SMALL))
    assert faq is not None, problems
    model = FusedModel.build(faq, Semantics(HashingEncoder(), None))
    assert len(model.projection.components) >= 1
    query = model.projection.apply(model.semantics.encode_query(question))
    assert float((model.index.vectors @ query).max()) == pytest.approx(1.0, abs=1e-4)
