"""Labelled sentences shipped with the package: what an FAQ is not, and what needs a person."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib.resources import files

import numpy as np
import yaml

from bot.faq.semantic.cache import Progress, VectorCache
from bot.faq.semantic.encoder import Vectors


@dataclass(frozen=True)
class Pool:
    """Example sentences with a label each (a category, a kind of small talk)."""

    texts: tuple[str, ...]
    labels: tuple[str, ...]


@dataclass(frozen=True)
class PoolVectors:
    """A pool with its vectors."""

    pool: Pool
    vectors: Vectors

    def best(self, query: Vectors) -> tuple[float, str]:
        """The highest similarity in the pool and that example's label."""
        if not len(self.vectors):
            return 0.0, ""
        sims = self.vectors @ query
        at = int(np.argmax(sims))
        return float(sims[at]), self.pool.labels[at]

    def half(self, part: int) -> PoolVectors:
        """Every other example (part 0 or 1): calibration queries one half against the other."""
        keep = np.arange(len(self.pool.texts)) % 2 == part
        texts = tuple(t for t, k in zip(self.pool.texts, keep, strict=True) if k)
        labels = tuple(lb for lb, k in zip(self.pool.labels, keep, strict=True) if k)
        return PoolVectors(Pool(texts, labels), self.vectors[keep])


def _read(name: str) -> object:
    path = files("bot.faq").joinpath(f"data/{name}.yaml")
    return yaml.safe_load(path.read_text("utf-8")) if path.is_file() else None


def _flatten(by_lang: object, label: str) -> list[tuple[str, str]]:
    if not isinstance(by_lang, dict):
        return []
    return [(str(t), label) for texts in by_lang.values() for t in (texts or [])]


@cache
def packaged_pools() -> dict[str, Pool]:
    """The shipped pools: out-of-scope, compliance, small talk, vague help, centre questions."""
    raw_oos = _read("outofscope")
    raw_comp = _read("compliance_prototypes")
    raw_talk = _read("smalltalk")
    raw_vague = _read("vague_help")
    pairs: dict[str, list[tuple[str, str]]] = {
        "outofscope": _flatten(raw_oos["texts"], "outofscope") if isinstance(raw_oos, dict) else [],
        "compliance": [],
        "smalltalk": [],
        "vague": [],
        "centre": [],
    }
    if isinstance(raw_comp, dict):
        for category, spec in raw_comp["categories"].items():
            pairs["compliance"] += _flatten(spec.get("examples"), category)
    if isinstance(raw_talk, dict):
        for kind, by_lang in raw_talk["kinds"].items():
            pairs["smalltalk"] += _flatten(by_lang, kind)
    if isinstance(raw_vague, dict):
        pairs["vague"] = _flatten(raw_vague.get("texts"), "vague")
        pairs["centre"] = _flatten(raw_vague.get("centre_question"), "centre")
    return {
        name: Pool(tuple(t for t, _ in items), tuple(lb for _, lb in items))
        for name, items in pairs.items()
    }


def pool_vectors(cache_: VectorCache, progress: Progress | None = None) -> dict[str, PoolVectors]:
    """Every shipped pool with its vectors (encoded once, then read from the cache)."""
    pools = packaged_pools()
    texts = [t for pool in pools.values() for t in pool.texts]
    vectors = cache_.vectors(texts, progress)
    out: dict[str, PoolVectors] = {}
    start = 0
    for name, pool in pools.items():
        out[name] = PoolVectors(pool, vectors[start : start + len(pool.texts)])
        start += len(pool.texts)
    return out
