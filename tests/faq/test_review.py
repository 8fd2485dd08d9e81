"""The content review: what loads but works badly, language by language."""

from __future__ import annotations

from typing import get_args

import pytest

from bot.faq.model import Faq, FaqEntry
from bot.faq.review import (
    FLAG_TEXTS,
    FlagKind,
    review_entry,
    review_problems,
    written_in_traditional,
)
from bot.i18n import UiLocale, translate


def entry(**answers: str) -> FaqEntry:
    questions = {
        "en": ("How long does a refund take?", "refund timing"),
        "zh": ("退款要多久", "多久能退款"),
        "ko": ("환불은 얼마나 걸려요?", "환불 기간"),
    }
    answer = {"en": "Five days.", "zh": "5天。", "ko": "5일이에요.", **answers}
    return FaqEntry("refunds", "orders", False, questions, answer)  # type: ignore[arg-type]


def test_a_complete_entry_has_no_flags() -> None:
    assert review_entry(entry()) == ()


def test_an_answer_in_another_language_and_a_missing_one_are_flagged() -> None:
    flags = review_entry(entry(ko="Five days.", zh=""))
    kinds = {(f.kind, f.lang) for f in flags}
    assert kinds == {("answer-language", "ko"), ("missing-answer", "zh")}


def test_simplified_text_with_taiwan_phrases_is_not_taken_for_traditional() -> None:
    # OpenCC's phrase tables rewrite 文件 and 停用, so a one-character test fires on these.
    simplified = "请上传营业执照文件，账户停用期间无法提现。"
    assert not written_in_traditional(simplified)
    assert written_in_traditional("請上傳營業執照文件，帳戶停用期間無法提現。")
    assert [f.kind for f in review_entry(entry(zh="帳戶停用期間無法提現。"))] == [
        "traditional-in-zh"
    ]


def test_faq_check_says_what_the_faq_browser_says() -> None:
    (problem,) = review_problems(Faq((entry(ko="Five days."),)))
    assert problem.severity == "warning"
    assert problem.message == f"'refunds' ko: {FLAG_TEXTS['answer-language']}: \"Five days.\""


@pytest.mark.parametrize("ui", ["ko", "zh_Hans", "zh_Hant"])
def test_every_flag_has_one_text_translated_for_the_browser(ui: UiLocale) -> None:
    assert set(FLAG_TEXTS) == set(get_args(FlagKind))
    for kind, text in FLAG_TEXTS.items():
        assert translate(ui, text) != text, (ui, kind)
