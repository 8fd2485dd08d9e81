"""Sentence vectors cached on disk, keyed by model and text: a reload encodes only what changed."""

from __future__ import annotations

import hashlib
import logging
import os
import uuid
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from bot.faq.semantic.encoder import Encoder, Vectors
from bot.faq.semantic.seed import read_seed, seed_dir

log = logging.getLogger(__name__)

BATCH = 32
MAX_SHARDS = 16  # more files than this are merged into one at the next write

Progress = Callable[[int, int], None]  # (done, total)


def text_key(text: str) -> str:
    """The cache key of one text (the model is the folder)."""
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


class VectorCache:
    """Encodes texts through ``encoder``, remembering every vector in memory and on disk."""

    def __init__(
        self, encoder: Encoder, folder: Path | None, seeds: Path | None = None
    ) -> None:
        """``folder``: the cache on disk; ``seeds``: vectors shipped with the package."""
        self.encoder = encoder
        self.folder = folder / _safe(encoder.model_id) if folder else None
        self._known: dict[str, Vectors] = read_seed(
            seeds if seeds is not None else seed_dir(), encoder.model_id, encoder.dim
        )
        self._read_shards()

    def vectors(self, texts: Sequence[str], progress: Progress | None = None) -> Vectors:
        """One row per text, encoding (and storing) only the texts never seen before."""
        keys = [text_key(t) for t in texts]
        missing = list(dict.fromkeys(k for k in keys if k not in self._known))
        if missing:
            first = {k: t for k, t in zip(keys, texts, strict=True)}
            todo = [first[k] for k in missing]
            rows: list[Vectors] = []
            for start in range(0, len(todo), BATCH):
                rows.append(self.encoder.encode(todo[start : start + BATCH]))
                if progress:
                    progress(min(start + BATCH, len(todo)), len(todo))
            fresh = np.concatenate(rows)
            self._known.update(zip(missing, fresh, strict=True))
            self._write(missing, fresh)
        if not keys:
            return np.zeros((0, self.encoder.dim), np.float32)
        return np.stack([self._known[k] for k in keys])

    def missing(self, texts: Sequence[str]) -> int:
        """How many of ``texts`` would need encoding."""
        return len({text_key(t) for t in texts} - self._known.keys())

    def _read_shards(self) -> None:
        if self.folder is None or not self.folder.is_dir():
            return
        for shard in sorted(self.folder.glob("*.npz")):
            try:
                with np.load(shard) as data:
                    keys, vecs = data["keys"], data["vecs"]
                if vecs.shape[1:] != (self.encoder.dim,) or len(keys) != len(vecs):
                    raise ValueError(f"shape {vecs.shape} for {len(keys)} keys")
            except Exception as exc:  # a damaged cache costs encoding time, never an answer
                extra = {"shard": shard.name, "error": repr(exc)}
                log.warning("vector cache shard skipped", extra=extra)
                continue
            self._known.update(zip((str(k) for k in keys), vecs.astype(np.float32), strict=True))

    def _write(self, keys: list[str], vecs: Vectors) -> None:
        if self.folder is None:
            return
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            shards = sorted(self.folder.glob("*.npz"))
            if len(shards) >= MAX_SHARDS:
                keys, vecs = list(self._known), np.stack(list(self._known.values()))
            _atomic_save(self.folder, keys, vecs)
            if len(shards) >= MAX_SHARDS:
                for old in shards:
                    old.unlink(missing_ok=True)
        except OSError as exc:  # a read-only disk only costs encoding time at the next start
            log.warning("vector cache not written", extra={"error": repr(exc)})


def _atomic_save(folder: Path, keys: list[str], vecs: Vectors) -> None:
    """Write a shard under a temporary name and rename it: readers never see half a file."""
    name = f"{uuid.uuid4().hex}.npz"
    tmp = folder / f".{name}.tmp"
    with tmp.open("wb") as fh:
        np.savez(fh, keys=np.asarray(keys), vecs=vecs.astype(np.float32))
    os.replace(tmp, folder / name)


def _safe(model_id: str) -> str:
    return "".join(c if c.isalnum() or c in "-._" else "_" for c in model_id)
