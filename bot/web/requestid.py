"""A request id for every HTTP request: taken from ``X-Request-ID`` (a proxy's) when sane,
else made here; every log line written while the request is handled carries it
(``bot.logs``), and the response returns it in ``X-Request-ID``."""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from bot.logs import request_id_from, request_scope

HEADER = b"x-request-id"


class RequestId:
    """ASGI middleware: the request's id in the logs' context and the response's headers."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Handle the request under its id; add the header as the response starts."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        given = next((v for k, v in scope.get("headers", ()) if k.lower() == HEADER), b"")
        value = request_id_from(given.decode("latin-1"))

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [(k, v) for k, v in message.get("headers", []) if k.lower() != HEADER]
                message = {**message, "headers": [*headers, (HEADER, value.encode())]}
            await send(message)

        with request_scope(value):
            await self.app(scope, receive, send_with_id)
