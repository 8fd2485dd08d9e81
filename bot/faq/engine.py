"""Building a matcher: lexical at once, fused when an encoder is available."""

from __future__ import annotations

import os
from pathlib import Path

from bot.faq.matcher import Matcher
from bot.faq.model import Faq
from bot.faq.semantic.cache import Progress
from bot.faq.semantic.encoder import EncoderStatus, load_encoder
from bot.faq.semantic.fused import FusedModel
from bot.faq.semantic.resources import Semantics

DEFAULT_ENCODER = "e5"
DEFAULT_CACHE_DIR = Path("data/vectors")


def semantics_for(
    encoder: str = DEFAULT_ENCODER, cache_dir: Path | None = DEFAULT_CACHE_DIR
) -> tuple[Semantics | None, EncoderStatus]:
    """The shared semantic resources, or None (and why) when the encoder cannot load."""
    loaded, status = load_encoder(encoder)
    return (Semantics(loaded, cache_dir) if loaded else None), status


def cli_semantics(encoder: str | None = None) -> tuple[Semantics | None, EncoderStatus]:
    """Semantics for a command-line run: settings from MATCHER_ENCODER and VECTOR_CACHE_DIR."""
    name = encoder if encoder is not None else os.environ.get("MATCHER_ENCODER", DEFAULT_ENCODER)
    cache = os.environ.get("VECTOR_CACHE_DIR")
    return semantics_for(name, Path(cache) if cache else DEFAULT_CACHE_DIR)


def build_matcher(
    faq: Faq, semantics: Semantics | None, progress: Progress | None = None
) -> Matcher:
    """A fused matcher when ``semantics`` is given, else the lexical one."""
    matcher = Matcher(faq)
    if semantics is None:
        return matcher
    return matcher.with_fused(FusedModel.build(faq, semantics, progress))
