"""Tokens, typo repair and the thesaurus (the text toolkit's own tests are in tests/text/)."""

from __future__ import annotations

from bot.faq.matcher import Matcher
from bot.faq.thesaurus import Thesaurus
from bot.faq.tokens import tokenize
from bot.faq.vocab import LatinVocabulary
from bot.text.chinese import pinyin
from bot.text.normalize import normalize


def test_homophone_typos_share_pinyin_tokens() -> None:
    assert pinyin("证") == pinyin("正") == "zheng"
    right = set(tokenize(normalize("保证金")))
    typo = set(tokenize(normalize("保正金")))
    assert "~baozheng" in right & typo
    assert "保证" in right and "保证" not in typo


def test_cjk_tokens_are_character_unigrams_and_bigrams() -> None:
    assert tokenize("보증금") == ["보", "증", "금", "보증", "증금"]
    assert tokenize("payouts 24") == ["payout", "24"]


def test_vocabulary_repairs_typos_and_missing_spaces() -> None:
    vocab = LatinVocabulary(["security", "deposit", "how", "much", "commission", "is", "the"])
    assert vocab.repair("deposite") == "deposit"
    assert vocab.repair("comission") == "commission"
    assert vocab.repair("howmuchisthedeposit") == "how much is the deposit"
    assert vocab.repair("weather") == "weather"  # nothing close enough: left alone
    assert vocab.repair("abc") == "abc"  # too short to correct safely


def test_spaced_korean_thesaurus_items_also_match_unspaced() -> None:
    thesaurus = Thesaurus({"ko": [["정산계좌", "받을 계좌"], ["배송비", "배송 요금"]]})
    assert thesaurus.apply("받을계좌 변경") == "정산계좌 변경"
    assert thesaurus.apply("배송요금 얼마") == "배송비 얼마"


def test_unspaced_form_never_rewrites_another_canonical_form() -> None:
    thesaurus = Thesaurus({"ko": [["정산계좌", "정산 계좌"], ["정산", "정 산"]]})
    assert thesaurus.apply("정산") == "정산"


def test_question_clauses_are_marked(shipped_matcher: Matcher) -> None:
    parts = shipped_matcher.index.clauses("we make lamps in Foshan. how long until payout? thanks")
    assert [p.question for p in parts] == [False, True, False]
