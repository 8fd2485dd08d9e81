"""Who is chatting: a random token in an HttpOnly cookie, created on the first visit."""

from __future__ import annotations

import hashlib
import re
import secrets

from starlette.requests import Request
from starlette.responses import Response

from bot.core.types import MerchantKey

COOKIE_NAME = "mb_chat"
COOKIE_MAX_AGE = 400 * 24 * 3600  # the longest lifetime browsers accept (400 days)
CHANNEL = "web"
_TOKEN_RE = re.compile(r"[A-Za-z0-9_-]{32,128}")


def new_token() -> str:
    """A fresh random URL-safe secret (256 bits)."""
    return secrets.token_urlsafe(32)


def token_of(request: Request) -> tuple[str, bool]:
    """The request's token and whether it is new (no cookie, or one that is not ours)."""
    token = request.cookies.get(COOKIE_NAME, "")
    if _TOKEN_RE.fullmatch(token):
        return token, False
    return new_token(), True


def merchant_key(token: str) -> MerchantKey:
    """The merchant behind a token; storage keeps a hash, so its rows cannot be replayed."""
    return MerchantKey(CHANNEL, hashlib.sha256(token.encode("ascii")).hexdigest())


def remember(response: Response, request: Request, token: str) -> None:
    """Set the cookie: HttpOnly, SameSite=Lax, Secure when the request came over https."""
    response.set_cookie(
        COOKIE_NAME,
        token,
        max_age=COOKIE_MAX_AGE,
        path="/",
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
    )
