"""The channel behind a real uvicorn server on 127.0.0.1, in safe mode, over HTTP: WeChat's URL
check, a passive answer, and a slow answer that goes out through the fake API server."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator

import httpx
import pytest
import uvicorn

from bot.channels.wechat import WechatConfig, build_channel
from bot.core.conversation import ConversationService
from bot.web import create_app
from tests.fakes import FakeStore
from tests.wechat import wire
from tests.wechat.conftest import healthy
from tests.wechat.fake_api import FakeWechatApi
from tests.wechat.services import Gated
from tests.wechat.wire import AES_KEY, APP_ID, SECRET, TOKEN, Wire

pytestmark = pytest.mark.slow
OPENID = "oUvicornMerchant0000000000"


@pytest.fixture
async def server(
    fake_api: FakeWechatApi, conversation: ConversationService
) -> AsyncIterator[tuple[str, Gated]]:
    service = Gated(conversation)
    service.gate.set()
    # The budget: ample for an answer that is ready, and the wait for one that is not.
    config = WechatConfig(TOKEN, APP_ID, SECRET, AES_KEY, fake_api.url, passive_budget=1.0)
    channel = build_channel(service, config)
    app = create_app(service, healthy, routes=channel.routes())  # type: ignore[arg-type]
    sock = socket.socket()  # bound here and handed over: no other process can take the port
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    uv = uvicorn.Server(uvicorn.Config(app, log_config=None, lifespan="off"))
    task = asyncio.create_task(uv.serve(sockets=[sock]))
    async with asyncio.timeout(10):
        while not uv.started:
            await asyncio.sleep(0.01)
    yield f"http://127.0.0.1:{port}", service
    await channel.stop()
    uv.should_exit = True
    await task
    sock.close()


async def test_safe_mode_over_real_http(
    server: tuple[str, Gated], fake_api: FakeWechatApi, store: FakeStore
) -> None:
    url, service = server
    channel = Wire(aes_key=AES_KEY)
    async with httpx.AsyncClient(base_url=url) as client:
        check = await client.get("/wechat", params=channel.verification("echo-123"))
        assert (check.status_code, check.text) == (200, "echo-123")

        params, body = channel.push(wire.text(OPENID, "保证金要交多少？"))
        response = await client.post("/wechat", params=params, content=body)
        reply = channel.read(response.content)
        assert reply is not None and "500" in reply["Content"]  # passive: within the budget

        service.gate.clear()  # the next answer takes longer than the passive budget
        xml = wire.text(OPENID, "佣金比例是多少？")
        params, body = channel.push(xml)
        late = await client.post("/wechat", params=params, content=body)
        assert (late.status_code, late.text) == (200, "success")
        params, body = channel.push(xml)  # WeChat's retry
        assert (await client.post("/wechat", params=params, content=body)).text == "success"
        service.gate.set()
        [sent] = await fake_api.wait_sent(1)
        assert sent.touser == OPENID and "%" in sent.content

        forged = channel.push(xml)[0] | {"msg_signature": "f" * 40}
        assert (await client.post("/wechat", params=forged, content=body)).status_code == 403
    assert len([m for m in store.committed.messages if m.direction == "in"]) == 2
