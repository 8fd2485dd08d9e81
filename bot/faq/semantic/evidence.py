"""What the fused decision looks at for one message: both rankers and the shipped pools."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from bot.faq.lexical import LexicalRanking, top_positions
from bot.faq.semantic.encoder import Vectors
from bot.faq.semantic.pools import PoolVectors

FloatArray = npt.NDArray[np.float64]

# BM25's weight next to the encoder in the z-score fusion (measured on the development case
# files: 0.5 ranks best there; 0.3-1.0 are within a point).
LEXICAL_WEIGHT = 0.5
TOP = 3


def zscores(values: FloatArray) -> FloatArray:
    """Scores as standard deviations from this message's mean over all entries."""
    if len(values) < 2:
        return np.zeros_like(values)
    spread = float(values.std())
    return (values - values.mean()) / spread if spread > 1e-12 else np.zeros_like(values)


@dataclass(frozen=True)
class Evidence:
    """Fused ranking and the feature vectors of every decision."""

    order: tuple[int, ...]  # entry positions by fused score, best first
    fused: tuple[float, ...]  # their fused scores
    semantic: tuple[float, ...]  # their semantic scores
    answer: FloatArray  # features of "the top entry is the answer"
    compliance: FloatArray  # features of "a compliance matter"
    smalltalk: FloatArray  # features of "small talk"
    vague: FloatArray  # features of "a vague cry for help"
    compliance_label: str  # the nearest compliance category
    smalltalk_label: str  # the nearest kind of small talk


def gather(
    lexical: LexicalRanking,
    semantic: FloatArray,
    query: Vectors,
    pools: dict[str, PoolVectors],
    escalates: npt.NDArray[np.bool_],
    ids: list[str],
) -> Evidence:
    """Fuse the rankers and measure the message against every pool."""
    fused = zscores(semantic) + LEXICAL_WEIGHT * zscores(lexical.bm25)
    order = [int(p) for p in top_positions(fused, TOP)]
    top = order[0]
    second = order[1] if len(order) > 1 else top
    others = np.delete(semantic, top)
    s1 = float(semantic[top])
    s2 = float(others.max()) if len(others) else 0.0
    oos, _ = pools["outofscope"].best(query)
    talk, talk_label = pools["smalltalk"].best(query)
    vague, _ = pools["vague"].best(query)
    comp_pool, comp_label = pools["compliance"].best(query)
    escalating = semantic[escalates]
    plain = semantic[~escalates]
    comp = max(comp_pool, float(escalating.max()) if len(escalating) else 0.0)
    inscope = float(plain.max()) if len(plain) else 0.0
    lex_top = lexical.ranked[0][0].faq_id if lexical.ranked else None
    lexconf = lexical.confidence_of(ids[top])
    answer = np.array(
        [
            s1,
            s1 - s2,
            float(fused[top] - fused[second]) if second != top else 1.0,
            lexconf,
            1.0 if lex_top == ids[top] else 0.0,
            s1 - oos,
            s1 - talk,
            lexical.unknown,
        ]
    )
    best_any = float(semantic.max()) if len(semantic) else 0.0
    return Evidence(
        order=tuple(order),
        fused=tuple(float(fused[p]) for p in order),
        semantic=tuple(float(semantic[p]) for p in order),
        answer=answer,
        compliance=np.array([comp, comp - inscope, comp - oos, comp - s1, lexconf]),
        smalltalk=np.array([talk, talk - max(best_any, comp_pool, oos)]),
        vague=np.array([vague, vague - max(best_any, comp_pool, oos, talk)]),
        compliance_label=comp_label,
        smalltalk_label=talk_label,
    )
