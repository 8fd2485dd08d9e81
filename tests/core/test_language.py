"""Channel language tags map explicitly; messages decide until the merchant picks."""

from __future__ import annotations

import pytest

from bot.core.language import locale_for_message, locale_from_tag
from bot.core.payloads import MAX_BYTES, decode, encode


@pytest.mark.parametrize(
    ("tag", "locale"),
    [
        ("zh", "zh_Hans"), ("zh-CN", "zh_Hans"), ("zh-cn", "zh_Hans"), ("zh-Hans", "zh_Hans"),
        ("zh-SG", "zh_Hans"), ("zh_Hans_CN", "zh_Hans"), ("zh-TW", "zh_Hant"), ("zh-HK", "zh_Hant"),
        ("zh-Hant", "zh_Hant"), ("zh-Hant-TW", "zh_Hant"), ("ko", "ko"), ("ko-KR", "ko"),
        ("en-US", "en"), ("ja", "en"), ("fr-FR", "en"), ("", None), (None, None),
    ],
)  # fmt: skip
def test_tags_map_explicitly(tag: str | None, locale: str | None) -> None:
    assert locale_from_tag(tag) == locale


def test_messages_pick_the_script_and_shared_characters_keep_the_current_one() -> None:
    assert locale_for_message("保證金可以退嗎", None, None) == "zh_Hant"
    assert locale_for_message("保证金可以退吗", "zh_Hant", None) == "zh_Hans"
    assert locale_for_message("你好", "zh_Hant", None) == "zh_Hant"  # same in both scripts
    assert locale_for_message("你好", None, "zh_Hant") == "zh_Hant"
    assert locale_for_message("你好", None, None) == "zh_Hans"
    assert locale_for_message("보증금", "en", None) == "ko"
    assert locale_for_message("👍", "ko", None) == "ko"


def test_words_taiwan_phrases_differently_do_not_make_a_simplified_message_traditional() -> None:
    # 文件 and 程序 are written alike in both scripts; only Taiwan's phrase tables rewrite them.
    assert locale_for_message("上传文件", None, None) == "zh_Hans"
    assert locale_for_message("这个程序打不开文件", "zh_Hant", None) == "zh_Hans"
    assert locale_for_message("這個文件怎麼上傳", None, None) == "zh_Hant"
    assert locale_for_message("文件", "zh_Hant", None) == "zh_Hant"  # common to both: kept


def test_payloads_round_trip_and_stay_within_telegrams_limit() -> None:
    assert decode(encode("fb", "123", "1")) is not None
    assert encode("menu") == "menu" and decode("menu") is not None
    assert decode("nope:x") is None and decode("") is None
    with pytest.raises(ValueError):
        encode("faq", "x" * MAX_BYTES)


@pytest.mark.parametrize(
    ("text", "current", "expected"),
    [
        ("保证金要交多少？", "zh_Hant", "zh_Hans"),  # Simplified characters
        ("什么时候回款？", "zh_Hant", "zh_Hans"),  # only the word 什么 is Simplified
        ("回款周期是多久", "zh_Hant", "zh_Hans"),  # only the word 周期 is
        ("佢哋几时回款？", "zh_Hant", "zh_Hans"),  # Cantonese in Simplified
        ("佢哋幾時回款？", "zh_Hans", "zh_Hant"),  # Cantonese in Traditional
        ("保證金可以退嗎？", "zh_Hans", "zh_Hant"),  # Traditional
        ("保证金可以退嗎？", "zh_Hans", "zh_Hant"),  # mixed: a Traditional form wins
        ("SKU 保证金 refund", "zh_Hant", "zh_Hans"),  # with English words
        ("佣金比例是多少？", "zh_Hant", "zh_Hant"),  # both scripts write 佣金 alike
        ("佣金比例是多少？", "zh_Hans", "zh_Hans"),
    ],
)
def test_the_script_decides_and_text_common_to_both_keeps_the_current_one(
    text: str, current: str, expected: str
) -> None:
    assert locale_for_message(text, current, None) == expected  # type: ignore[arg-type]
