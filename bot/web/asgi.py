"""The skeleton the app's pure ASGI middlewares share: HTTP requests only, and a look at (or a
change to) the response's start message on its way out."""

from __future__ import annotations

from collections.abc import Callable

from starlette.types import ASGIApp, Message, Receive, Scope, Send


class HttpMiddleware:
    """Pure ASGI middleware for HTTP requests; other scopes (lifespan, websockets) pass by."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Hand an HTTP request to ``http``; pass anything else on untouched."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        await self.http(scope, receive, send)

    async def http(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Handle one HTTP request, passing it on to ``self.app``."""
        raise NotImplementedError


def on_response_start(send: Send, edit: Callable[[Message], Message]) -> Send:
    """``send``, with the response's start message (status and headers) through ``edit``."""

    async def sending(message: Message) -> None:
        if message["type"] == "http.response.start":
            message = edit(message)
        await send(message)

    return sending
