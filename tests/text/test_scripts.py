"""The character ranges classify each script's characters, and only those."""

from __future__ import annotations

import pytest

from bot.text.scripts import (
    HAN,
    HANGUL,
    han_chars,
    has_han,
    has_hangul,
    is_cjk,
    is_han,
    is_hangul,
    is_jamo,
    only,
)


@pytest.mark.parametrize(
    ("char", "han", "hangul", "jamo", "cjk"),
    [
        ("证", True, False, False, True),  # Han
        ("㐀", True, False, False, True),  # Han, extension A
        ("보", False, True, False, True),  # Hangul syllable
        ("ㅋ", False, False, True, False),  # compatibility jamo
        ("ᄀ", False, False, True, False),  # conjoining jamo
        ("a", False, False, False, False),  # Latin
        ("あ", False, False, False, False),  # kana
    ],
)
def test_ranges_classify_characters(
    char: str, han: bool, hangul: bool, jamo: bool, cjk: bool
) -> None:
    assert (is_han(char), is_hangul(char), is_jamo(char), is_cjk(char)) == (han, hangul, jamo, cjk)


def test_text_predicates() -> None:
    assert has_han("vat 注册") and not has_han("보증금")
    assert has_hangul("KC인증") and not has_hangul("ㅋㅋ")
    assert han_chars("a保b證") == "保證"
    assert only("深圳", HAN) and not only("深圳 市", HAN) and not only("", HAN)
    assert only("서울", HANGUL) and not only("서울a", HANGUL)
    assert only("서울深圳", HAN + HANGUL) and not only("seoul", HAN + HANGUL)
