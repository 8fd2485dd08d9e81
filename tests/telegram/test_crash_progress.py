"""A crash in the middle of a reply of several messages (issue 15): the messages that went out
are recorded one by one, so the repeat delivery after the restart sends only the rest."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from bot.channels.telegram.aiogram_adapter import AiogramApi
from bot.channels.telegram.api import TgApiError
from bot.channels.telegram.intake import Intake
from bot.channels.telegram.pacing import RateLimiter
from bot.channels.telegram.sender import Sender, Tracked
from bot.channels.telegram.sends import Request, SendText
from bot.core.conversation import ConversationService
from bot.faq.matcher import Matcher
from tests.fakes import FakeStore
from tests.telegram import builders as b
from tests.telegram.conftest import FAST_LIMITS, FAST_RETRY
from tests.telegram.fake_api import BOT_ID, TOKEN, FakeBotApi

MERCHANT = 6101
PERSON = "talk to a person"  # answered with two messages: the hand-over, then the ticket notice


@pytest.fixture
async def api(fake: FakeBotApi) -> AsyncIterator[AiogramApi]:
    made = AiogramApi(TOKEN, fake.url)
    yield made
    await made.close()


class Process:
    """One run of the bot: its own core service, sender and intake, over a shared store."""

    def __init__(self, api: AiogramApi, store: FakeStore, matcher: Matcher, dies_at: int = 0):
        self.api, self.dies_at, self.made = api, dies_at, 0
        self.died = asyncio.Event()
        self.sender = Sender(self.transport, RateLimiter(FAST_LIMITS), FAST_RETRY)
        service = ConversationService(lambda: matcher, store.uow)
        self.intake = Intake(api, service, self.sender, str(BOT_ID))

    async def transport(self, request: Request) -> int:
        """The Bot API; with ``dies_at``, that request never returns (killed while it is in
        flight: Telegram never got it)."""
        self.made += 1
        if self.made == self.dies_at:
            self.died.set()
            await asyncio.Event().wait()
        assert isinstance(request, SendText)
        return await self.api.send(request)


async def test_a_repeat_after_a_crash_mid_reply_sends_only_the_rest(
    fake: FakeBotApi, api: AiogramApi, shipped_matcher: Matcher
) -> None:
    store = FakeStore()
    update = api.parse_update(await fake.add_update(b.text(MERCHANT, PERSON)))

    first = Process(api, store, shipped_matcher, dies_at=2)
    answered = await first.intake.process(update)
    await asyncio.wait_for(first.died.wait(), 10)
    gone_out = fake.texts(MERCHANT)
    assert len(gone_out) == 1  # the hand-over went out; the process died sending the notice
    assert answered is not None and not answered.done()  # so the update is not confirmed

    second = Process(api, store, shipped_matcher)  # restarted on the same store
    again = await second.intake.process(update)  # Telegram delivers the update again
    assert again is not None
    await asyncio.wait_for(again, 10)
    texts = fake.texts(MERCHANT)
    assert texts[0] == gone_out[0]
    assert len(texts) == 2, texts  # the notice once; the hand-over not a second time
    assert texts[1] != texts[0]

    third = Process(api, store, shipped_matcher)  # and once more: all of it recorded as sent
    assert await third.intake.process(update) is None
    assert len(fake.texts(MERCHANT)) == 2
    await first.sender.drain(0)


async def test_a_crash_after_the_last_message_sends_nothing_again_once_recorded(
    fake: FakeBotApi, api: AiogramApi, shipped_matcher: Matcher
) -> None:
    store = FakeStore()
    update = api.parse_update(await fake.add_update(b.text(MERCHANT, PERSON)))
    first = Process(api, store, shipped_matcher)
    answered = await first.intake.process(update)
    assert answered is not None
    await asyncio.wait_for(answered, 10)
    assert len(fake.texts(MERCHANT)) == 2
    second = Process(api, store, shipped_matcher)
    assert await second.intake.process(update) is None
    assert len(fake.texts(MERCHANT)) == 2


class Told:
    """A ``Progress`` that writes down what the sender told it."""

    def __init__(self) -> None:
        self.events: list[str] = []

    async def ready(self) -> None:
        self.events.append("ready")

    async def went_out(self, sent: int) -> None:
        self.events.append(f"out {sent}")

    async def not_sent(self) -> None:
        self.events.append("not sent")


async def test_the_sender_tells_progress_request_by_request_retries_included() -> None:
    made: list[str] = []
    failures = iter([True, False, False])

    async def transport(request: Request) -> int:
        assert isinstance(request, SendText)
        if request.text == "two" and next(failures):
            raise TgApiError(502, "Bad Gateway")
        made.append(request.text)
        return len(made)

    sender = Sender(transport, RateLimiter(FAST_LIMITS), FAST_RETRY)
    told = Told()
    done = sender.post(
        MERCHANT, Tracked([SendText(MERCHANT, "one"), SendText(MERCHANT, "two")], told)
    )
    assert await asyncio.wait_for(done, 10)
    assert made == ["one", "two"]
    assert told.events == ["ready", "out 1", "ready", "not sent", "ready", "out 2"]


async def test_progress_that_fails_never_fails_the_send() -> None:
    class Broken(Told):
        async def ready(self) -> None:
            raise ConnectionError("database unavailable")

        async def went_out(self, sent: int) -> None:
            raise ConnectionError("database unavailable")

    async def transport(request: Request) -> int:
        return 1

    sender = Sender(transport, RateLimiter(FAST_LIMITS), FAST_RETRY)
    done = sender.post(MERCHANT, Tracked([SendText(MERCHANT, "one")], Broken()))
    assert await asyncio.wait_for(done, 10) is True
