"""Short acknowledgements in every language, told apart from questions (issue 17)."""

from __future__ import annotations

import pytest

from bot.core.smalltalk import is_small_talk


@pytest.mark.parametrize(
    "text",
    ["ok", "OK!", "👍", "🙏🙏", "thanks", "Thank you so much!", "got it", "bye", "ok thanks",
     "谢谢", "謝謝", "好的，谢谢", "非常感謝您", "收到", "再見", "唔該",
     "감사합니다", "정말 감사합니다!", "네 알겠습니다", "ㅇㅋ", "수고하세요"],
)  # fmt: skip
def test_small_talk(text: str) -> None:
    assert is_small_talk(text)


@pytest.mark.parametrize(
    "text",
    ["", "?", "???", "1", "book", "hi, is anyone there", "ok but my payout is late",
     "thanks, when is my payout?", "I still cannot log in to my account", "还是不行",
     "谢谢，保证金多少", "不知道", "보증금 얼마예요?", "좋은 아침"],
)  # fmt: skip
def test_not_small_talk(text: str) -> None:
    assert not is_small_talk(text)
