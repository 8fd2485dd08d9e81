"""The lexical ranker: BM25 over phrasings, with a confidence from strength and coverage."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from bot.faq.decision import Candidate
from bot.faq.index import LexicalIndex, Lexicon, Query
from bot.faq.model import Faq

TOP_K = 5

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class LexicalParams:
    """The shape of the lexical confidence score (see ``LexicalRanker.confidence``)."""

    saturation: float = 1.33  # BM25 score (in units of the rarest token's IDF) for full strength
    strength_weight: float = 0.5  # strength vs coverage, geometric mix
    margin_weight: float = 0.3  # how much a close runner-up lowers confidence
    question_clause: float = 0.40  # a question clause this confident makes the others context


@dataclass(frozen=True)
class LexicalRanking:
    """What the lexical ranker found: confident candidates and whole-message BM25 scores."""

    ranked: list[tuple[Candidate, float]]  # (candidate, whole-message BM25), best first
    bm25: FloatArray  # whole-message BM25 of every entry, in FAQ order
    unknown: float = 0.0  # share of the message's topic words that the FAQ never uses

    def confidence_of(self, faq_id: str) -> float:
        """This entry's lexical confidence (0 when it was not among the candidates)."""
        return next((c.score for c, _ in self.ranked if c.faq_id == faq_id), 0.0)


class LexicalRanker:
    """Scores entries by BM25 and turns the best into confidences in [0, 1]."""

    name = "lexical"

    def __init__(
        self, faq: Faq, params: LexicalParams | None = None, lexicon: Lexicon | None = None
    ) -> None:
        self.index = LexicalIndex(faq, lexicon)
        self.params = params or LexicalParams()

    def rank(self, text: str, query: Query | None = None) -> LexicalRanking:
        """Candidates by confidence (whole message or its best clause)."""
        query = query or self.index.prepare(text)
        clauses = self.index.clauses(text)
        best: dict[int, float] = {}
        whole: dict[int, float] = {}
        bm25 = self.index.scores(query)
        # Question clauses first: when one fits an entry well enough to answer, the clauses
        # around it are context ("we are a furniture maker in Foshan") and must not pick the
        # entry. A bare "how do I change it?" still leaves the topic to the other clauses.
        clauses = sorted(clauses, key=lambda c: not c.question)
        asked = 0.0
        for part in [query, *clauses]:
            if not part.question and part is not query and asked >= self.params.question_clause:
                break
            scores = bm25 if part is query else self.index.scores(part)
            if not len(scores) or float(scores.max()) <= 0:
                continue
            order = top_positions(scores, TOP_K + 1)
            for rank, pos in enumerate(order[:TOP_K]):
                at = int(pos)
                if part is not query and at not in best:
                    continue  # clauses only re-weigh the whole message's candidates
                # The strongest other entry competes with this one (for the top: the second).
                rival = order[1] if rank == 0 and len(order) > 1 else order[0]
                runner_up = float(scores[rival]) if rival != pos else 0.0
                conf = self.confidence(part, at, float(scores[pos]), runner_up)
                if part is query:
                    whole[at] = float(scores[pos])
                best[at] = max(best.get(at, 0.0), conf)
                if part.question:
                    asked = max(asked, conf)
        ranked = [
            (Candidate(self.index.ids[p], round(c, 4)), whole[p]) for p, c in best.items() if c > 0
        ]
        ranked.sort(key=lambda pair: -pair[0].score)
        topic = len(query.topic_ids) + query.unknown_topic
        return LexicalRanking(ranked, bm25, query.unknown_topic / topic if topic else 1.0)

    def confidence(self, query: Query, pos: int, raw: float, runner_up: float) -> float:
        """Confidence in [0, 1]: BM25 strength x query coverage, lowered by a close runner-up."""
        if raw <= 0:
            return 0.0
        p = self.params
        strength = min(raw / (p.saturation * self.index.unknown_idf), 1.0)
        coverage = self.index.coverage(query, pos)
        mixed = strength**p.strength_weight * coverage ** (1 - p.strength_weight)
        return float(mixed * (1 - p.margin_weight * min(runner_up / raw, 1.0)))


def top_positions(scores: FloatArray, k: int) -> npt.NDArray[np.intp]:
    """Positions of the k highest scores, best first (partial sort: O(n), not O(n log n))."""
    if len(scores) <= k:
        return np.argsort(-scores, kind="stable")
    part = np.argpartition(-scores, k - 1)[:k]
    return part[np.argsort(-scores[part], kind="stable")]
