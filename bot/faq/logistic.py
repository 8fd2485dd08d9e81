"""A small L2-regularised logistic regression, fitted with Newton steps (numpy only)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class Logistic:
    """P(label) = sigmoid(w . standardised(x) + b)."""

    weights: FloatArray
    bias: float
    mean: FloatArray
    scale: FloatArray

    @classmethod
    def fit(cls, x: FloatArray, y: FloatArray, l2: float = 1.0, steps: int = 25) -> Logistic:
        """Fit on rows ``x`` and 0/1 labels ``y`` (both classes must be present)."""
        mean = x.mean(axis=0)
        scale = x.std(axis=0)
        scale[scale < 1e-9] = 1.0
        z = np.hstack([(x - mean) / scale, np.ones((len(x), 1))])
        w = np.zeros(z.shape[1])
        # Classes are balanced by weight: the out-of-scope corpus and the FAQ differ in size.
        pos = max(float(y.sum()), 1.0)
        neg = max(float(len(y) - y.sum()), 1.0)
        sample = np.where(y > 0.5, len(y) / (2 * pos), len(y) / (2 * neg))
        reg = np.full(z.shape[1], l2)
        reg[-1] = 0.0  # the bias is not shrunk
        for _ in range(steps):
            p = _sigmoid(z @ w)
            grad = z.T @ (sample * (p - y)) + reg * w
            hess = (z * (sample * p * (1 - p))[:, None]).T @ z + np.diag(reg + 1e-9)
            step = np.linalg.solve(hess, grad)
            w -= step
            if float(np.abs(step).max()) < 1e-8:
                break
        return cls(w[:-1], float(w[-1]), mean, scale)

    def prob(self, x: FloatArray) -> FloatArray:
        """P(label) for each row of ``x`` (or for one feature vector)."""
        return _sigmoid(((x - self.mean) / self.scale) @ self.weights + self.bias)


def _sigmoid(v: FloatArray) -> FloatArray:
    return np.asarray(1.0 / (1.0 + np.exp(-np.clip(v, -50, 50))))


def lowest_threshold(
    scores_bad: FloatArray, max_rate: float, scores_good: FloatArray | None = None
) -> float:
    """The lowest cut-off that lets through at most ``max_rate`` of the bad scores.

    With ``scores_good`` the rate is counted against ``len(scores_good) + len(scores_bad)``
    (wrong answers among all questions); without, against the bad ones alone.
    """
    total = len(scores_bad) + (len(scores_good) if scores_good is not None else 0)
    if not len(scores_bad) or total == 0:
        return 0.5
    allowed = int(np.floor(max_rate * total))
    ordered = np.sort(scores_bad)[::-1]
    if allowed >= len(ordered):
        return 0.0
    # Strictly above the (allowed+1)-th highest bad score.
    return float(np.nextafter(ordered[allowed], 1.0))
