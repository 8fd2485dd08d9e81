"""Unanswered questions grouped by similarity, most frequent first, for admins."""

from __future__ import annotations

from dataclasses import dataclass, field

from rapidfuzz import fuzz

from bot.core.ports import UnansweredQuestion
from bot.text.normalize import normalize

SAME_QUESTION = 75.0  # token_set_ratio of normalised texts


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


def group_questions(questions: list[UnansweredQuestion]) -> list[QuestionGroup]:
    """Greedy single-pass grouping by fuzzy similarity; biggest groups first."""
    groups: list[tuple[str, QuestionGroup]] = []
    for question in questions:
        text = normalize(question.text)
        for key, group in groups:
            if fuzz.token_set_ratio(text, key) >= SAME_QUESTION:
                group.questions.append(question)
                break
        else:
            groups.append((text, QuestionGroup([question])))
    ordered = [g for _, g in groups]
    ordered.sort(key=lambda g: (-len(g.questions), g.questions[0].created_at))
    return ordered


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
                lines.append(f"     [{q.locale}] {q.action} {q.score:.2f}  {q.text}")
    return "\n".join(lines)
