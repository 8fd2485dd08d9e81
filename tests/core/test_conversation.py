"""The conversation core with in-memory storage (fakes, no mocks) and the shipped FAQ."""

from __future__ import annotations

import pytest

from bot.core import payloads
from bot.core.conversation import ConversationService
from bot.core.types import Incoming, Location, MerchantKey, Reply
from bot.faq.matcher import Matcher
from tests.conversing import WEB, press, run, say
from tests.fakes import FakeStore


@pytest.fixture
def service(shipped_matcher: Matcher, store: FakeStore) -> ConversationService:
    return ConversationService(lambda: shipped_matcher, store.uow)


def payloads_of(reply: Reply) -> list[str]:
    return [b.payload for m in reply.messages for b in m.buttons]


def test_start_greets_in_the_hinted_language_with_a_menu(service: ConversationService) -> None:
    reply = run(service.handle(Incoming(WEB, "command", text="start", lang_hint="zh-CN")))
    assert reply.locale == "zh_Hans"
    assert "您好" in reply.messages[0].text or "你好" in reply.messages[0].text
    assert payloads_of(reply) == ["topics", "centre", "human", "langs"]


def test_answer_has_related_and_feedback_buttons(service: ConversationService) -> None:
    reply = say(service, "How much is the security deposit?")
    assert "500" in reply.messages[0].text
    pl = payloads_of(reply)
    assert any(p.startswith("faq:") for p in pl)
    assert [p for p in pl if p.startswith("fb:")][-2:] and pl[-1].endswith(":0")


def test_every_message_is_stored_before_and_after(
    service: ConversationService, store: FakeStore
) -> None:
    say(service, "보증금은 얼마인가요?", message_id="m1")
    msgs = store.committed.messages
    assert [m.direction for m in msgs] == ["in", "out"]
    assert msgs[0].channel_message_id == "m1" and msgs[0].text == "보증금은 얼마인가요?"
    assert msgs[1].reply_to == msgs[0].id
    assert (msgs[1].action, msgs[1].faq_id) == ("answer", "security-deposit")
    assert store.commits == 2  # the question alone first, then the answer


def test_inbound_survives_a_failure_while_answering(store: FakeStore) -> None:
    def broken() -> Matcher:
        raise RuntimeError("FAQ unavailable")

    service = ConversationService(broken, store.uow)
    with pytest.raises(RuntimeError):
        say(service, "deposit?")
    assert [m.direction for m in store.committed.messages] == ["in"]


def test_duplicate_delivery_is_answered_once(
    service: ConversationService, store: FakeStore
) -> None:
    first = say(service, "年费多少", delivery_key="u-1")
    again = say(service, "年费多少", delivery_key="u-1")
    assert not first.duplicate and again.duplicate
    assert again.messages == first.messages
    assert len(store.committed.messages) == 2


def test_traditional_writer_gets_traditional_everything(service: ConversationService) -> None:
    reply = say(service, "保證金可以退嗎？")
    assert reply.locale == "zh_Hant"
    text = reply.messages[0].text
    assert "保證金" in text and "保证金" not in text
    labels = [b.label for b in reply.messages[0].buttons]
    assert any("有幫助" in label or "幫助" in label for label in labels), labels


def test_language_follows_messages_until_picked(service: ConversationService) -> None:
    assert say(service, "deposit amount?").locale == "en"
    assert say(service, "보증금 얼마예요?").locale == "ko"
    picked = press(service, payloads.encode("lang", "zh_Hant"))
    assert picked.locale == "zh_Hant" and "繁體中文" in picked.messages[0].text
    assert say(service, "how much is the deposit?").locale == "zh_Hant"  # it sticks


def test_fallback_offers_rephrase_topics_and_person(service: ConversationService) -> None:
    reply = say(service, "what's the weather in Seoul tomorrow")
    assert payloads_of(reply) == ["rephrase", "topics", "human:no_answer"]


def test_compliance_is_handed_over(service: ConversationService) -> None:
    reply = say(service, "our account was suspended for review manipulation, what now?")
    assert "seller-support team" in reply.messages[-1].text
    assert reply.messages[0].buttons == ()


def test_clarify_offers_the_candidates_as_buttons(service: ConversationService) -> None:
    reply = say(service, "정산 언제 돼요??")
    faq_buttons = [p for p in payloads_of(reply) if p.startswith("faq:")]
    assert 2 <= len(faq_buttons) <= 3
    chosen = press(service, faq_buttons[0])
    assert chosen.messages[0].text != reply.messages[0].text


def test_topics_then_category_then_entry(service: ConversationService) -> None:
    topics = press(service, "topics")
    cat = next(p for p in payloads_of(topics) if p == "cat:fees")
    entries = press(service, cat)
    assert "faq:security-deposit" in payloads_of(entries)
    answer = press(service, "faq:security-deposit")
    assert "500" in answer.messages[0].text


def test_feedback_is_stored_with_the_question(
    service: ConversationService, store: FakeStore
) -> None:
    answer = say(service, "How much is the security deposit?")
    yes = next(p for p in payloads_of(answer) if p.startswith("fb:") and p.endswith(":1"))
    reply = press(service, yes)
    question_id = int(yes.split(":")[1])
    assert store.committed.feedback == {question_id: (1, True)}
    assert "Thanks" in reply.messages[0].text


def test_feedback_on_someone_elses_message_is_ignored(
    service: ConversationService, store: FakeStore
) -> None:
    say(service, "How much is the security deposit?")
    other = MerchantKey("web", "token-2")
    run(service.handle(Incoming(other, "button", payload="fb:1:0")))
    assert store.committed.feedback == {}


@pytest.mark.parametrize("payload", ["bogus", "faq:no-such-entry", "cat:nope", "lang:fr", "x" * 80])
def test_unknown_button_gets_a_polite_reply(service: ConversationService, payload: str) -> None:
    reply = press(service, payload)
    assert "no longer available" in reply.messages[0].text
    assert payloads_of(reply) == ["topics", "centre", "human", "langs"]


def test_unanswered_questions_are_logged_with_scores(
    service: ConversationService, store: FakeStore
) -> None:
    say(service, "what's the weather in Seoul tomorrow")
    say(service, "How much is the security deposit?")
    logged = store.committed.unanswered
    assert len(logged) == 1 and logged[0].action == "fallback"
    assert logged[0].text.startswith("what's the weather")


def test_location_is_remembered(service: ConversationService, store: FakeStore) -> None:
    run(service.handle(Incoming(WEB, "location", location=Location(22.54, 114.06))))
    merchant = store.committed.merchants[WEB]
    assert merchant.location == Location(22.54, 114.06)


def test_history_returns_the_conversation(service: ConversationService) -> None:
    say(service, "How much is the security deposit?")
    history = run(service.history(WEB))
    assert [m.direction for m in history] == ["in", "out"]
    assert run(service.history(MerchantKey("web", "nobody"))) == []


def test_logs_carry_ids_but_never_message_text(
    service: ConversationService, caplog: pytest.LogCaptureFixture
) -> None:
    import logging

    secret = "my supplier is Shenzhen Sunrise Lighting, how much is the deposit"
    with caplog.at_level(logging.DEBUG):
        say(service, secret)
    assert caplog.records, "the conversation logs its events"
    for record in caplog.records:
        assert "Sunrise" not in record.getMessage()
        assert all("Sunrise" not in str(v) for v in vars(record).values())
    assert any(getattr(r, "merchant", None) == 1 for r in caplog.records)


def test_a_repeat_answers_a_message_whose_first_delivery_died(
    shipped_matcher: Matcher, store: FakeStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Stored and claimed, then the answer failed (a crash or a failed commit: the web chat
    # answers 503 and the page retries with the same id): the repeat must get an answer.
    monkeypatch.setattr("bot.core.conversation.REPLAY_WAIT_SECONDS", 0.0)
    broken = True

    def matcher() -> Matcher:
        if broken:
            raise RuntimeError("FAQ unavailable")
        return shipped_matcher

    service = ConversationService(matcher, store.uow)
    with pytest.raises(RuntimeError):
        say(service, "年费多少", delivery_key="u-1")
    broken = False
    retried = say(service, "年费多少", delivery_key="u-1")
    again = say(service, "年费多少", delivery_key="u-1")
    assert retried.messages and not retried.duplicate
    assert again.duplicate and again.messages == retried.messages
    assert [m.direction for m in store.committed.messages] == ["in", "out"]


def test_a_repeat_of_a_relayed_message_stays_unanswered(
    service: ConversationService, store: FakeStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("bot.core.conversation.REPLAY_WAIT_SECONDS", 0.0)
    say(service, "talk to a person", delivery_key="k-1")
    say(service, "my shop is blocked", delivery_key="k-2")  # the first one is acknowledged
    quiet = say(service, "any news?", delivery_key="k-3")  # within the interval: no reply
    stored = len(store.committed.messages)
    again = say(service, "any news?", delivery_key="k-3")
    assert not quiet.messages and again.duplicate and not again.messages
    assert len(store.committed.messages) == stored


def test_a_repeat_never_answers_another_merchants_message(
    service: ConversationService, store: FakeStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("bot.core.conversation.REPLAY_WAIT_SECONDS", 0.0)
    say(service, "talk to a person", delivery_key="k-1")
    say(service, "my shop is blocked", delivery_key="k-2")
    say(service, "any news?", delivery_key="k-3")
    other = say(service, "any news?", MerchantKey("web", "token-2"), delivery_key="k-3")
    assert other.duplicate and not other.messages


def test_a_thumbs_down_offers_the_next_closest_entries_and_a_person(
    service: ConversationService, store: FakeStore
) -> None:
    answer = say(service, "How much is the security deposit?")
    down = next(b for m in answer.messages for b in m.buttons if b.payload.endswith(":0"))
    reply = press(service, down.payload)
    offered = [b.payload for m in reply.messages for b in m.buttons]
    faq_buttons = [p for p in offered if p.startswith("faq:")]
    assert faq_buttons and "faq:security-deposit" not in faq_buttons  # the others, not it again
    person = next(p for p in offered if p.startswith("human"))
    assert offered.index(faq_buttons[-1]) < offered.index(person)  # entries first, then a person
    assert store.committed.feedback, "the 👎 is recorded"
