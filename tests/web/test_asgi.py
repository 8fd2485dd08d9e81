"""The middlewares' shared skeleton (``bot.web.asgi``), on a plain ASGI app of a few lines."""

from __future__ import annotations

from typing import Any

from starlette.types import Message, Receive, Scope, Send

from bot.web.asgi import HttpMiddleware, on_response_start
from bot.web.security import SecurityHeaders


async def plain_app(scope: Scope, receive: Receive, send: Send) -> None:
    """Answers HTTP with 201 and one header; for any other scope sends one message."""
    if scope["type"] == "http":
        start = {"type": "http.response.start", "status": 201, "headers": [(b"a", b"1")]}
        await send(start)
        await send({"type": "http.response.body", "body": b"ok"})
    else:
        await send({"type": f"{scope['type']}.startup.complete"})


class Marked(HttpMiddleware):
    """Adds ``x-seen`` to HTTP responses and counts the requests it handled."""

    handled = 0

    async def http(self, scope: Scope, receive: Receive, send: Send) -> None:
        Marked.handled += 1

        def mark(message: Message) -> Message:
            return {**message, "headers": [*message["headers"], (b"x-seen", b"yes")]}

        await self.app(scope, receive, on_response_start(send, mark))


async def run(app: Any, kind: str) -> list[Message]:
    sent: list[Message] = []

    async def receive() -> Message:
        return {"type": "http.request", "body": b""}

    async def send(message: Message) -> None:
        sent.append(message)

    await app({"type": kind, "headers": []}, receive, send)
    return sent


async def test_only_the_response_start_of_an_http_request_is_edited() -> None:
    Marked.handled = 0
    sent = await run(Marked(plain_app), "http")
    assert sent == [
        {
            "type": "http.response.start",
            "status": 201,
            "headers": [(b"a", b"1"), (b"x-seen", b"yes")],
        },
        {"type": "http.response.body", "body": b"ok"},
    ]
    assert Marked.handled == 1


async def test_other_scopes_pass_by_untouched() -> None:
    Marked.handled = 0
    assert await run(Marked(plain_app), "lifespan") == [{"type": "lifespan.startup.complete"}]
    assert Marked.handled == 0
    assert await run(SecurityHeaders(plain_app), "lifespan") == [
        {"type": "lifespan.startup.complete"}
    ]


async def test_security_headers_keep_the_app_s_own() -> None:
    sent = await run(SecurityHeaders(plain_app), "http")
    names = [name for name, _ in sent[0]["headers"]]
    assert names[0] == b"a" and b"x-frame-options" in names and sent[0]["status"] == 201
