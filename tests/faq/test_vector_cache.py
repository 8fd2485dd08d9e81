"""Phrasing vectors are cached by model and text: a restart or reload encodes only what changed."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from bot.faq.semantic import cache as cache_module
from bot.faq.semantic.cache import VectorCache, text_key
from bot.faq.semantic.seed import seed_file, write_seed
from tests.faq.fake_encoder import HashingEncoder


def test_a_second_process_reads_vectors_instead_of_encoding(tmp_path: Path) -> None:
    first = HashingEncoder()
    v1 = VectorCache(first, tmp_path).vectors(["a", "b", "a"])
    assert first.encoded == ["a", "b"]  # a repeated text is encoded once
    again = HashingEncoder()
    v2 = VectorCache(again, tmp_path).vectors(["b", "a", "c"])
    assert again.encoded == ["c"]
    assert np.array_equal(v2[0], v1[1]) and np.array_equal(v2[1], v1[0])


def test_another_model_does_not_reuse_the_vectors(tmp_path: Path) -> None:
    VectorCache(HashingEncoder("model-a"), tmp_path).vectors(["hello"])
    other = HashingEncoder("model-b")
    VectorCache(other, tmp_path).vectors(["hello"])
    assert other.encoded == ["hello"]


def test_a_damaged_shard_costs_encoding_not_an_error(tmp_path: Path) -> None:
    enc = HashingEncoder()
    cache = VectorCache(enc, tmp_path)
    cache.vectors(["x"])
    assert cache.folder is not None
    for shard in cache.folder.glob("*.npz"):
        shard.write_bytes(b"not a numpy file")
    again = HashingEncoder()
    VectorCache(again, tmp_path).vectors(["x"])
    assert again.encoded == ["x"]


def test_many_small_writes_are_merged(tmp_path: Path, monkeypatch: object) -> None:
    enc = HashingEncoder()
    cache = VectorCache(enc, tmp_path)
    for i in range(cache_module.MAX_SHARDS + 3):
        cache.vectors([f"text {i}"])
    assert cache.folder is not None
    assert len(list(cache.folder.glob("*.npz"))) <= 4
    fresh = HashingEncoder()
    VectorCache(fresh, tmp_path).vectors([f"text {i}" for i in range(cache_module.MAX_SHARDS + 3)])
    assert fresh.encoded == []


def test_without_a_folder_vectors_live_in_memory_only(tmp_path: Path) -> None:
    enc = HashingEncoder()
    cache = VectorCache(enc, None)
    cache.vectors(["q"])
    cache.vectors(["q"])
    assert enc.encoded == ["q"] and cache.missing(["q", "r"]) == 1


def test_seeded_vectors_are_used_without_encoding(tmp_path: Path) -> None:
    texts = ["How much is the security deposit?", "保证金要交多少？"]
    maker = HashingEncoder()
    seeds = tmp_path / "seeds"
    write_seed(seeds, maker.model_id, [text_key(t) for t in texts], maker.encode(texts))
    enc = HashingEncoder()
    cache = VectorCache(enc, tmp_path / "cache", seeds=seeds)
    got = cache.vectors([*texts, "a new phrasing"])
    assert enc.encoded == ["a new phrasing"]  # only what the seed lacks is encoded
    assert np.allclose(got[:2], maker.encode(texts), atol=1e-3)  # float16 on disk
    other = HashingEncoder("another-model")  # a seed of another model is not used
    VectorCache(other, None, seeds=seeds).vectors(texts)
    assert other.encoded == texts


def test_a_damaged_seed_costs_encoding_not_an_error(tmp_path: Path) -> None:
    enc = HashingEncoder()
    seed_file(tmp_path, enc.model_id).write_bytes(b"not an npz")
    assert VectorCache(enc, None, seeds=tmp_path).vectors(["hello"]).shape == (1, enc.dim)
    assert enc.encoded == ["hello"]
