"""The customer-service API client against the fake WeChat API server over real HTTP."""

from __future__ import annotations

import json
import socket
from collections.abc import AsyncIterator, Callable

import pytest

from bot.channels.wechat.api import ApiError, CustomerServiceApi
from bot.core.outbound import DeliveryError
from tests.wechat.fake_api import FakeWechatApi
from tests.wechat.wire import APP_ID, SECRET

OPENID = "oia2TjjewbmiOUlr6X-1crbLOvLw"


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class Sleeps(list[float]):
    async def __call__(self, seconds: float) -> None:
        self.append(seconds)


MakeApi = Callable[..., CustomerServiceApi]


@pytest.fixture
async def make_api(fake_api: FakeWechatApi) -> AsyncIterator[MakeApi]:
    made: list[CustomerServiceApi] = []

    def make(
        secret: str = SECRET,
        url: str = "",
        clock: Clock | None = None,
        sleeps: Sleeps | None = None,
    ) -> CustomerServiceApi:
        api = CustomerServiceApi(
            APP_ID,
            secret,
            url or fake_api.url,
            clock=clock or Clock(),
            sleep=Sleeps() if sleeps is None else sleeps,
        )
        made.append(api)
        return api

    yield make
    for api in made:
        await api.aclose()


async def test_text_goes_out_as_utf8_json_with_one_cached_token(
    make_api: MakeApi, fake_api: FakeWechatApi
) -> None:
    api = make_api()
    await api.send_text(OPENID, "您好，保证金为500美元。")
    await api.send_text(OPENID, "second")
    assert fake_api.token_requests == [
        {"grant_type": "client_credential", "appid": APP_ID, "secret": SECRET}
    ]
    first = fake_api.sent[0]
    assert (first.touser, first.content, first.token) == (
        OPENID, "您好，保证金为500美元。", "ACCESS_TOKEN_1",
    )  # fmt: skip
    # WeChat shows \\uXXXX escapes literally: the body must carry the characters themselves.
    assert "保证金".encode() in first.raw and b"\\u" not in first.raw
    assert json.loads(first.raw) == {
        "touser": OPENID, "msgtype": "text", "text": {"content": "您好，保证金为500美元。"},
    }  # fmt: skip
    assert first.content_type.startswith("application/json")


async def test_the_token_is_refreshed_before_it_expires(
    make_api: MakeApi, fake_api: FakeWechatApi
) -> None:
    fake_api.expires_in = 7200
    clock = Clock()
    api = make_api(clock=clock)
    assert await api.token() == "ACCESS_TOKEN_1"
    clock.now += 7200 - 301  # still more than the 5-minute margin left
    assert await api.token() == "ACCESS_TOKEN_1"
    clock.now += 2
    assert await api.token() == "ACCESS_TOKEN_2"
    assert len(fake_api.token_requests) == 2


@pytest.mark.parametrize("code", [40001, 42001])
async def test_an_invalid_or_expired_token_is_replaced_and_the_send_retried(
    make_api: MakeApi, fake_api: FakeWechatApi, code: int
) -> None:
    api = make_api()
    await api.send_text(OPENID, "one")
    fake_api.script = [code]
    await api.send_text(OPENID, "two")
    assert [s.content for s in fake_api.sent] == ["one", "two"]
    assert fake_api.sent[1].token == "ACCESS_TOKEN_2"
    assert len(fake_api.token_requests) == 2


async def test_a_token_voided_elsewhere_is_replaced(
    make_api: MakeApi, fake_api: FakeWechatApi
) -> None:
    api = make_api()
    await api.send_text(OPENID, "one")
    fake_api.revoke_tokens()  # another server fetched a token: ours answers 40001 now
    await api.send_text(OPENID, "two")
    assert [s.token for s in fake_api.sent] == ["ACCESS_TOKEN_1", "ACCESS_TOKEN_2"]


@pytest.mark.parametrize("code", [45015, 45047, 43004, 40003])
async def test_refusals_that_cannot_change_are_permanent_and_not_retried(
    make_api: MakeApi, fake_api: FakeWechatApi, code: int
) -> None:
    sleeps = Sleeps()
    api = make_api(sleeps=sleeps)
    fake_api.script = [code]
    with pytest.raises(ApiError) as caught:
        await api.send_text(OPENID, "late")
    assert caught.value.permanent and caught.value.errcode == code
    assert str(code) in caught.value.reason
    assert fake_api.send_calls == 1 and sleeps == []


async def test_a_busy_system_is_retried_with_backoff(
    make_api: MakeApi, fake_api: FakeWechatApi
) -> None:
    sleeps = Sleeps()
    api = make_api(sleeps=sleeps)
    fake_api.script = [-1, -1]
    await api.send_text(OPENID, "eventually")
    assert [s.content for s in fake_api.sent] == ["eventually"]
    assert sleeps == [0.5, 1.0]


async def test_retries_give_up_as_a_transient_failure(
    make_api: MakeApi, fake_api: FakeWechatApi
) -> None:
    sleeps = Sleeps()
    api = make_api(sleeps=sleeps)
    fake_api.script = [-1] * 4
    with pytest.raises(DeliveryError) as caught:
        await api.send_text(OPENID, "never")
    assert not caught.value.permanent
    assert fake_api.send_calls == 4 and sleeps == [0.5, 1.0, 2.0]


async def test_an_unreachable_api_is_transient(make_api: MakeApi) -> None:
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{s.getsockname()[1]}"
    sleeps = Sleeps()
    api = make_api(url=closed, sleeps=sleeps)
    with pytest.raises(DeliveryError) as caught:
        await api.send_text(OPENID, "x")
    assert not caught.value.permanent and "ConnectError" in caught.value.reason
    assert len(sleeps) == 3


async def test_a_wrong_secret_is_permanent(make_api: MakeApi, fake_api: FakeWechatApi) -> None:
    api = make_api(secret="wrong")
    with pytest.raises(ApiError) as caught:
        await api.send_text(OPENID, "x")
    assert caught.value.permanent and caught.value.errcode == 40125
    assert fake_api.send_calls == 0
