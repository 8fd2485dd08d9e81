"""A request id for every HTTP request: taken from ``X-Request-ID`` (a proxy's) when sane,
else made here; every log line written while the request is handled carries it
(``bot.logs``), and the response returns it in ``X-Request-ID``."""

from __future__ import annotations

from starlette.types import Message, Receive, Scope, Send

from bot.logs import request_id_from, request_scope
from bot.web.asgi import HttpMiddleware, on_response_start

HEADER = b"x-request-id"


class RequestId(HttpMiddleware):
    """ASGI middleware: the request's id in the logs' context and the response's headers."""

    async def http(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Handle the request under its id; add the header as the response starts."""
        given = next((v for k, v in scope.get("headers", ()) if k.lower() == HEADER), b"")
        value = request_id_from(given.decode("latin-1"))

        def with_id(message: Message) -> Message:
            headers = [(k, v) for k, v in message.get("headers", []) if k.lower() != HEADER]
            return {**message, "headers": [*headers, (HEADER, value.encode())]}

        with request_scope(value):
            await self.app(scope, receive, on_response_start(send, with_id))
