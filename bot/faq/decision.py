"""What the matcher decided about one message."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from bot.text.language import Lang

Action = Literal["answer", "clarify", "escalate", "fallback", "smalltalk"]


@dataclass(frozen=True)
class Candidate:
    """An entry the matcher considered, with its confidence in [0, 1] and each ranker's score."""

    faq_id: str
    score: float
    lexical: float | None = None  # the lexical ranker's confidence
    semantic: float | None = None  # the encoder's best cosine with the entry's phrasings


@dataclass(frozen=True)
class Decision:
    """The matcher's verdict: the action, the entry (if any) and why."""

    action: Action
    faq_id: str | None
    score: float
    lang: Lang
    candidates: tuple[Candidate, ...] = ()
    compliance: str | None = None
    traditional: bool = False
    smalltalk: str | None = None  # greeting, thanks, goodbye or ack, with action "smalltalk"
    mode: str = "lexical"  # "fused" when the semantic ranker took part
