"""Grouping unanswered questions for the admin report."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from bot.core.ports import UnansweredQuestion
from bot.core.report import format_report, group_questions, still_open
from bot.faq.matcher import Matcher


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


def test_with_an_encoder_questions_group_by_meaning_across_languages() -> None:
    vectors = {  # a stand-in encoder: the deposit questions point one way, shipping another
        "How much is the deposit?": [1.0, 0.0],
        "保证金要交多少？": [0.995, 0.0998],
        "보증금 얼마예요?": [0.99, 0.141],
        "Do you ship to Brazil?": [0.0, 1.0],
    }

    def embed(texts: Sequence[str]) -> npt.NDArray[np.float32]:
        return np.array([vectors[t] for t in texts], dtype=np.float32)

    groups = group_questions([q(t) for t in vectors], embed)
    assert [[x.text for x in g.questions] for g in groups] == [list(vectors)[:3], list(vectors)[3:]]


def test_questions_the_faq_answers_now_leave_the_report(shipped_matcher: Matcher) -> None:
    fixed, open_ = q("How much is the security deposit?"), q("can I sell fireworks to the moon")
    assert still_open([fixed, open_], shipped_matcher) == [open_]


def test_a_long_message_is_shown_on_one_short_line() -> None:
    text = format_report(group_questions([q("word " * 1000)]))
    line = text.splitlines()[1]
    assert len(line) < 200 and line.endswith("…")
