"""Grouping unanswered questions for the admin report."""

from __future__ import annotations

from bot.core.ports import UnansweredQuestion
from bot.core.report import format_report, group_questions


def q(text: str, score: float = 0.2, top: str | None = None) -> UnansweredQuestion:
    cands = ((top, 0.3),) if top else ()
    return UnansweredQuestion(message_id=1, text=text, locale="en", action="fallback",
                              score=score, candidates=cands)  # fmt: skip


def test_similar_questions_group_and_biggest_group_comes_first() -> None:
    groups = group_questions(
        [
            q("do you ship to Brazil?"),
            q("how do I get a wholesale discount", top="pricing-currency"),
            q("Do you ship to brazil"),
            q("ship to Brazil??", top="shipping-options"),
        ]
    )
    assert [len(g.questions) for g in groups] == [3, 1]
    assert groups[0].example == "do you ship to Brazil?"
    assert groups[0].top_candidate == "shipping-options"


def test_report_lists_counts_scores_and_wordings() -> None:
    text = format_report(group_questions([q("a b c", 0.1), q("a b c", 0.3), q("zzz qqq", 0.2)]))
    lines = text.splitlines()
    assert lines[0].startswith("1. 2x  mean score 0.20")
    assert sum("a b c" in line for line in lines) == 1  # each wording once
    assert "2. 1x" in text
    assert format_report([]) == "No unanswered questions."
