"""The semantic half of a matcher: an FAQ's phrasing vectors and its calibrated decision."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from bot.faq.index import Lexicon
from bot.faq.lexical import LexicalRanking
from bot.faq.model import Faq
from bot.faq.semantic.cache import Progress
from bot.faq.semantic.calibration import Calibration, Rates, calibrate
from bot.faq.semantic.evidence import Evidence, gather
from bot.faq.semantic.index import SemanticIndex, entry_texts
from bot.faq.semantic.pools import PoolVectors
from bot.faq.semantic.projection import Projection
from bot.faq.semantic.resources import Semantics

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class FusedModel:
    """Everything the fused decision needs for one FAQ version."""

    semantics: Semantics
    projection: Projection  # applied to every vector: phrasings, pools, messages
    index: SemanticIndex
    pools: dict[str, PoolVectors]  # projected
    calibration: Calibration
    escalates: npt.NDArray[np.bool_]
    ids: list[str]

    @classmethod
    def build(
        cls,
        faq: Faq,
        semantics: Semantics,
        progress: Progress | None = None,
        rates: Rates | None = None,
        lexicon: Lexicon | None = None,
    ) -> FusedModel:
        """Encode what is not cached yet, then calibrate on the FAQ's own phrasings.

        ``lexicon``: the hand lists of the matcher's lexical ranker (the shipped ones by default).
        """
        started = time.perf_counter()
        shipped = semantics.pools(progress)
        texts, owners = entry_texts(faq)
        phrasings = semantics.cache.vectors(texts, progress)
        projection = Projection.fit(
            np.vstack([phrasings, *(pv.vectors for pv in shipped.values())])
        )
        index = SemanticIndex(projection.apply(phrasings), owners, len(faq))
        pools = {
            name: PoolVectors(pv.pool, projection.apply(pv.vectors)) for name, pv in shipped.items()
        }
        calibration = calibrate(faq, index, owners, pools, rates, lexicon)
        log.info(
            "semantic index ready",
            extra={
                "entries": len(faq),
                "phrasings": len(texts),
                "calibration_questions": calibration.questions,
                "seconds": round(time.perf_counter() - started, 2),
            },
        )
        escalates = np.array([e.escalate for e in faq], dtype=bool)
        return cls(
            semantics, projection, index, pools, calibration, escalates, [e.id for e in faq]
        )

    def evidence(self, text: str, lexical: LexicalRanking) -> Evidence:
        """Encode the message and gather what the decision needs."""
        vector = self.projection.apply(self.semantics.encode_query(text))
        return gather(
            lexical, self.index.scores(vector), vector, self.pools, self.escalates, self.ids
        )
