"""The sender with a scripted transport and virtual time: order, retries, 429s, failures."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest

from bot.channels.telegram.api import TgApiError
from bot.channels.telegram.pacing import Limits, Rate, RateLimiter
from bot.channels.telegram.sender import FailedDelivery, RetryPolicy, Sender
from bot.channels.telegram.sends import SendRequest, SendText, SendVenue
from bot.core.types import MerchantKey


class Transport:
    """Records sends; ``errors[text]`` lists what the next attempts of that text raise."""

    def __init__(self) -> None:
        self.sent: list[tuple[int, str]] = []
        self.attempts: list[str] = []
        self.errors: dict[str, list[TgApiError]] = {}
        self.ids: Iterator[int] = iter(range(1, 10_000))

    async def __call__(self, request: SendRequest) -> int:
        text = request.text if isinstance(request, SendText) else request.title
        self.attempts.append(text)
        await asyncio.sleep(0)
        queued = self.errors.get(text)
        if queued:
            raise queued.pop(0)
        self.sent.append((request.chat_id, text))
        return next(self.ids)


class World:
    def __init__(
        self, retry: RetryPolicy | None = None, transport: Transport | None = None
    ) -> None:
        self.transport = transport or Transport()
        self.waits: list[float] = []
        self.failures: list[FailedDelivery] = []
        limits = Limits(Rate(1000, 1.0), Rate(1000, 1.0), Rate(1000, 1.0))
        self.sender = Sender(
            self.transport,
            RateLimiter(limits),
            retry or RetryPolicy(),
            self.record,
            sleep=self.sleep,
        )

    async def sleep(self, seconds: float) -> None:
        self.waits.append(seconds)
        await asyncio.sleep(0)

    async def record(self, failure: FailedDelivery) -> None:
        self.failures.append(failure)

    async def settle(self) -> None:
        await self.sender.drain(5)


def texts(chat: int, *words: str) -> list[SendRequest]:
    return [SendText(chat, w) for w in words]


async def test_each_chat_in_order_chats_side_by_side() -> None:
    w = World()
    w.sender.post(1, texts(1, "a1", "a2"))
    w.sender.post(2, texts(2, "b1"))
    w.sender.post(1, texts(1, "a3"))
    await w.settle()
    assert [t for c, t in w.transport.sent if c == 1] == ["a1", "a2", "a3"]
    assert w.transport.sent.index((2, "b1")) < w.transport.sent.index((1, "a2"))
    assert w.sender.pending() == 0


async def test_429_waits_retry_after_and_is_not_a_failure() -> None:
    w = World()
    w.transport.errors["a"] = [TgApiError(429, "flood", retry_after=7)] * 2
    w.sender.post(1, texts(1, "a", "b"))
    await w.settle()
    assert w.waits == [7, 7] and w.transport.sent == [(1, "a"), (1, "b")]
    assert w.failures == []


async def test_transient_errors_back_off_then_fail_visibly() -> None:
    w = World(RetryPolicy(attempts=3, first_wait=0.5))
    w.transport.errors["b"] = [TgApiError(502, "Bad Gateway")] * 3
    w.sender.post(1, [SendText(1, "a"), SendText(1, "b"), SendVenue(1, 1.0, 2.0, "c", "addr")])
    w.sender.post(1, texts(1, "d"))
    await w.settle()
    assert w.waits == [0.5, 1.0]
    assert w.transport.sent == [(1, "a"), (1, "d")]  # the rest of the failed reply is held back
    (failure,) = w.failures
    assert failure == FailedDelivery(
        1, MerchantKey("telegram", "1"), ("b", "c\naddr"), "502: Bad Gateway", permanent=False
    )


async def test_permanent_errors_are_not_retried() -> None:
    w = World()
    w.transport.errors["a"] = [TgApiError(403, "Forbidden: bot was blocked by the user")]
    w.sender.post(5, texts(5, "a"))
    w.sender.post(-100, texts(-100, "x"))
    w.transport.errors["x"] = [TgApiError(400, "Bad Request: chat not found")]
    await w.settle()
    assert w.transport.attempts.count("a") == 1 and w.waits == []
    assert [(f.chat_id, f.permanent, f.merchant) for f in w.failures] == [
        (5, True, MerchantKey("telegram", "5")),
        (-100, True, None),
    ]


async def test_deliver_raises_instead_of_reporting() -> None:
    w = World()
    w.transport.errors["a"] = [TgApiError(403, "Forbidden")]
    with pytest.raises(TgApiError) as exc:
        await w.sender.deliver(1, texts(1, "a"))
    assert exc.value.permanent and w.failures == []
    await w.sender.deliver(1, texts(1, "b"))
    assert w.transport.sent == [(1, "b")]


class Broken(Transport):
    """A transport with a bug: "boom" crashes it."""

    async def __call__(self, request: SendRequest) -> int:
        if isinstance(request, SendText) and request.text == "boom":
            raise RuntimeError("adapter bug")
        return await super().__call__(request)


class Stuck(Transport):
    """A Bot API that never answers."""

    async def __call__(self, request: SendRequest) -> int:
        await asyncio.Event().wait()
        return 0


async def test_a_crashing_transport_fails_the_job_not_the_queue() -> None:
    w = World(transport=Broken())
    w.sender.post(1, texts(1, "boom"))
    w.sender.post(1, texts(1, "after"))
    await w.settle()
    assert w.transport.sent == [(1, "after")]
    assert w.failures[0].reason == "network: RuntimeError"


async def test_what_is_left_at_shutdown_is_reported() -> None:
    w = World(transport=Stuck())
    w.sender.post(1, texts(1, "a", "b"))
    w.sender.post(1, texts(1, "c"))
    await asyncio.sleep(0)
    await w.sender.drain(0.05)
    assert [f.texts for f in w.failures] == [("a", "b"), ("c",)]
    assert all(f.reason.endswith("not sent at shutdown") for f in w.failures)
    assert w.sender.pending() == 0
