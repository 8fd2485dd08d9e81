"""Security headers on every response: a strict same-origin content policy, no framing."""

from __future__ import annotations

from starlette.types import Message, Receive, Scope, Send

from bot.web.asgi import HttpMiddleware, on_response_start

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
HEADERS: tuple[tuple[bytes, bytes], ...] = (
    (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
    (b"x-frame-options", b"DENY"),
)


class SecurityHeaders(HttpMiddleware):
    """ASGI middleware that adds ``HEADERS`` to each HTTP response that lacks them."""

    async def http(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Pass the request on; add the headers as the response starts."""
        await self.app(scope, receive, on_response_start(send, _with_headers))


def _with_headers(message: Message) -> Message:
    headers = list(message.get("headers", []))
    present = {name.lower() for name, _ in headers}
    headers += [(k, v) for k, v in HEADERS if k not in present]
    return {**message, "headers": headers}
