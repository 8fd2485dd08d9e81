"""Normalisation, language detection, tokens and typo repair."""

from __future__ import annotations

import pytest

from bot.faq.chinese import pinyin, to_traditional
from bot.faq.matcher import Matcher
from bot.faq.text import detect_language, is_traditional, normalize
from bot.faq.thesaurus import Thesaurus
from bot.faq.tokens import tokenize
from bot.faq.vocab import LatinVocabulary


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("ＶＡＴ　注册？！", "vat 注册"),  # full-width Latin, ideographic space and punctuation
        ("保證金可以退嗎", "保证金可以退吗"),  # Traditional -> Simplified
        ("Shēnzhèn café!!", "shenzhen cafe"),  # pinyin tones and accents
        ("deposit 💰💰 how much???", "deposit how much"),  # emoji and noise
        ("보증금은 얼마예요?", "보증금은 얼마예요"),  # Hangul syllables survive untouched
        ("我係個體戶，冇註冊公司", "我是个体户 没有注册公司"),  # written Cantonese -> Mandarin
        ("系统关系", "系统关系"),  # Mandarin 系 is left alone without Cantonese cues
    ],
)
def test_normalize(raw: str, expected: str) -> None:
    assert normalize(raw) == expected


@pytest.mark.parametrize(
    ("text", "hint", "expected"),
    [
        ("How much is the deposit?", None, "en"),
        ("保证金多少", None, "zh"),
        ("保證金多少", None, "zh"),
        ("보증금 얼마예요", None, "ko"),
        ("KC인증 필요해요?", None, "ko"),  # Korean with an English acronym
        ("VAT注册要怎么弄", None, "zh"),  # Chinese with an English acronym
        ("listing 翻译成英文 要钱吗", None, "zh"),
        ("please tell me the deposit amount for my shop, 谢谢", None, "en"),
        ("👍👍", "ko", "ko"),  # no letters: the channel's hint decides
        ("123", None, "en"),
    ],
)
def test_detect_language(text: str, hint: str | None, expected: str) -> None:
    assert detect_language(text, hint) == expected  # type: ignore[arg-type]


def test_traditional_is_recognised_and_converted_back() -> None:
    assert is_traditional("保證金可以退嗎")
    assert not is_traditional("保证金可以退吗")
    assert not is_traditional("deposit")
    assert to_traditional("保证金可以退吗") == "保證金可以退嗎"


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
