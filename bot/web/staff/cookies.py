"""The staff console's cookies: the session, the sign-in form's CSRF token, the time zone and
the agent's language (chosen in the console; kept per browser for a year).

Over https the names carry the ``__Host-`` prefix (Secure, Path=/, no Domain: no sibling or
plain-http origin can set or shadow them); over plain http (a laptop) they cannot, so they
go without it, as the merchant cookie does (``bot.web.session``).
"""

from __future__ import annotations

import re
import secrets
from datetime import timedelta

from starlette.requests import Request
from starlette.responses import Response

from bot.i18n import UI_LOCALES, UiLocale, locale_from_accept_language

SESSION = "mb_staff"
LOGIN_CSRF = "mb_staff_login"
TIME_ZONE = "mb_staff_tz"  # set by console.js so times read in the agent's own zone
LANGUAGE = "mb_staff_lang"  # the console's language, set by POST /staff/language
LANGUAGE_TTL = timedelta(days=365)
LOGIN_CSRF_TTL = timedelta(hours=1)
_TOKEN_RE = re.compile(r"[A-Za-z0-9_-]{43}")
_ZONE_RE = re.compile(r"[A-Za-z0-9_+\-/]{1,64}")


def secure(request: Request) -> bool:
    """Whether the request came over https (uvicorn honours X-Forwarded-Proto from the proxy)."""
    return request.url.scheme == "https"


def name(request: Request, base: str) -> str:
    """A cookie's name for this request: ``__Host-`` prefixed over https."""
    return f"__Host-{base}" if secure(request) else base


def read(request: Request, base: str) -> str | None:
    """A token cookie's value when it is well formed."""
    value = request.cookies.get(name(request, base), "")
    return value if _TOKEN_RE.fullmatch(value) else None


def put(response: Response, request: Request, base: str, value: str, max_age: timedelta) -> None:
    """Set a token cookie: HttpOnly, SameSite=Lax, Secure over https, path /."""
    response.set_cookie(
        name(request, base),
        value,
        max_age=int(max_age.total_seconds()),
        path="/",
        httponly=True,
        samesite="lax",
        secure=secure(request),
    )


def drop(response: Response, request: Request, base: str) -> None:
    """Delete a token cookie (with the same attributes, or browsers keep it)."""
    response.delete_cookie(
        name(request, base), path="/", httponly=True, samesite="lax", secure=secure(request)
    )


def login_token(request: Request) -> tuple[str, bool]:
    """The sign-in form's CSRF token and whether it is new (to be set on the response)."""
    found = read(request, LOGIN_CSRF)
    return (found, False) if found else (secrets.token_urlsafe(32), True)


def time_zone(request: Request) -> str | None:
    """The agent's IANA time zone name, if the page told us (checked again when used)."""
    value = request.cookies.get(TIME_ZONE, "")
    return value if _ZONE_RE.fullmatch(value) else None


def language(request: Request) -> UiLocale:
    """The console's language for this browser: the agent's choice (the cookie), else the
    browser's Accept-Language, else English."""
    value = request.cookies.get(name(request, LANGUAGE), "")
    chosen = next((loc for loc in UI_LOCALES if loc == value), None)
    if chosen is not None:
        return chosen
    return locale_from_accept_language(request.headers.get("accept-language")) or "en"


def put_language(response: Response, request: Request, locale: UiLocale) -> None:
    """Remember the agent's language (Secure over https; readable by no script)."""
    put(response, request, LANGUAGE, locale, LANGUAGE_TTL)
