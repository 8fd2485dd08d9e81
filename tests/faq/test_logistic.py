"""The logistic model and the cut-off search behind the calibrated decision."""

from __future__ import annotations

import numpy as np

from bot.faq.logistic import Logistic, lowest_threshold


def test_fit_separates_two_clouds_and_ranks_by_the_signal() -> None:
    rng = np.random.default_rng(7)
    x = np.vstack([rng.normal(2.0, 0.5, (200, 2)), rng.normal(-2.0, 0.5, (200, 2))])
    x[:, 1] = rng.normal(0, 1, 400)  # the second feature is noise
    y = np.array([1.0] * 200 + [0.0] * 200)
    model = Logistic.fit(x, y)
    p = model.prob(x)
    assert (p[:200] > 0.9).mean() > 0.95 and (p[200:] < 0.1).mean() > 0.95
    assert abs(model.weights[0]) > 5 * abs(model.weights[1])


def test_unbalanced_classes_are_weighted_to_even_odds() -> None:
    x = np.array([[0.0], [0.1], [0.2], [0.3], [1.0]] * 20)
    y = np.array([0.0, 0.0, 0.0, 0.0, 1.0] * 20)
    p = Logistic.fit(x, y).prob(np.array([[0.65]]))
    assert 0.3 < float(p[0]) < 0.7  # halfway between the classes is near even odds


def test_a_constant_feature_does_not_break_the_fit() -> None:
    x = np.column_stack([np.linspace(-1, 1, 50), np.ones(50)])
    y = (x[:, 0] > 0).astype(float)
    assert np.isfinite(Logistic.fit(x, y).prob(x)).all()


def test_lowest_threshold_lets_through_at_most_the_rate() -> None:
    bad = np.array([0.1, 0.2, 0.3, 0.4, 0.9])
    cut = lowest_threshold(bad, 0.2)  # one of five may pass
    assert (bad >= cut).sum() == 1 and cut > 0.4
    assert (bad >= lowest_threshold(bad, 0.0)).sum() == 0
    good = np.array([0.5] * 15)  # counted against all 20 questions, four bad may pass
    assert (bad >= lowest_threshold(bad, 0.2, good)).sum() == 4
