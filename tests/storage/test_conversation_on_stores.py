"""The conversation service on every store: fake, SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.cli.main import main
from bot.core.conversation import ConversationService
from bot.core.feedback import FeedbackPrompts, has_prompt
from bot.core.types import Incoming, MerchantKey
from bot.faq.matcher import Matcher
from bot.storage.uow import SqlStore
from tests.storage.conftest import StoreUnderTest

WEB = MerchantKey("web", "t-1")


def service(store: StoreUnderTest, matcher: Matcher) -> ConversationService:
    return ConversationService(lambda: matcher, store.uow)


async def test_question_is_committed_even_if_answering_fails(store: StoreUnderTest) -> None:
    def broken() -> Matcher:
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        await ConversationService(broken, store.uow).handle(Incoming(WEB, "text", text="deposit?"))
    async with store.uow() as uow:
        merchant = await uow.merchants.get_or_create(WEB)
        history = await uow.messages.history(merchant.id)
    assert [(m.direction, m.text) for m in history] == [("in", "deposit?")]


async def test_repeat_delivery_gets_the_same_single_answer(
    store: StoreUnderTest, shipped_matcher: Matcher
) -> None:
    svc = service(store, shipped_matcher)
    event = Incoming(WEB, "text", text="How much is the security deposit?", delivery_key="42")
    first, second = await asyncio.gather(svc.handle(event), svc.handle(event))
    assert sorted([first.duplicate, second.duplicate]) == [False, True]
    assert first.messages == second.messages and first.messages
    history = await svc.history(WEB)
    assert [m.direction for m in history] == ["in", "out"]


async def test_feedback_and_language_persist(
    store: StoreUnderTest, shipped_matcher: Matcher
) -> None:
    svc = service(store, shipped_matcher)
    answer = await svc.handle(Incoming(WEB, "text", text="保證金可以退嗎？"))
    assert answer.locale == "zh_Hant"
    yes = next(b.payload for b in answer.messages[0].buttons if b.payload.endswith(":1"))
    await svc.handle(Incoming(WEB, "button", payload=yes))
    assert list((await store.feedback()).values()) == [(1, True)]
    again = await svc.handle(Incoming(WEB, "command", text="help"))
    assert again.locale == "zh_Hant"  # remembered from the stored merchant


async def test_one_feedback_prompt_per_burst_across_replicas(
    store: StoreUnderTest, shipped_matcher: Matcher
) -> None:
    now = [datetime(2026, 12, 1, 8, 0, tzinfo=UTC)]  # a virtual clock both replicas read

    def replica() -> ConversationService:
        prompts = FeedbackPrompts(timedelta(minutes=10), lambda: now[0])
        return ConversationService(lambda: shipped_matcher, store.uow, prompts=prompts)

    one, two = replica(), replica()
    first = await one.handle(Incoming(WEB, "text", text="How much is the security deposit?"))
    assert has_prompt(first.messages)
    now[0] += timedelta(minutes=1)
    second = await two.handle(Incoming(WEB, "text", text="What is the commission fee?"))
    assert second.messages and not has_prompt(second.messages)  # the other replica knows
    now[0] += timedelta(minutes=9)
    third = await two.handle(Incoming(WEB, "text", text="Is the deposit refundable?"))
    assert has_prompt(third.messages)
    async with store.uow() as uow:
        merchant = await uow.merchants.get_or_create(WEB)
    assert merchant.feedback_asked_at == now[0]


def test_report_unanswered_reads_the_database(
    tmp_path: Path,
    sqlite_template: Path,
    shipped_matcher: Matcher,
    capsys: pytest.CaptureFixture[str],
) -> None:
    path = tmp_path / "bot.db"
    shutil.copyfile(sqlite_template, path)
    url = f"sqlite+aiosqlite:///{path}"

    async def chat() -> None:
        store = SqlStore(url)
        svc = ConversationService(lambda: shipped_matcher, store.uow)
        for i, text in enumerate(
            ["where can I buy concert tickets", "Where can I buy concert tickets?", "hi"]
        ):
            await svc.handle(Incoming(MerchantKey("web", f"m{i}"), "text", text=text))
        await store.close()

    asyncio.run(chat())
    assert main(["report", "unanswered", "--database-url", url]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0].startswith("1. 2x")
    assert "concert tickets" in out
