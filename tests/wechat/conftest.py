"""Fixtures: the fake WeChat API server, and the real app with the WeChat routes mounted."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from bot.channels.wechat import WechatChannel, WechatConfig, build_channel
from bot.core.conversation import ConversationService
from bot.core.ports import Conversation
from bot.faq.matcher import Matcher
from bot.web import create_app
from tests.fakes import FakeStore
from tests.wechat.fake_api import FakeWechatApi
from tests.wechat.wire import AES_KEY, APP_ID, SECRET, TOKEN, Wire


@pytest.fixture
async def fake_api() -> AsyncIterator[FakeWechatApi]:
    api = FakeWechatApi()
    await api.start()
    yield api
    await api.stop()


@pytest.fixture
def conversation(shipped_matcher: Matcher, store: FakeStore) -> ConversationService:
    return ConversationService(lambda: shipped_matcher, store.uow)


async def healthy() -> dict[str, Any]:
    return {"ok": True}


@dataclass
class Bot:
    """The app as WeChat sees it: post pushes, read passive replies."""

    client: httpx.AsyncClient
    wire: Wire
    channel: WechatChannel

    async def post(self, xml: str) -> httpx.Response:
        """POST one push, signed (and encrypted in safe mode) as WeChat does."""
        params, body = self.wire.push(xml)
        return await self.client.post("/wechat", params=params, content=body)

    async def say(self, xml: str) -> dict[str, Any] | None:
        """POST a push that must be accepted; the passive reply's fields (None: "success")."""
        response = await self.post(xml)
        assert response.status_code == 200, response.text
        return self.wire.read(response.content)

    async def content(self, xml: str) -> str:
        """The text of the passive reply to a push."""
        reply = await self.say(xml)
        assert reply is not None, "expected a passive reply, got success"
        return str(reply["Content"])


MakeBot = Callable[..., Awaitable[Bot]]


@pytest.fixture
async def make_bot(
    fake_api: FakeWechatApi, conversation: ConversationService
) -> AsyncIterator[MakeBot]:
    made: list[Bot] = []

    async def make(
        *, safe: bool = False, budget: float = 4.0, service: Conversation | None = None
    ) -> Bot:
        config = WechatConfig(
            TOKEN, APP_ID, SECRET, AES_KEY if safe else "", fake_api.url, passive_budget=budget
        )
        core = service or conversation
        channel = build_channel(core, config)
        app = create_app(core, healthy, routes=channel.routes())  # type: ignore[arg-type]
        transport = httpx.ASGITransport(app=app)
        client = httpx.AsyncClient(transport=transport, base_url="http://wechat.test")
        bot = Bot(client, Wire(aes_key=AES_KEY if safe else None), channel)
        made.append(bot)
        return bot

    yield make
    for bot in made:
        await bot.client.aclose()
        await bot.channel.stop()
