"""Decide answer / clarify / escalate / fallback for one message."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from bot.faq.decision import Action, Candidate, Decision
from bot.faq.index import LexicalIndex, Query
from bot.faq.model import Faq, Lang
from bot.faq.signals import SignalDetector
from bot.faq.text import detect_language, is_traditional

TOP_K = 5


@dataclass(frozen=True)
class Thresholds:
    """Confidence cut-offs and the shape of the confidence score (see ``confidence``)."""

    answer: float = 0.45
    clarify: float = 0.32
    escalate_entry: float = 0.40  # an escalate entry this confident is enough to hand over
    off_topic_override: float = 0.80  # an off-topic signal loses only to a match this sure
    clarify_gap: float = 0.06  # candidates within this of the best are offered together
    saturation: float = 6.0  # BM25 score at which lexical strength counts as full
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
        texts = (query.normalized, query.repaired)
        hit = self.compliance.detect(*texts)
        off_topic = hit is None and self.off_topic.detect(*texts) is not None
        candidates = self.rank(query, self.index.clauses(text))
        action, faq_id = self._decide(candidates, hit is not None, off_topic)
        return Decision(
            action=action,
            faq_id=faq_id,
            score=round(candidates[0].score, 4) if candidates else 0.0,
            lang=lang,
            candidates=tuple(candidates[:3]),
            compliance=hit.category if hit else None,
            traditional=lang == "zh" and is_traditional(text),
        )

    def _decide(
        self, candidates: list[Candidate], compliance: bool, off_topic: bool
    ) -> tuple[Action, str | None]:
        t = self.thresholds
        if not candidates:
            return ("escalate" if compliance else "fallback"), None
        top = candidates[0]
        if compliance:
            # Hand over; keep an entry only when it is a confident answer to go with it.
            return "escalate", (top.faq_id if top.score >= t.answer else None)
        if off_topic and top.score < t.off_topic_override:
            return "fallback", None
        if self.faq.get(top.faq_id).escalate and top.score >= t.escalate_entry:
            return "escalate", top.faq_id
        close = [c for c in candidates[1:3] if top.score - c.score <= t.clarify_gap]
        if close and top.score >= t.clarify and close[0].score >= t.clarify:
            return "clarify", None
        if top.score >= t.answer:
            return "answer", top.faq_id
        return "fallback", None

    def rank(self, query: Query, clauses: list[Query]) -> list[Candidate]:
        """Candidates by confidence: the whole message or its best-matching clause."""
        best: dict[int, float] = {}
        for part in [query, *clauses]:
            scores = self.index.scores(part)
            if not len(scores) or float(scores.max()) <= 0:
                continue
            order = np.argsort(-scores)[: TOP_K + 1]
            for rank, pos in enumerate(order[:TOP_K]):
                runner_up = float(scores[order[rank + 1]]) if rank + 1 < len(order) else 0.0
                conf = self.confidence(part, int(pos), float(scores[pos]), runner_up)
                if part is query or int(pos) in best:
                    best[int(pos)] = max(best.get(int(pos), 0.0), conf)
        ranked = [Candidate(self.index.ids[p], round(c, 4)) for p, c in best.items() if c > 0]
        ranked.sort(key=lambda c: -c.score)
        return ranked

    def confidence(self, query: Query, pos: int, raw: float, runner_up: float) -> float:
        """Confidence in [0, 1]: BM25 strength x query coverage, lowered by a close runner-up."""
        if raw <= 0:
            return 0.0
        t = self.thresholds
        strength = min(raw / t.saturation, 1.0)
        coverage = self.index.coverage(query, pos)
        mixed = strength**t.strength_weight * coverage ** (1 - t.strength_weight)
        return float(mixed * (1 - t.margin_weight * min(runner_up / raw, 1.0)))
