"""Signing in and out of the console.

The sign-in form has no session yet, so its CSRF token is a double submit: a random value in a
cookie and in the form, which another site can neither read nor set.

Sign-in needs no account, so it is rationed before any password is checked: each client
address gets 10 tries a minute (429 with Retry-After past that; counted across the replicas with
``REDIS_URL``, else per process), and when the hash gate is full
the attempt is refused at once (429) rather than queued.
"""

from __future__ import annotations

import ipaddress
import logging
from datetime import timedelta

from starlette.requests import Request
from starlette.responses import Response

from bot.formatting import clock, duration
from bot.i18n import UI_LOCALES, _
from bot.staff.throttle import AttemptLimit, Busy, SlidingWindow
from bot.web.staff import cookies
from bot.web.staff.forms import FormError, posted_csrf, read_form, same_token
from bot.web.staff.pages import BAD_CSRF, PREFIX, Pages, locale, safe_next, say, see_other

SIGN_IN_FAILED = _(
    "Wrong username or password. After 5 failed attempts an account is locked for 15 minutes."
)
LOCKED = _(
    "This account is locked after too many failed sign-ins. Try again at {time} (in {wait})."
)
FORM_EXPIRED = _("The sign-in form had expired. Please sign in again.")
TOO_MANY = _("Too many sign-in attempts from your network. Try again in {wait}.")
BUSY = _("The console is busy checking other sign-ins. Please try again in a few seconds.")
BUSY_RETRY_AFTER = 2  # seconds: a full gate drains in well under that

log = logging.getLogger(__name__)


def client_address(request: Request) -> str:
    """Whom a sign-in attempt is counted against: the client's IP address, an IPv6 one by its
    /64 (one host commonly holds a whole /64). Behind a proxy, uvicorn puts the forwarded
    address here when the proxy is trusted (``FORWARDED_ALLOW_IPS``)."""
    host = request.client.host if request.client else ""
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return host or "unknown"
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.IPv6Network((address, 64), strict=False))
    return str(address)


class SignIn:
    """GET and POST /staff/login, POST /staff/logout."""

    def __init__(self, pages: Pages, limiter: AttemptLimit | None = None) -> None:
        self.pages = pages
        self.limiter: AttemptLimit = SlidingWindow() if limiter is None else limiter

    async def form(self, request: Request) -> Response:
        """The sign-in form (or the queue, for a browser already signed in)."""
        if await self.pages.signed_in(request) is not None:
            return see_other(f"{PREFIX}/")
        return self._form(request, safe_next(request.query_params.get("next", "")))

    async def login(self, request: Request) -> Response:
        """Check the form's CSRF token and the password; on success set the session cookie."""
        try:
            form = await read_form(request)
        except FormError as exc:
            return self._form(request, f"{PREFIX}/", exc.text(locale(request)), exc.status)
        next_url = safe_next(form.get("next"))
        username = form.get("username")[:64]
        if not same_token(form.get("csrf"), cookies.read(request, cookies.LOGIN_CSRF) or ""):
            return self._form(request, next_url, say(request, FORM_EXPIRED), 403, username)
        wait = await self.limiter.check(client_address(request))
        if wait is not None:
            log.info("staff sign-in refused: too many attempts from the address")
            seconds = duration(timedelta(seconds=wait), locale(request), threshold=1)
            message = say(request, TOO_MANY, wait=seconds)
            refused = self._form(request, next_url, message, 429, username)
            refused.headers["retry-after"] = str(wait)
            return refused
        auth = self.pages.auth
        try:
            login = await auth.login(username, form.get("password"))
        except Busy:
            log.info("staff sign-in refused: too many password checks at once")
            refused = self._form(request, next_url, say(request, BUSY), 429, username)
            refused.headers["retry-after"] = str(BUSY_RETRY_AFTER)
            return refused
        if login is None:
            return self._form(
                request, next_url, await self._refusal(request, username), 401, username
            )
        response = see_other(next_url)
        cookies.put(response, request, cookies.SESSION, login.token, auth.session_ttl)
        cookies.drop(response, request, cookies.LOGIN_CSRF)
        return response

    async def logout(self, request: Request) -> Response:
        """End the session (a CSRF-checked post, so no other site can sign an agent out)."""
        signed = await self.pages.signed_in(request)
        if signed is None:
            return see_other(f"{PREFIX}/login")
        try:
            form = await read_form(request)
        except FormError as exc:
            return self.pages.error(request, signed, exc.status, exc.text(locale(request)))
        if not same_token(posted_csrf(request, form), signed.session.csrf):
            return self.pages.error(request, signed, 403, say(request, BAD_CSRF))
        await self.pages.auth.logout(cookies.read(request, cookies.SESSION))
        response = see_other(f"{PREFIX}/login")
        cookies.drop(response, request, cookies.SESSION)
        return response

    async def language(self, request: Request) -> Response:
        """Switch the console's language (a CSRF-checked post from the selector on every page):
        kept in a cookie for this browser, then back to the page the agent was on."""
        try:
            form = await read_form(request)
        except FormError as exc:
            return self._form(request, f"{PREFIX}/", exc.text(locale(request)), exc.status)
        next_url = safe_next(form.get("next"))
        signed = await self.pages.signed_in(request)
        expected = signed.session.csrf if signed else cookies.read(request, cookies.LOGIN_CSRF)
        if not same_token(posted_csrf(request, form), expected or ""):
            message = say(request, BAD_CSRF)
            if signed is not None:
                return self.pages.error(request, signed, 403, message)
            return self._form(request, next_url, message, 403)
        response = see_other(next_url)
        chosen = next((loc for loc in UI_LOCALES if loc == form.get("lang")), None)
        if chosen is not None:
            cookies.put_language(response, request, chosen)
        return response

    async def _refusal(self, request: Request, username: str) -> str:
        """Why a sign-in failed: a known, locked account is told until when; anything else
        (an unknown name, a wrong password, a disabled account) gets the same sentence."""
        until = await self.pages.auth.locked_until(username)
        if until is None:
            return say(request, SIGN_IN_FAILED)
        ui, tz = locale(request), cookies.time_zone(request)
        left = max(until - self.pages.clock(), timedelta(minutes=1))
        wait = duration(left, ui, threshold=1)
        return say(request, LOCKED, time=clock(until, ui, tz), wait=wait)

    def _form(
        self, request: Request, next_url: str, error: str = "", status: int = 200, name: str = ""
    ) -> Response:
        token, new = cookies.login_token(request)
        response = self.pages.render(
            request, "login.html", status, csrf=token, next=next_url, error=error, username=name
        )
        if new:
            cookies.put(response, request, cookies.LOGIN_CSRF, token, cookies.LOGIN_CSRF_TTL)
        return response
