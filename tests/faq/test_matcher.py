"""The matcher's rules, on a small FAQ written here and on the shipped one."""

from __future__ import annotations

import pytest

from bot.core.conversation import ConversationService
from bot.faq.loader import load_faq
from bot.faq.matcher import Matcher
from bot.faq.model import Faq
from bot.faq.signals import SignalDetector
from bot.text.normalize import normalize
from tests.conftest import WriteFaq, entry_yaml
from tests.conversing import say
from tests.fakes import FakeStore
from tests.faq.samples import SMALL


@pytest.fixture
def small(write_faq: WriteFaq) -> Matcher:
    faq, problems = load_faq(write_faq(a__yaml=SMALL))
    assert faq is not None, problems
    return Matcher(faq)


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("how much deposit do I need to pay", "en"),
        ("押金交多少", "zh"),
        ("保證金要交幾多？", "zh"),  # Traditional, Cantonese
        ("보증금얼마에요", "ko"),  # no spaces, colloquial spelling
        ("depositt how much?? 🙏", "en"),  # typo and emoji
        ("ｄｅｐｏｓｉｔ amount", "en"),  # full-width
    ],
)
def test_answers_in_the_language_of_the_message(small: Matcher, text: str, lang: str) -> None:
    d = small.ask(text)
    assert (d.action, d.faq_id, d.lang) == ("answer", "security-deposit", lang)
    assert d.candidates[0].faq_id == "security-deposit"
    assert 0 < d.score <= 1


def test_language_hint_does_not_override_the_script(small: Matcher) -> None:
    assert small.ask("保证金多少", hint="en").lang == "zh"


def test_traditional_writer_gets_traditional_answer(small: Matcher) -> None:
    d = small.ask("保證金能退嗎")
    assert d.traditional and d.faq_id == "security-deposit"
    assert reply_of(small, "保證金能退嗎").startswith("答案 security-deposit 中文")


def test_unrelated_message_falls_back(small: Matcher) -> None:
    for text in ["what's the weather in Seoul", "tell me a joke", "ㅎㅎ", "?!"]:
        d = small.ask(text)
        assert d.action == "fallback", (text, d)
        assert d.faq_id is None


def test_a_greeting_is_small_talk_not_a_miss(small: Matcher) -> None:
    for text in ["你好", "hello", "안녕하세요", "thanks"]:
        d = small.ask(text)
        assert (d.action, d.smalltalk, d.faq_id) == ("smalltalk", "greeting", None), text


def test_look_alike_out_of_scope_question_falls_back(small: Matcher) -> None:
    for text in ["how much deposit for renting a flat", "원룸 전세 보증금 얼마가 적당해요"]:
        assert small.ask(text).action == "fallback", text


def test_buyer_asking_about_own_order_falls_back(small: Matcher) -> None:
    assert small.ask("I bought shoes, where is my parcel?").action == "fallback"
    assert small.ask("我买的鞋子怎么还没到").action == "fallback"


def test_escalate_entry_match_escalates_with_its_id(small: Matcher) -> None:
    d = small.ask("why is my balance frozen?")
    assert (d.action, d.faq_id) == ("escalate", "frozen-funds")
    assert d.compliance is not None


@pytest.mark.parametrize(
    "text",
    [
        "a lawyer sent us a letter threatening to sue",
        "有人冒充平台客服要我的验证码",
        "경찰에서 연락이 왔어요",
        "the charger we sold caught fire in a customer's house",
        "customs seized our container in Hamburg",
        "someone changed my bank details, it wasn't me",
        "我们的店铺被封了",
        "a company offers 5 star reviews for $3 each, is that ok",
    ],
)
def test_compliance_matters_escalate_without_an_entry(small: Matcher, text: str) -> None:
    d = small.ask(text)
    assert d.action == "escalate", (text, d)
    assert d.compliance


def test_compliance_wins_over_an_ordinary_answer(small: Matcher) -> None:
    d = small.ask("police called about the deposit")
    assert d.action == "escalate"


def test_two_close_entries_ask_to_clarify(write_faq: WriteFaq) -> None:
    text = (
        SMALL
        + entry_yaml("fee-a", ["what is the monthly fee"], ["月费多少"], ["월 이용료 얼마"])
        + entry_yaml("fee-b", ["what is the monthly fee amount"], ["月费金额"], ["월 이용료 금액"])
    )
    faq, _ = load_faq(write_faq(a__yaml=text))
    assert faq is not None
    d = Matcher(faq).ask("monthly fee?")
    assert d.action == "clarify"
    assert {c.faq_id for c in d.candidates} == {"fee-a", "fee-b"}
    reply = say(ConversationService(lambda: Matcher(faq), FakeStore().uow), "monthly fee?")
    assert reply.messages[0].text == "Did you mean one of these?"
    assert reply.messages[0].buttons[0].label.startswith("what is the monthly fee")


def test_fallback_and_handover_replies_are_localised(small: Matcher) -> None:
    ko = small.ask("오늘 날씨 어때요")
    assert ko.action == "fallback" and "죄송" in reply_of(small, "오늘 날씨 어때요")
    zh = small.ask("律师给我们发了律师函")
    assert zh.action == "escalate" and "卖家支持团队" in reply_of(small, "律师给我们发了律师函")
    assert "賣家支援團隊" in reply_of(small, "律師給我們發了律師函")


def reply_of(matcher: Matcher, text: str) -> str:
    """What a merchant reads: the conversation core's reply texts, for a new merchant."""
    service = ConversationService(lambda: matcher, FakeStore().uow)
    return "\n\n".join(m.text for m in say(service, text).messages)


def test_long_chatty_message_is_answered_from_its_best_clause(small: Matcher) -> None:
    d = small.ask(
        "hi there, we are a small furniture factory in Foshan and opened last week. "
        "how much is the security deposit?"
    )
    assert (d.action, d.faq_id) == ("answer", "security-deposit")


def test_context_clause_does_not_pick_the_entry_when_the_question_fits(small: Matcher) -> None:
    # The first sentence is about shipping, but the question is about the deposit.
    d = small.ask("我们一直用自己的快递发海外订单。保证金要交多少？")
    assert (d.action, d.faq_id) == ("answer", "security-deposit")


def test_bare_question_clause_leaves_the_topic_to_the_context(small: Matcher) -> None:
    d = small.ask("The commission per sale is fine for us. How do I change it?")
    assert (d.action, d.faq_id) == ("answer", "commission-rates")


@pytest.mark.parametrize(
    "text", ["good morning!", "早上好呀", "좋은 아침이에요~", "hi there, thanks a lot"]
)
def test_greeting_only_is_small_talk(small: Matcher, text: str) -> None:
    d = small.ask(text)
    assert (d.action, d.faq_id) == ("smalltalk", None), text


@pytest.mark.parametrize(
    ("text", "faq_id"),
    [
        ("good morning, how much is the deposit?", "security-deposit"),
        ("안녕하세요 보증금 얼마예요?", "security-deposit"),
    ],
)
def test_greeting_before_a_question_is_answered(small: Matcher, text: str, faq_id: str) -> None:
    assert (small.ask(text).action, small.ask(text).faq_id) == ("answer", faq_id)


@pytest.mark.parametrize(
    "text",
    [
        "what is the dollar to euro exchange rate today",
        "how do I reset the password on my iphone",
        "I need to renew my passport",
        "現在美元兌人民幣匯率多少",
        "카카오톡 비밀번호 바꾸는 법",
    ],
)
def test_personal_look_alikes_fall_back(small: Matcher, text: str) -> None:
    assert small.ask(text).action == "fallback", text


def test_no_seller_phrasing_looks_off_topic(shipped_faq: Faq) -> None:
    # Seller vocabulary (stock, flat file, Visa card, 健身器材) must not read as everyday life.
    detector = SignalDetector.packaged("offtopic")
    for entry in shipped_faq:
        if entry.escalate:
            continue  # compliance signals win over off-topic ones for these anyway
        for phrasings in entry.questions.values():
            for q in phrasings:
                assert detector.detect(normalize(q)) is None, (entry.id, q)
    # A seller buying stock is not a shopper.
    assert detector.detect(normalize("I bought the stock from a wholesaler")) is None


@pytest.mark.parametrize(
    "text",
    [
        "押金多少钱",  # a deposit question, not held funds
        "晚发货会被扣分吗",  # a rating penalty, not a customs seizure
        "화상 상담도 가능해요?",  # a video call, not a burn
        "banned products list?",  # prohibited items, not a banned account
        "can i appeal a claim decided against me?",  # a buyer dispute, not a suspension
    ],
)
def test_ordinary_questions_raise_no_compliance_signal(text: str) -> None:
    assert SignalDetector.packaged("compliance").detect(normalize(text)) is None, text


def test_answer_words_count_partly_towards_coverage(shipped_matcher: Matcher) -> None:
    index = shipped_matcher.index
    pos = index.ids.index("product-images")
    # "pixels" is in the entry's answer but in none of its phrasings.
    assert 0 < index.coverage(index.prepare("pixels"), pos) < 1
