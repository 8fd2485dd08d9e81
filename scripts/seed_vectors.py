"""Encode the shipped pools and FAQ with the default encoder into bot/faq/data/vectors/.

Run at release time, after editing the pools or the shipped FAQ (a stale seed only costs
encoding time at start-up: the cache encodes what the seed lacks):

    .venv/bin/python -m scripts.seed_vectors
"""

from __future__ import annotations

import sys
from pathlib import Path

from bot.faq.loader import load_faq
from bot.faq.semantic.cache import VectorCache, text_key
from bot.faq.semantic.encoder import load_encoder
from bot.faq.semantic.index import entry_texts
from bot.faq.semantic.pools import packaged_pools
from bot.faq.semantic.seed import seed_dir, write_seed

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    """Write the seed file for the default encoder."""
    encoder, status = load_encoder("e5")
    if encoder is None:
        print(f"no encoder: {status.detail}", file=sys.stderr)
        return 1
    faq, problems = load_faq(ROOT / "faq")
    if faq is None:
        print(f"the shipped FAQ does not load: {problems[:1]}", file=sys.stderr)
        return 1
    texts = [t for pool in packaged_pools().values() for t in pool.texts]
    texts += entry_texts(faq)[0]
    texts = list(dict.fromkeys(texts))
    cache = VectorCache(encoder, None, seeds=Path("/nonexistent"))  # encode everything afresh
    vecs = cache.vectors(texts)

    path = write_seed(seed_dir(), encoder.model_id, [text_key(t) for t in texts], vecs)
    print(f"{path}: {len(texts)} vectors, {path.stat().st_size // 1024} KiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
