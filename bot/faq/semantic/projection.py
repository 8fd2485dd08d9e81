"""A per-FAQ clean-up of encoder vectors: centred on their mean, dominant directions removed.

Sentence encoders put every sentence in a narrow cone: two unrelated seller questions score a
cosine of 0.8 with e5, and the few directions that all of them share (the topic "selling
online", the language) swamp the ones that tell entries apart. Subtracting the mean of what
this FAQ and the shipped pools hold, and projecting out the top principal directions, spreads
the cone out (the "all-but-the-top" post-processing of Mu and Viswanath, 2018). It is fitted on
the FAQ's own phrasings and the pools at each build, never on evaluation cases.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from bot.faq.semantic.encoder import Vectors

# Principal directions removed after centring.
DROP_COMPONENTS = 1


@dataclass(frozen=True)
class Projection:
    """Subtract ``mean``, remove ``components`` (orthonormal rows), renormalise."""

    mean: Vectors
    components: Vectors

    @classmethod
    def fit(cls, vectors: Vectors, drop: int = DROP_COMPONENTS) -> Projection:
        """Fit on the vectors an FAQ version holds (its phrasings and the pools)."""
        if not len(vectors):
            return cls.identity(vectors.shape[1] if vectors.ndim == 2 else 0)
        mean = vectors.mean(axis=0, dtype=np.float64)
        drop = min(drop, len(vectors) - 1)
        if drop > 0:
            # Rows of vt are the principal directions, largest variance first.
            _, _, vt = np.linalg.svd(vectors - mean, full_matrices=False)
            components = vt[:drop]
        else:
            components = np.zeros((0, vectors.shape[1]))
        return cls(mean.astype(np.float32), np.ascontiguousarray(components, dtype=np.float32))

    @classmethod
    def identity(cls, dim: int) -> Projection:
        """No change but renormalising (an empty FAQ)."""
        return cls(np.zeros(dim, np.float32), np.zeros((0, dim), np.float32))

    def apply(self, vectors: Vectors) -> Vectors:
        """Project one vector or a matrix of row vectors; rows come back unit-length."""
        x = np.atleast_2d(np.asarray(vectors, dtype=np.float32)) - self.mean
        if len(self.components):
            x = x - (x @ self.components.T) @ self.components
        norms = np.linalg.norm(x, axis=1, keepdims=True)
        out: Vectors = (x / np.maximum(norms, 1e-12)).astype(np.float32)
        return out[0] if np.ndim(vectors) == 1 else out
