"""Repository behaviour, the same for the fake, SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from bot.core.ports import MerchantRecord, NewMessage, UnansweredQuestion, UnitOfWork
from bot.core.types import Button, Location, MerchantKey, Venue
from tests.storage.conftest import StoreUnderTest

ALICE = MerchantKey("telegram", "1001")
BOB = MerchantKey("web", "token-bob")


def text_in(merchant: MerchantRecord, text: str, **kw: Any) -> NewMessage:
    return NewMessage(merchant_id=merchant.id, direction="in", kind="text", text=text, **kw)


async def test_get_or_create_is_idempotent(store: StoreUnderTest) -> None:
    async with store.uow() as uow:
        first = await uow.merchants.get_or_create(ALICE)
        again = await uow.merchants.get_or_create(ALICE)
        other = await uow.merchants.get_or_create(BOB)
        await uow.commit()
    assert first == again
    assert first.key == ALICE and other.key == BOB and first.id != other.id
    assert (first.locale, first.locale_pinned, first.location, first.centre_id) == (
        None,
        False,
        None,
        None,
    )
    async with store.uow() as uow:
        assert await uow.merchants.get_or_create(ALICE) == first


async def test_same_channel_user_id_on_another_channel_is_another_merchant(
    store: StoreUnderTest,
) -> None:
    async with store.uow() as uow:
        tg = await uow.merchants.get_or_create(MerchantKey("telegram", "42"))
        web = await uow.merchants.get_or_create(MerchantKey("web", "42"))
    assert tg.id != web.id


async def test_update_persists_locale_location_and_centre(store: StoreUnderTest) -> None:
    async with store.uow() as uow:
        merchant = await uow.merchants.get_or_create(ALICE)
        merchant.locale, merchant.locale_pinned = "zh_Hant", True
        merchant.location = Location(22.543096, 114.057865)
        merchant.centre_id = "shenzhen"
        merchant.display_name = "王小明"
        await uow.merchants.update(merchant)
        await uow.commit()
    async with store.uow() as uow:
        assert await uow.merchants.get_or_create(ALICE) == merchant
        assert await uow.merchants.get(merchant.id) == merchant
        merchant.location, merchant.centre_id, merchant.locale_pinned = None, None, False
        await uow.merchants.update(merchant)
        await uow.commit()
    async with store.uow() as uow:
        assert await uow.merchants.get_or_create(ALICE) == merchant


async def test_messages_round_trip_with_buttons_and_decision(store: StoreUnderTest) -> None:
    before = datetime.now(UTC)
    async with store.uow() as uow:
        merchant = await uow.merchants.get_or_create(ALICE)
        question = await uow.messages.add(
            text_in(merchant, "保证金多少？", channel_message_id="tg-7", locale="zh_Hans")
        )
        answer = await uow.messages.add(
            NewMessage(
                merchant_id=merchant.id,
                direction="out",
                kind="text",
                text="保证金是 500 美元。",
                reply_to=question.id,
                locale="zh_Hans",
                action="answer",
                faq_id="security-deposit",
                score=0.8125,
                buttons=(Button("有帮助", "fb:1:1"), Button("没帮助", "fb:1:0")),
                venue=Venue("深圳商家发展中心", "南山区", 22.5431, 114.0579),
            )
        )
        await uow.commit()
    async with store.uow() as uow:
        got_q = await uow.messages.get(question.id)
        got_a = await uow.messages.get(answer.id)
        assert await uow.messages.get(answer.id + 1000) is None
    assert got_q == question and got_a == answer
    assert got_a is not None and got_a.buttons[1] == Button("没帮助", "fb:1:0")
    assert (got_a.action, got_a.faq_id, got_a.score) == ("answer", "security-deposit", 0.8125)
    assert got_a.venue == Venue("深圳商家发展中心", "南山区", 22.5431, 114.0579)
    assert got_q is not None and got_q.venue is None
    assert got_q is not None and got_q.channel_message_id == "tg-7" and got_q.payload == ""
    assert got_q.buttons == () and got_q.action is None and got_q.score is None
    assert got_a.created_at.tzinfo is not None
    assert before - timedelta(seconds=1) <= got_q.created_at <= datetime.now(UTC)


async def test_button_and_location_events_keep_their_kind_and_payload(
    store: StoreUnderTest,
) -> None:
    async with store.uow() as uow:
        merchant = await uow.merchants.get_or_create(ALICE)
        pressed = await uow.messages.add(
            NewMessage(merchant.id, "in", "button", "", payload="faq:annual-service-fee")
        )
        located = await uow.messages.add(
            NewMessage(merchant.id, "in", "location", "22.543096,114.057865")
        )
        await uow.commit()
    async with store.uow() as uow:
        assert await uow.messages.history(merchant.id) == [pressed, located]


async def test_history_is_oldest_first_limited_to_the_latest(store: StoreUnderTest) -> None:
    async with store.uow() as uow:
        alice = await uow.merchants.get_or_create(ALICE)
        bob = await uow.merchants.get_or_create(BOB)
        mine = [await uow.messages.add(text_in(alice, f"q{i}")) for i in range(5)]
        await uow.messages.add(text_in(bob, "not alice's"))
        await uow.commit()
    async with store.uow() as uow:
        assert [m.text for m in await uow.messages.history(alice.id)] == [
            "q0",
            "q1",
            "q2",
            "q3",
            "q4",
        ]
        assert await uow.messages.history(alice.id, limit=2) == mine[-2:]
        assert await uow.messages.history(alice.id, limit=0) == []
        assert [m.text for m in await uow.messages.history(bob.id)] == ["not alice's"]
        assert await uow.messages.history(alice.id + bob.id + 100) == []


async def test_replies_to_lists_outbound_answers_in_order(store: StoreUnderTest) -> None:
    async with store.uow() as uow:
        merchant = await uow.merchants.get_or_create(ALICE)
        question = await uow.messages.add(text_in(merchant, "fees?"))
        other = await uow.messages.add(text_in(merchant, "and payouts?"))
        replies = []
        for text in ("first", "second"):
            replies.append(
                await uow.messages.add(
                    NewMessage(merchant.id, "out", "text", text, reply_to=question.id)
                )
            )
        await uow.messages.add(NewMessage(merchant.id, "out", "text", "x", reply_to=other.id))
        await uow.commit()
    async with store.uow() as uow:
        assert await uow.messages.replies_to(question.id) == replies
        assert await uow.messages.replies_to(replies[0].id) == []


async def seed_message(uow: UnitOfWork, key: MerchantKey = ALICE) -> tuple[int, int]:
    merchant = await uow.merchants.get_or_create(key)
    message = await uow.messages.add(text_in(merchant, "hello"))
    return merchant.id, message.id


async def test_claim_is_true_once_per_channel_and_key(store: StoreUnderTest) -> None:
    async with store.uow() as uow:
        _, first = await seed_message(uow)
        _, second = await seed_message(uow)
        assert await uow.deliveries.claim("telegram", "update-1", first)
        assert not await uow.deliveries.claim("telegram", "update-1", second)
        assert await uow.deliveries.claim("web", "update-1", second)
        await uow.commit()
    async with store.uow() as uow:
        assert not await uow.deliveries.claim("telegram", "update-1", second)
        assert await uow.deliveries.message_for("telegram", "update-1") == first
        assert await uow.deliveries.message_for("web", "update-1") == second
        assert await uow.deliveries.message_for("telegram", "update-2") is None


async def test_feedback_is_one_row_per_question_and_can_change(store: StoreUnderTest) -> None:
    async with store.uow() as uow:
        merchant_id, question = await seed_message(uow)
        _, other = await seed_message(uow)
        await uow.feedback.record(question, merchant_id, True)
        await uow.feedback.record(other, merchant_id, True)
        await uow.commit()
    async with store.uow() as uow:
        await uow.feedback.record(question, merchant_id, False)
        await uow.commit()
    assert await store.feedback() == {question: (merchant_id, False), other: (merchant_id, True)}


async def test_unanswered_questions_are_kept_oldest_first(store: StoreUnderTest) -> None:
    asked = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)
    async with store.uow() as uow:
        _, first = await seed_message(uow)
        _, second = await seed_message(uow)
        one = UnansweredQuestion(
            first, "보증금 환불?", "ko", "clarify", 0.31, (("deposit-refund", 0.31), ("fees", 0.3))
        )
        two = UnansweredQuestion(second, "weather?", "en", "fallback", 0.0, created_at=asked)
        await uow.unanswered.add(one)
        await uow.unanswered.add(two)
        await uow.commit()
    async with store.uow() as uow:
        logged = await uow.unanswered.all()
    assert [q.message_id for q in logged] == [first, second]
    assert logged[0].candidates == (("deposit-refund", 0.31), ("fees", 0.3))
    assert logged[1] == two
    assert logged[0].created_at == one.created_at.astimezone(UTC)
    assert all(q.created_at.tzinfo is not None for q in logged)
