"""Normalisation: width, case, accents, Traditional Chinese and written Cantonese folded."""

from __future__ import annotations

import unicodedata

import pytest

from bot.text.normalize import fold, normalize, normalize_many


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


def _normalize_joined(texts: list[str]) -> str:
    # The definition normalize_many keeps: one normalize call over the joined texts.
    joined = normalize(" \n ".join(texts))
    if any(ch in joined for ch in "唔嘅喺咗啲冇咩嘢佢哋俾畀睇揾嗰咁"):
        return " ".join(normalize(t) for t in texts)
    return joined


@pytest.mark.parametrize(
    "texts",
    [
        ["How much is the deposit?", "保證金要交多少？", "보증금은 얼마예요?"],
        ["ＶＡＴ　注册？！", "\u0301accent first", "Shēnzhèn café", "ﬁle ㎏ ①"],
        ["我係個體戶，冇註冊公司", "系统关系"],  # Cantonese in one text only
        ["A\u0308", "\u0308b", "e\u0301"],  # combining marks at text edges
        [],
    ],
)
def test_normalize_many_equals_normalizing_the_joined_texts(texts: list[str]) -> None:
    assert normalize_many(texts) == _normalize_joined(texts)
    assert unicodedata.is_normalized("NFKC", normalize_many(texts))


def test_fold_folds_like_normalize_but_keeps_punctuation() -> None:
    assert fold("Ｉ’m in Shēnzhèn, OK?") == "i’m in shenzhen, ok?"
    assert fold("我喺東莞，有冇中心？") == "我在东莞,有没有中心?"  # full width to half width
    # Mandarin 系 stays: written Cantonese is converted only where it is there
    assert fold("关系") == "关系"
