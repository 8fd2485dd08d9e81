"""A merchant's message is language-detected and normalised once on its way to the reply."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

import pytest

from bot.core import payloads
from bot.core.conversation import ConversationService
from bot.core.types import MerchantKey
from bot.faq.matcher import Matcher
from bot.text.language import detect_language
from bot.text.message import Message
from bot.text.normalize import normalize
from tests.conversing import press, say
from tests.fakes import FakeStore


def spy(monkeypatch: pytest.MonkeyPatch, original: Callable[..., Any]) -> list[str]:
    """The texts ``original`` is called with, from whichever ``bot`` module calls it."""
    calls: list[str] = []

    def counting(text: str, *args: Any, **kwargs: Any) -> Any:
        calls.append(text)
        return original(text, *args, **kwargs)

    name = original.__name__
    for module in list(sys.modules.values()):
        if module.__name__.split(".")[0] == "bot" and getattr(module, name, None) is original:
            monkeypatch.setattr(module, name, counting)
    return calls


@pytest.fixture
def service(shipped_matcher: Matcher, store: FakeStore) -> ConversationService:
    return ConversationService(lambda: shipped_matcher, store.uow)


@pytest.fixture
def detected(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    return spy(monkeypatch, detect_language)


@pytest.fixture
def normalised(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    return spy(monkeypatch, normalize)


QUESTION = "保證金可以退嗎？"


def test_a_question_is_detected_and_normalised_once(
    service: ConversationService, detected: list[str], normalised: list[str]
) -> None:
    reply = say(service, QUESTION)
    assert reply.locale == "zh_Hant" and "保證金" in reply.messages[0].text
    assert detected == [QUESTION]
    assert normalised.count(QUESTION) == 1


def test_a_question_while_people_hold_the_thread_is_detected_once(
    service: ConversationService, detected: list[str]
) -> None:
    say(service, "talk to a person")
    detected.clear()
    reply = say(service, "How much is the security deposit?")
    assert "500" in reply.messages[0].text  # the bot still answers a clear question
    assert detected == ["How much is the security deposit?"]


def test_a_chosen_language_still_reads_the_message_once(
    service: ConversationService, detected: list[str]
) -> None:
    press(service, payloads.encode("lang", "ko"))
    reply = say(service, "How much is the security deposit?")
    assert reply.locale == "ko"  # the merchant's choice, whatever they write in
    assert detected == ["How much is the security deposit?"]


def test_a_message_from_another_merchant_is_read_for_itself(
    service: ConversationService, detected: list[str]
) -> None:
    say(service, "보증금 얼마예요?", MerchantKey("web", "token-2"))
    say(service, "deposit?")
    assert detected == ["보증금 얼마예요?", "deposit?"]


@pytest.mark.parametrize(
    ("text", "hint"),
    [(QUESTION, None), ("보증금 얼마예요?", "en"), ("deposit refund", "zh"), ("OK", "ko")],
)
def test_deciding_on_a_read_message_is_asking(
    shipped_matcher: Matcher, text: str, hint: Any
) -> None:
    message = Message.read(text, hint)
    assert shipped_matcher.decide(message) == shipped_matcher.ask(text, hint)
    assert message.lang == detect_language(text, hint)
