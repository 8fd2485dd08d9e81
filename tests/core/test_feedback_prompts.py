"""The feedback prompt: once per burst of answers, never while people hold the thread."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest

from bot.core import texts
from bot.core.conversation import ConversationService
from bot.core.escalation import Escalation
from bot.core.feedback import FeedbackPrompts, has_prompt, without_prompt
from bot.core.ports import MerchantRecord
from bot.core.teams import DefaultTeamOnly
from bot.core.texts import t
from bot.core.types import Button, Incoming, MerchantKey, Outgoing, Reply
from bot.faq.matcher import Matcher
from tests.fakes import FakeStore

WEB = MerchantKey("web", "burst")
EVERY = timedelta(minutes=10)


@dataclass
class Clock:
    now: datetime = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


@dataclass
class Chat:
    store: FakeStore
    clock: Clock
    service: ConversationService

    async def say(self, text: str, who: MerchantKey = WEB) -> Reply:
        return await self.service.handle(Incoming(who, "text", text=text))

    async def press(self, payload: str, who: MerchantKey = WEB) -> Reply:
        return await self.service.handle(Incoming(who, "button", payload=payload))


def chat_with(matcher: Matcher, every: timedelta = EVERY) -> Chat:
    store, clock = FakeStore(), Clock()
    escalation = Escalation(DefaultTeamOnly, clock=clock)
    prompts = FeedbackPrompts(every, clock)
    service = ConversationService(
        lambda: matcher, store.uow, escalation=escalation, prompts=prompts
    )
    return Chat(store, clock, service)


@pytest.fixture
def chat(shipped_matcher: Matcher) -> Chat:
    return chat_with(shipped_matcher)


def asks(reply: Reply) -> bool:
    return has_prompt(reply.messages)


def payloads_of(reply: Reply) -> list[str]:
    return [b.payload for m in reply.messages for b in m.buttons]


def fb(reply: Reply, helpful: bool) -> str:
    end = ":1" if helpful else ":0"
    return next(p for p in payloads_of(reply) if p.startswith("fb:") and p.endswith(end))


async def test_a_burst_is_asked_once_then_again_after_the_interval(chat: Chat) -> None:
    first = await chat.say("How much is the security deposit?")
    assert asks(first)
    chat.clock.now += timedelta(seconds=20)
    second = await chat.say("What is the commission fee?")
    assert "commission" in second.messages[0].text.lower() and not asks(second)
    assert any(p.startswith("faq:") for p in payloads_of(second)), "related entries stay"
    chat.clock.now += EVERY - timedelta(seconds=21)  # one second short of the interval
    assert not asks(await chat.say("Can I get the deposit back?"))
    chat.clock.now += timedelta(seconds=1)
    assert asks(await chat.say("How much is the security deposit?"))


async def test_a_rating_on_an_older_answer_of_the_burst_counts(chat: Chat) -> None:
    first = await chat.say("How much is the security deposit?")
    chat.clock.now += timedelta(seconds=30)
    assert not asks(await chat.say("What is the commission fee?"))
    thanks = await chat.press(fb(first, helpful=True))  # the first answer's 👍, pressed late
    assert thanks.messages[0].text == t("en", texts.THANKS)
    question = next(m for m in chat.store.committed.messages if m.direction == "in")
    assert chat.store.committed.feedback == {question.id: (1, True)}
    # A merchant who rates is listening: the next answer may ask again at once.
    assert asks(await chat.say("Can I get the deposit back?"))


async def test_a_thumbs_down_offers_others_and_their_answer_may_ask(chat: Chat) -> None:
    first = await chat.say("How much is the security deposit?")
    sorry = await chat.press(fb(first, helpful=False))
    other = next(p for p in payloads_of(sorry) if p.startswith("faq:"))
    assert asks(await chat.press(other))


async def test_never_while_a_person_holds_the_thread(chat: Chat) -> None:
    await chat.say("talk to a person")
    answered = await chat.say("How much is the security deposit?")
    assert "500" in answered.messages[0].text and not asks(answered)
    related = next(p for p in payloads_of(answered) if p.startswith("faq:"))
    assert not asks(await chat.press(related))  # a related entry pressed meanwhile
    async with chat.store.uow() as uow:
        merchant = await uow.merchants.get_or_create(WEB)
    assert merchant.feedback_asked_at is None, "no prompt was used up while people held it"
    await chat.say("/close")
    assert asks(await chat.say("How much is the security deposit?"))


async def test_each_merchant_has_their_own_window(chat: Chat) -> None:
    assert asks(await chat.say("How much is the security deposit?"))
    assert asks(await chat.say("How much is the security deposit?", MerchantKey("web", "other")))


async def test_zero_asks_after_every_answer(shipped_matcher: Matcher) -> None:
    chat = chat_with(shipped_matcher, timedelta(0))
    assert asks(await chat.say("How much is the security deposit?"))
    assert asks(await chat.say("What is the commission fee?"))


def test_the_rule_on_a_virtual_clock() -> None:
    clock = Clock()
    prompts = FeedbackPrompts(EVERY, clock)
    merchant = MerchantRecord(1, WEB)
    prompt = (Button("👍", "fb:7:1"), Button("👎", "fb:7:0"))
    messages = [Outgoing("answer", (Button("Fees?", "faq:fees"), *prompt))]
    assert prompts.apply(merchant, messages, held=False) and has_prompt(messages)
    assert merchant.feedback_asked_at == clock.now
    clock.now += EVERY / 2
    again = [Outgoing("answer", prompt)]
    assert not prompts.apply(merchant, again, held=False)
    assert again == [Outgoing("answer", ())]
    clock.now += EVERY / 2
    assert not prompts.may_ask(merchant, held=True) and prompts.may_ask(merchant, held=False)
    assert prompts.answered(merchant) and merchant.feedback_asked_at is None
    assert not prompts.answered(merchant)  # nothing to change the second time
    plain = [Outgoing("hello", (Button("Fees?", "faq:fees"),))]
    assert not prompts.apply(merchant, plain, held=False) and merchant.feedback_asked_at is None
    assert without_prompt(messages) == [Outgoing("answer", (Button("Fees?", "faq:fees"),))]
