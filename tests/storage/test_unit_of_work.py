"""Transactions: rolled back by default, committed explicitly, and race-safe delivery claims."""

from __future__ import annotations

import asyncio

import pytest

from bot.core.ports import NewMessage, UnansweredQuestion, UnitOfWork
from bot.core.types import MerchantKey
from tests.storage.conftest import StoreUnderTest

KEY = MerchantKey("telegram", "2002")


async def add_question(uow: UnitOfWork, text: str = "deposit?") -> tuple[int, int]:
    merchant = await uow.merchants.get_or_create(KEY)
    message = await uow.messages.add(NewMessage(merchant.id, "in", "text", text))
    return merchant.id, message.id


async def write_everything(uow: UnitOfWork) -> tuple[int, int]:
    merchant_id, message_id = await add_question(uow)
    await uow.deliveries.claim("telegram", "u-1", message_id)
    await uow.feedback.record(message_id, merchant_id, True)
    await uow.unanswered.add(UnansweredQuestion(message_id, "deposit?", "en", "fallback", 0.1))
    return merchant_id, message_id


async def assert_nothing_stored(store: StoreUnderTest, merchant_id: int, message_id: int) -> None:
    async with store.uow() as uow:
        assert await uow.messages.get(message_id) is None
        assert await uow.messages.history(merchant_id) == []
        assert await uow.deliveries.message_for("telegram", "u-1") is None
        assert await uow.unanswered.all() == []
    assert await store.feedback() == {}


async def test_work_is_rolled_back_unless_committed(store: StoreUnderTest) -> None:
    async with store.uow() as uow:
        merchant_id, message_id = await write_everything(uow)
    await assert_nothing_stored(store, merchant_id, message_id)


async def test_an_exception_rolls_back_and_propagates(store: StoreUnderTest) -> None:
    with pytest.raises(RuntimeError, match="matcher broke"):
        async with store.uow() as uow:
            merchant_id, message_id = await write_everything(uow)
            raise RuntimeError("matcher broke")
    await assert_nothing_stored(store, merchant_id, message_id)


async def test_explicit_rollback_discards_and_the_unit_goes_on(store: StoreUnderTest) -> None:
    async with store.uow() as uow:
        _, message_id = await write_everything(uow)
        await uow.rollback()
        assert await uow.messages.get(message_id) is None
        _, kept = await add_question(uow, "kept")
        await uow.commit()
    async with store.uow() as uow:
        merchant = await uow.merchants.get_or_create(KEY)
        assert [m.text for m in await uow.messages.history(merchant.id)] == ["kept"]
        assert await uow.deliveries.message_for("telegram", "u-1") is None
    assert kept != 0


async def test_commit_makes_work_durable_and_later_work_still_rolls_back(
    store: StoreUnderTest,
) -> None:
    async with store.uow() as uow:
        merchant_id, message_id = await write_everything(uow)
        await uow.commit()
        _, unsaved = await add_question(uow, "never committed")
    async with store.uow() as uow:
        assert (await uow.messages.get(message_id)) is not None
        assert await uow.messages.get(unsaved) is None
        assert await uow.deliveries.message_for("telegram", "u-1") == message_id
        assert len(await uow.unanswered.all()) == 1
    assert await store.feedback() == {message_id: (merchant_id, True)}


async def test_uncommitted_work_is_invisible_to_another_unit(store: StoreUnderTest) -> None:
    async with store.uow() as writer:
        merchant_id, message_id = await write_everything(writer)
        async with store.uow() as reader:
            assert await reader.messages.get(message_id) is None
            assert await reader.deliveries.message_for("telegram", "u-1") is None
            assert await reader.unanswered.all() == []
        await writer.commit()
    async with store.uow() as reader:
        assert await reader.messages.history(merchant_id) != []


async def _seed(store: StoreUnderTest) -> None:
    async with store.uow() as uow:
        await uow.merchants.get_or_create(KEY)
        await uow.commit()


@pytest.mark.parametrize("first_commits", [True, False], ids=["commits", "rolls-back"])
async def test_concurrent_claims_of_one_key_have_one_winner(
    store: StoreUnderTest, first_commits: bool
) -> None:
    """Two units of work claim the same key at once: the second waits for the first."""
    await _seed(store)
    first_claimed = asyncio.Event()

    async def first() -> tuple[bool, int]:
        async with store.uow() as uow:
            _, message_id = await add_question(uow, "first")
            won = await uow.deliveries.claim("telegram", "u-9", message_id)
            first_claimed.set()
            await asyncio.sleep(0.2)  # the second attempt is waiting meanwhile
            if first_commits:
                await uow.commit()
            return won, message_id

    async def second() -> tuple[bool, int]:
        await first_claimed.wait()
        async with store.uow() as uow:
            _, message_id = await add_question(uow, "second")
            won = await uow.deliveries.claim("telegram", "u-9", message_id)
            if not won:
                await uow.rollback()  # what the conversation core does
                assert await uow.deliveries.message_for("telegram", "u-9") is not None
            await uow.commit()
            return won, message_id

    (won_1, msg_1), (won_2, msg_2) = await asyncio.wait_for(
        asyncio.gather(first(), second()), timeout=20
    )
    assert won_1
    assert won_2 is not first_commits
    async with store.uow() as uow:
        winner = msg_1 if first_commits else msg_2
        assert await uow.deliveries.message_for("telegram", "u-9") == winner
        merchant = await uow.merchants.get_or_create(KEY)
        texts = [m.text for m in await uow.messages.history(merchant.id)]
    assert texts == (["first"] if first_commits else ["second"])


async def test_many_concurrent_first_contacts_make_one_merchant(store: StoreUnderTest) -> None:
    async def contact() -> int:
        async with store.uow() as uow:
            merchant = await uow.merchants.get_or_create(MerchantKey("web", "new-visitor"))
            await asyncio.sleep(0.01)
            await uow.commit()
            return merchant.id

    ids = await asyncio.wait_for(asyncio.gather(*(contact() for _ in range(4))), timeout=20)
    assert len(set(ids)) == 1
