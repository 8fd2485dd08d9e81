"""What the matcher decided about one message."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from bot.faq.model import Lang

Action = Literal["answer", "clarify", "escalate", "fallback"]


@dataclass(frozen=True)
class Candidate:
    """An entry the matcher considered, with its confidence in [0, 1]."""

    faq_id: str
    score: float


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
