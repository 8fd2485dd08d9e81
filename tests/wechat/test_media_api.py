"""media/get (temporary media) against the fake WeChat API server over real HTTP: the bytes, a
refreshed token, WeChat's errcode answers, retries and the size cut."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.channels.wechat.api import ApiError, CustomerServiceApi
from tests.wechat.fake_api import FakeWechatApi
from tests.wechat.wire import APP_ID, SECRET

PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8


class Sleeps(list[float]):
    async def __call__(self, seconds: float) -> None:
        self.append(seconds)


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()


@pytest.fixture
async def api(fake_api: FakeWechatApi, sleeps: Sleeps) -> AsyncIterator[CustomerServiceApi]:
    client = CustomerServiceApi(APP_ID, SECRET, fake_api.url, sleep=sleeps)
    yield client
    await client.aclose()


async def test_the_bytes_come_back_as_served(
    api: CustomerServiceApi, fake_api: FakeWechatApi
) -> None:
    fake_api.media["m1"] = (PNG, "image/png")
    assert await api.media("m1", 1024 * 1024) == PNG
    assert fake_api.media_calls == ["m1"]


async def test_a_larger_file_is_cut_just_past_the_limit(
    api: CustomerServiceApi, fake_api: FakeWechatApi
) -> None:
    fake_api.media["big"] = (b"%PDF-1.4\n" + b"x" * 500_000, "application/pdf")
    data = await api.media("big", 1000)
    assert 1000 < len(data) < 500_000 and data.startswith(b"%PDF-")


@pytest.mark.parametrize("code", [40001, 42001])
async def test_an_expired_token_is_replaced_and_the_download_retried(
    api: CustomerServiceApi, fake_api: FakeWechatApi, code: int
) -> None:
    fake_api.media["m1"] = (PNG, "image/png")
    assert await api.media("m1", 1 << 20) == PNG
    fake_api.media_script = [code]
    assert await api.media("m1", 1 << 20) == PNG
    assert len(fake_api.token_requests) == 2 and len(fake_api.media_calls) == 3


async def test_an_unknown_or_expired_media_id_is_permanent_and_not_retried(
    api: CustomerServiceApi, fake_api: FakeWechatApi, sleeps: Sleeps
) -> None:
    with pytest.raises(ApiError) as caught:
        await api.media("gone", 1 << 20)
    assert caught.value.permanent and caught.value.errcode == 40007
    assert fake_api.media_calls == ["gone"] and sleeps == []


async def test_a_busy_system_is_retried_then_given_up(
    api: CustomerServiceApi, fake_api: FakeWechatApi, sleeps: Sleeps
) -> None:
    fake_api.media["m1"] = (PNG, "image/png")
    fake_api.media_script = [-1, -1]
    assert await api.media("m1", 1 << 20) == PNG
    assert sleeps == [0.5, 1.0]
    fake_api.media_script = [-1] * 4
    with pytest.raises(ApiError) as caught:
        await api.media("m1", 1 << 20)
    assert not caught.value.permanent and "-1" in caught.value.reason
