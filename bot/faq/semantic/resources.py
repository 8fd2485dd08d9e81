"""What every fused matcher shares: the encoder, its vector cache and the shipped pools."""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np

from bot.faq.semantic.cache import Progress, VectorCache
from bot.faq.semantic.encoder import Encoder, Vectors
from bot.faq.semantic.pools import PoolVectors, pool_vectors


class Semantics:
    """One per process: FAQ reloads reuse the encoder and every vector already computed."""

    def __init__(self, encoder: Encoder, cache_dir: Path | None) -> None:
        self.encoder = encoder
        self.cache = VectorCache(encoder, cache_dir)
        self._pools: dict[str, PoolVectors] | None = None
        self._lock = threading.Lock()

    @property
    def model_id(self) -> str:
        """The encoder's model, as reported on /healthz and in `ask --json`."""
        return self.encoder.model_id

    def pools(self, progress: Progress | None = None) -> dict[str, PoolVectors]:
        """The shipped pools with vectors (encoded on first use)."""
        with self._lock:
            if self._pools is None:
                self._pools = pool_vectors(self.cache, progress)
            return self._pools

    def encode_query(self, text: str) -> Vectors:
        """A merchant's message as a vector (never written to disk)."""
        return np.asarray(self.encoder.encode([text])[0], dtype=np.float32)
