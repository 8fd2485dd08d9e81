"""Unanswered questions grouped by similarity, most frequent first, for admins."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
from rapidfuzz import fuzz

from bot.core.ports import UnansweredQuestion
from bot.faq.decision import Decision
from bot.faq.matcher import Matcher
from bot.text.normalize import normalize

SAME_QUESTION = 75.0  # token_set_ratio of normalised texts
# Cosine of two questions' sentence vectors (the matcher's encoder) above which they ask the
# same thing: paraphrases in any of the three languages land in one group.
SAME_MEANING = 0.9
SHOWN_CHARS = 160  # a report line shows this much of a long message
LOW_CONFIDENCE_MARGIN = 0.10  # answers this close to the answer cut-off are logged for admins

Embed = Callable[[Sequence[str]], npt.NDArray[np.float32]]  # unit vectors, one row per text


@dataclass
class QuestionGroup:
    """Questions that ask roughly the same thing."""

    questions: list[UnansweredQuestion] = field(default_factory=list)

    @property
    def example(self) -> str:
        """The group's first question, as written."""
        return self.questions[0].text

    @property
    def mean_score(self) -> float:
        """The matcher's mean confidence over the group."""
        return sum(q.score for q in self.questions) / len(self.questions)

    @property
    def top_candidate(self) -> str | None:
        """The entry the matcher leaned to most often, if any."""
        tops = [q.candidates[0][0] for q in self.questions if q.candidates]
        return max(set(tops), key=tops.count) if tops else None


def group_questions(
    questions: list[UnansweredQuestion], embed: Embed | None = None
) -> list[QuestionGroup]:
    """Greedy single-pass grouping, biggest groups first: by meaning with ``embed`` (the
    matcher's encoder), else by fuzzy similarity of the normalised words."""
    groups: list[QuestionGroup] = []
    if embed is not None and questions:
        vectors = embed([q.text for q in questions])
        heads: list[int] = []  # the first question of each group stands for it
        for i, question in enumerate(questions):
            sims = [float(vectors[h] @ vectors[i]) for h in heads]
            best = int(np.argmax(sims)) if sims else -1
            if best >= 0 and sims[best] >= SAME_MEANING:
                groups[best].questions.append(question)
            else:
                heads.append(i)
                groups.append(QuestionGroup([question]))
    else:
        keys: list[str] = []
        for question in questions:
            text = normalize(question.text)
            close = (
                n for n, key in enumerate(keys) if fuzz.token_set_ratio(text, key) >= SAME_QUESTION
            )
            at = next(close, None)
            if at is None:
                keys.append(text)
                groups.append(QuestionGroup([question]))
            else:
                groups[at].questions.append(question)
    groups.sort(key=lambda g: (-len(g.questions), g.questions[0].created_at))
    return groups


def answer_cutoff(matcher: Matcher, d: Decision) -> float:
    """The answer cut-off of the ranker that decided: a score is only near the cut-off it was
    compared with (the encoder's is fitted, the lexical one fixed)."""
    if d.mode == "fused" and matcher.fused is not None:
        return matcher.fused.calibration.right.cutoff
    return matcher.thresholds.answer


def unsure(matcher: Matcher, d: Decision) -> bool:
    """Whether admins should see the question: a fallback, a did-you-mean, or an answer within
    ``LOW_CONFIDENCE_MARGIN`` of its cut-off."""
    if d.action in ("fallback", "clarify"):
        return True
    return d.action == "answer" and d.score < answer_cutoff(matcher, d) + LOW_CONFIDENCE_MARGIN


def still_open(questions: list[UnansweredQuestion], matcher: Matcher) -> list[UnansweredQuestion]:
    """The questions today's FAQ still does not answer surely (a phrasing or an entry added
    since answers the rest; an answer still close to the cut-off stays)."""
    return [q for q in questions if unsure(matcher, matcher.ask(q.text))]


def shorten(text: str, most: int = SHOWN_CHARS) -> str:
    """One line of at most ``most`` characters."""
    flat = " ".join(text.split())
    return flat if len(flat) <= most else flat[: most - 1] + "…"


def format_report(groups: list[QuestionGroup]) -> str:
    """A plain-text report: count, mean confidence, the matcher's lean, and the wordings."""
    if not groups:
        return "No unanswered questions."
    lines = []
    for i, group in enumerate(groups, start=1):
        lean = f", nearest entry {group.top_candidate}" if group.top_candidate else ""
        lines.append(f"{i}. {len(group.questions)}x  mean score {group.mean_score:.2f}{lean}")
        seen: set[str] = set()
        for q in group.questions:
            if q.text not in seen:
                seen.add(q.text)
                lines.append(f"     [{q.locale}] {q.action} {q.score:.2f}  {shorten(q.text)}")
    return "\n".join(lines)
