"""A deterministic stand-in encoder: character n-grams hashed into a unit vector."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

import numpy as np

from bot.faq.semantic.encoder import Vectors


class HashingEncoder:
    """Texts sharing character bigrams and trigrams get similar vectors; counts every call."""

    dim = 64

    def __init__(self, model_id: str = "hashing-test") -> None:
        self.model_id = model_id
        self.encoded: list[str] = []

    def encode(self, texts: Sequence[str]) -> Vectors:
        """One unit vector per text."""
        self.encoded.extend(texts)
        out = np.zeros((len(texts), self.dim), np.float32)
        for row, text in enumerate(texts):
            s = f" {text.lower()} "
            for n in (2, 3):
                for i in range(len(s) - n + 1):
                    h = int.from_bytes(hashlib.md5(s[i : i + n].encode()).digest()[:4], "little")
                    out[row, h % self.dim] += 1.0
            norm = float(np.linalg.norm(out[row]))
            out[row] /= norm or 1.0
        return out


class BrokenEncoder:
    """Loads, then fails on every call (a damaged engine)."""

    dim = 64
    model_id = "broken"

    def encode(self, texts: Sequence[str]) -> Vectors:
        """Always raises."""
        raise RuntimeError("engine crashed")
