"""Hostile or broken pushes, correctly signed: XXE, entity bombs, oversized and malformed bodies
get a 4xx and are never processed."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.fakes import FakeStore
from tests.wechat import reference, wire
from tests.wechat.conftest import MakeBot
from tests.wechat.fake_api import FakeWechatApi
from tests.wechat.wire import ACCOUNT

OPENID = "oXXE0000000000000000000000"
HEAD = f"<ToUserName>{ACCOUNT}</ToUserName><FromUserName>{OPENID}</FromUserName>"
MSG = f"{HEAD}<CreateTime>1409735668</CreateTime><MsgType>text</MsgType><MsgId>1</MsgId>"

XXE_FILE = (
    '<?xml version="1.0"?><!DOCTYPE xml [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
    f"<xml>{MSG}<Content>&xxe;</Content></xml>"
)
LAUGHS = (
    '<?xml version="1.0"?><!DOCTYPE xml [<!ENTITY lol "lol">'
    + "".join(f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10)).replace(
        "&lol0;", "&lol;"
    )
    + f"]><xml>{MSG}<Content>&lol9;</Content></xml>"
)


def external_dtd(url: str) -> str:
    return f'<?xml version="1.0"?><!DOCTYPE xml SYSTEM "{url}"><xml>{MSG}<Content>x</Content></xml>'


@pytest.mark.parametrize("safe", [False, True])
async def test_external_entities_and_bombs_are_refused(
    make_bot: MakeBot, store: FakeStore, fake_api: FakeWechatApi, safe: bool
) -> None:
    bot = await make_bot(safe=safe)
    dtd = external_dtd(f"{fake_api.url}/cgi-bin/token?grant_type=evil.dtd")
    for body in (XXE_FILE, LAUGHS, dtd):
        response = await bot.post(body)
        assert response.status_code == 400, body[:60]
        assert response.text.endswith("DTDForbidden")  # refused at the DOCTYPE: none expanded
        assert "root:" not in response.text
    assert store.committed.messages == []
    assert fake_api.token_requests == []  # the external DTD was never fetched


@pytest.mark.parametrize(
    "body",
    [
        f"<xml>{MSG}<Content>cut short",  # truncated
        f"<message>{MSG}<Content>x</Content></message>",  # not WeChat's root
        f"<xml>{MSG.replace(HEAD, '')}<Content>x</Content></xml>",  # no sender
        f"<xml>{MSG.replace('1409735668', 'yesterday')}<Content>x</Content></xml>",
        "",
        "not xml at all",
    ],
)
async def test_malformed_xml_is_a_400(make_bot: MakeBot, store: FakeStore, body: str) -> None:
    bot = await make_bot()
    assert (await bot.post(body)).status_code == 400
    assert store.committed.messages == []


async def test_oversized_bodies_are_413_declared_or_streamed(
    make_bot: MakeBot, store: FakeStore
) -> None:
    bot = await make_bot()
    huge = wire.text(OPENID, "保证金" * 12_000)  # ~36 KB, over the 32 KiB limit
    assert (await bot.post(huge)).status_code == 413

    params, body = bot.wire.push(huge)

    async def stream() -> AsyncIterator[bytes]:  # no content-length: chunked upload
        for i in range(0, len(body), 4096):
            yield body[i : i + 4096]

    response = await bot.client.post("/wechat", params=params, content=stream())
    assert response.status_code == 413
    assert store.committed.messages == []


async def test_safe_mode_garbage_inside_a_valid_signature_is_a_400(
    make_bot: MakeBot, store: FakeStore
) -> None:
    bot = await make_bot(safe=True)
    params, _ = bot.wire.push(wire.text(OPENID, "x"))
    garbage = "bm90IGEgcmVhbCBjaXBoZXJ0ZXh0IGF0IGFsbA=="  # base64, not a multiple of 16 bytes
    signed = params | {
        "msg_signature": reference.signature(
            wire.TOKEN, params["timestamp"], params["nonce"], garbage
        )
    }
    body = f"<xml><ToUserName>{ACCOUNT}</ToUserName><Encrypt>{garbage}</Encrypt></xml>"
    response = await bot.client.post("/wechat", params=signed, content=body.encode())
    assert response.status_code == 400
    assert store.committed.messages == []
