"""Decide answer / clarify / escalate / fallback for one message."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from bot.faq.decision import Action, Candidate, Decision
from bot.faq.index import LexicalIndex, Query
from bot.faq.model import Faq, Lang
from bot.faq.signals import SignalDetector
from bot.faq.text import detect_language, is_traditional

TOP_K = 5


@dataclass(frozen=True)
class Thresholds:
    """Confidence cut-offs and the shape of the confidence score (see ``confidence``)."""

    answer: float = 0.40
    clarify: float = 0.30
    escalate_entry: float = 0.40  # an escalate entry this confident is enough to hand over
    off_topic_override: float = 0.80  # an off-topic signal loses only to a match this sure
    clarify_gap: float = 0.10  # candidates within this of the best are offered together
    clarify_ratio: float = 0.9  # ... if their BM25 score on the whole message is this close too
    saturation: float = 1.33  # BM25 score (in units of the rarest token's IDF) for full strength
    strength_weight: float = 0.5  # strength vs coverage, geometric mix
    margin_weight: float = 0.3  # how much a close runner-up lowers confidence


class Matcher:
    """The FAQ engine's entry point: one message in, one :class:`Decision` out."""

    def __init__(
        self,
        faq: Faq,
        thresholds: Thresholds | None = None,
        compliance: SignalDetector | None = None,
        off_topic: SignalDetector | None = None,
    ) -> None:
        self.faq = faq
        self.index = LexicalIndex(faq)
        self.thresholds = thresholds or Thresholds()
        self.compliance = compliance or SignalDetector.packaged("compliance")
        self.off_topic = off_topic or SignalDetector.packaged("offtopic")

    def ask(self, text: str, hint: Lang | None = None) -> Decision:
        """Match a merchant's message against the FAQ."""
        lang = detect_language(text, hint)
        query = self.index.prepare(text)
        texts = tuple(dict.fromkeys((query.normalized, query.repaired)))  # once if unchanged
        hit = self.compliance.detect(*texts)
        off_topic = hit is None and self.off_topic.detect(*texts) is not None
        ranked = self.rank(query, self.index.clauses(text))
        action, faq_id, offered = self._decide(ranked, hit is not None, off_topic)
        return Decision(
            action=action,
            faq_id=faq_id,
            score=ranked[0][0].score if ranked else 0.0,
            lang=lang,
            candidates=tuple(offered or [c for c, _ in ranked[:3]]),
            compliance=hit.category if hit else None,
            traditional=lang == "zh" and is_traditional(text),
        )

    def _decide(
        self, ranked: list[tuple[Candidate, float]], compliance: bool, off_topic: bool
    ) -> tuple[Action, str | None, list[Candidate] | None]:
        t = self.thresholds
        if not ranked:
            return ("escalate" if compliance else "fallback"), None, None
        top, top_raw = ranked[0]
        # An escalate entry is never just answered: as sure as an answer, or nearly, hands over.
        entry_escalates = self.faq.get(top.faq_id).escalate and top.score >= min(
            t.escalate_entry, t.answer
        )
        if compliance:
            # Hand over; keep an entry only when it fits well enough to answer alongside.
            fits = entry_escalates or top.score >= t.answer
            return "escalate", (top.faq_id if fits else None), None
        if off_topic and top.score < t.off_topic_override:
            return "fallback", None, None
        if entry_escalates:
            return "escalate", top.faq_id, None
        # Ambiguous only when a runner-up is about as confident AND about as strong lexically
        # on the whole message (a clause that happens to fit another entry is not ambiguity).
        close = [
            c
            for c, raw in ranked[1:3]
            if top.score - c.score <= t.clarify_gap and raw >= t.clarify_ratio * top_raw
        ]
        if close and top.score >= t.clarify and close[0].score >= t.clarify:
            return "clarify", None, [top, *close]
        if top.score >= t.answer:
            return "answer", top.faq_id, None
        return "fallback", None, None

    def rank(self, query: Query, clauses: list[Query]) -> list[tuple[Candidate, float]]:
        """Candidates by confidence (whole message or best clause), with whole-message BM25."""
        best: dict[int, float] = {}
        whole: dict[int, float] = {}
        # Question clauses first: when one fits an entry well enough to answer, the clauses
        # around it are context ("we are a furniture maker in Foshan") and must not pick the
        # entry. A bare "how do I change it?" still leaves the topic to the other clauses.
        clauses = sorted(clauses, key=lambda c: not c.question)
        asked = 0.0
        for part in [query, *clauses]:
            if not part.question and part is not query and asked >= self.thresholds.answer:
                break
            scores = self.index.scores(part)
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
        return ranked

    def confidence(self, query: Query, pos: int, raw: float, runner_up: float) -> float:
        """Confidence in [0, 1]: BM25 strength x query coverage, lowered by a close runner-up."""
        if raw <= 0:
            return 0.0
        t = self.thresholds
        strength = min(raw / (t.saturation * self.index.unknown_idf), 1.0)
        coverage = self.index.coverage(query, pos)
        mixed = strength**t.strength_weight * coverage ** (1 - t.strength_weight)
        return float(mixed * (1 - t.margin_weight * min(runner_up / raw, 1.0)))


def top_positions(scores: npt.NDArray[np.float64], k: int) -> npt.NDArray[np.intp]:
    """Positions of the k highest scores, best first (partial sort: O(n), not O(n log n))."""
    if len(scores) <= k:
        return np.argsort(-scores, kind="stable")
    part = np.argpartition(-scores, k - 1)[:k]
    return part[np.argsort(-scores[part], kind="stable")]
