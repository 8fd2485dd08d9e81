"""What every console handler shares: the services, templates, the session check, responses."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from bot.core.desk import Desk
from bot.core.teams import Team, TeamDirectory, team_by_id
from bot.core.texts import LANGUAGE_NAMES
from bot.i18n import UI_LOCALES, UiLocale, _, translate
from bot.staff.auth import SignedIn, StaffAuth
from bot.staff.macros import Macros
from bot.web.staff import cookies

HERE = Path(__file__).resolve().parent
TEMPLATES = HERE / "templates"
STATIC = HERE / "static"
PREFIX = "/staff"
SIGNED_OUT = _("Your session has ended. Please sign in again.")
BAD_CSRF = _("The form's security token is missing or wrong. Reload the page and try again.")
NO_TICKET = _("There is no ticket {ticket}.")
ERROR_CODES = {403: "csrf", 404: "not_found", 413: "too_large", 415: "unsupported"}
ERROR_TITLES = {403: _("Refused"), 404: _("Not found"), 413: _("Too large")}
BAD_REQUEST = _("Something is wrong with that request")
HTML_LANG = {"en": "en", "ko": "ko", "zh_Hans": "zh-Hans", "zh_Hant": "zh-Hant"}
_NEXT_RE = re.compile(r"/staff/[A-Za-z0-9/_.?=&%-]*")


def wants_json(request: Request) -> bool:
    """A fetch() from the console's script (it asks for JSON) rather than a form post."""
    return "application/json" in request.headers.get("accept", "")


def no_store(response: Response) -> Response:
    """Console pages hold merchants' conversations: never cache them."""
    response.headers["cache-control"] = "no-store"
    return response


def json_error(status: int, code: str, message: str) -> Response:
    """A JSON error in the app's shape (``message`` already in the agent's language)."""
    return no_store(JSONResponse({"error": code, "message": message}, status_code=status))


def locale(request: Request) -> UiLocale:
    """The console's language for this request (``cookies.language``)."""
    return cookies.language(request)


def say(request: Request, message: str, **values: object) -> str:
    """A marked console string in the agent's language."""
    return translate(locale(request), message, **values)


def see_other(url: str) -> Response:
    """Redirect-after-post (and after sign-in): the browser GETs ``url``."""
    return no_store(RedirectResponse(url, status_code=303))


def safe_next(value: str) -> str:
    """Where to go after signing in: a console path, never another site."""
    return value if _NEXT_RE.fullmatch(value) and "//" not in value else f"{PREFIX}/"


def static_version() -> str:
    """A digest of the static files, appended to their URLs so a new release is re-fetched."""
    digest = hashlib.sha256()
    for path in sorted(STATIC.iterdir()):
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


class Pages:
    """The console's services and templates, and the plumbing of its handlers."""

    def __init__(
        self,
        desk: Desk,
        auth: StaffAuth,
        macros: Callable[[], Macros],
        teams: Callable[[], TeamDirectory],
        clock: Callable[[], datetime],
    ) -> None:
        self.desk, self.auth, self.macros, self.teams = desk, auth, macros, teams
        self.clock = clock
        self.env = Environment(
            loader=FileSystemLoader(TEMPLATES),
            autoescape=select_autoescape(default=True, default_for_string=True),
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self.env.globals["static_version"] = static_version()

    def render(self, request: Request, name: str, status: int = 200, **context: Any) -> Response:
        """A template as an uncached HTML response, in the agent's language."""
        html = self.fragment(request, name, **context)
        response = no_store(HTMLResponse(html, status_code=status))
        response.headers["content-language"] = HTML_LANG[locale(request)]
        response.headers["vary"] = "Accept-Language, Cookie"
        return response

    def fragment(self, request: Request, name: str, **context: Any) -> str:
        """A (partial) template as a string in the agent's language (also for the pollers)."""
        ui = locale(request)
        here = request.url.path + (f"?{request.url.query}" if request.url.query else "")

        def gettext(message: str, **values: object) -> str:
            return translate(ui, message, **values)

        def team_label(team: Team) -> str:
            return team.display_name(ui)

        frame = {
            "_": gettext,
            "locale": ui,
            "html_lang": HTML_LANG[ui],
            "languages": [(loc, LANGUAGE_NAMES[loc]) for loc in UI_LOCALES],
            "here": safe_next(here),
            "team_label": team_label,
        }
        return self.env.get_template(name).render(**frame, **context)

    async def signed_in(self, request: Request) -> SignedIn | None:
        """The request's session, if it has a valid one."""
        return await self.auth.authenticate(cookies.read(request, cookies.SESSION))

    def to_login(self, request: Request, back: str | None = None) -> Response:
        """Send a signed-out browser to the sign-in form, coming back here afterwards."""
        here = back or request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return see_other(f"{PREFIX}/login?next={quote(safe_next(here), safe='')}")

    def common(self, signed: SignedIn) -> dict[str, Any]:
        """What the page frame needs: who is signed in, and the token for its forms."""
        return {"me": signed.account, "csrf": signed.session.csrf}

    def error(self, request: Request, signed: SignedIn, status: int, message: str) -> Response:
        """An error as JSON for fetch(), else as a page (``message`` already translated)."""
        if wants_json(request):
            return json_error(status, ERROR_CODES.get(status, "bad_request"), message)
        title = say(request, ERROR_TITLES.get(status, BAD_REQUEST))
        return self.render(
            request, "error.html", status, **self.common(signed), title=title, message=message
        )

    def team_name(self, team_id: str, ui: UiLocale = "en") -> str:
        """A team's display name in a UI locale."""
        return team_by_id(self.teams(), team_id).display_name(ui)
