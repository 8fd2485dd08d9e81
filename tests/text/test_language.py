"""Content languages and a message's language by script."""

from __future__ import annotations

import pytest

from bot.text.language import LANGS, detect_language, is_lang, is_traditional


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
        ("ㅋㅋㅋ", None, "ko"),  # compatibility jamo alone still read as Korean
        ("👍👍", "ko", "ko"),  # no letters: the channel's hint decides
        ("123", None, "en"),
    ],
)
def test_detect_language(text: str, hint: str | None, expected: str) -> None:
    assert detect_language(text, hint) == expected  # type: ignore[arg-type]


def test_traditional_is_recognised() -> None:
    assert is_traditional("保證金可以退嗎")
    assert not is_traditional("保证金可以退吗")
    assert not is_traditional("deposit")


def test_content_languages() -> None:
    assert LANGS == ("en", "zh", "ko")
    assert is_lang("ko")
    assert not is_lang("ja")
    assert not is_lang(None)
