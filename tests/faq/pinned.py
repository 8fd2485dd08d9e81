"""The matcher with the encoder (a hashing stand-in) and its probabilities pinned, so a test
sees one rule of the fused decision at a time."""

from __future__ import annotations

import math

import numpy as np

from bot.faq.logistic import Logistic
from bot.faq.matcher import Matcher
from bot.faq.semantic.calibration import Calibration, Model
from bot.faq.semantic.fused import FusedModel
from bot.faq.semantic.index import SemanticIndex, entry_texts
from bot.faq.semantic.projection import Projection
from bot.faq.semantic.resources import Semantics

RIGHT_CUTOFF = 0.6  # the encoder's answer cut-off in these tests (a fitted one in service)


def pinned(p: float, cutoff: float, features: int) -> Model:
    """A model that says ``p`` whatever it is shown."""
    logit = math.log(p / (1 - p))
    return Model(Logistic(np.zeros(features), logit, np.zeros(features), np.ones(features)), cutoff)


def fused_matcher(
    base: Matcher,
    semantics: Semantics,
    *,
    right: float,
    in_scope: float,
    compliance: float = 0.01,
    smalltalk: float = 0.01,
    vague: float = 0.01,
) -> Matcher:
    """``base`` deciding with the encoder too, each of its models pinned to the probability
    given (sure of the top entry with probability ``right``)."""
    faq = base.faq
    texts, owners = entry_texts(faq)
    index = SemanticIndex(semantics.cache.vectors(texts), owners, len(faq))
    cal = Calibration(
        right=pinned(right, RIGHT_CUTOFF, 8),
        in_scope=pinned(in_scope, 0.55, 8),
        compliance=pinned(compliance, 0.5, 5),
        smalltalk=pinned(smalltalk, 0.5, 2),
        vague=pinned(vague, 0.5, 2),
        questions=0,
    )
    model = FusedModel(
        semantics, Projection.identity(index.vectors.shape[1]), index, semantics.pools(), cal,
        np.array([e.escalate for e in faq]), [e.id for e in faq],
    )  # fmt: skip
    return base.with_fused(model)
