"""Chinese script conversion, written Cantonese and toneless pinyin."""

from __future__ import annotations

from bot.text.chinese import cantonese_to_mandarin, pinyin, to_simplified, to_traditional


def test_traditional_and_simplified_convert_both_ways() -> None:
    assert to_simplified("保證金可以退嗎") == "保证金可以退吗"
    assert to_traditional("保证金可以退吗") == "保證金可以退嗎"


def test_cantonese_words_become_mandarin_longest_first() -> None:
    assert cantonese_to_mandarin("点样开店") == "怎样开店"
    assert cantonese_to_mandarin("系唔系要钱") == "是不是要钱"


def test_pinyin_is_toneless_and_shipped_with_the_package() -> None:
    assert pinyin("证") == pinyin("正") == "zheng"
    assert pinyin("a") is None
