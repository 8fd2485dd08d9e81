"""A ticket's page, its poller, and the actions on it (claim, assign, reply, note, ...).

Actions are form posts answered with a redirect back to the page, or fetch() calls (asking for
JSON) answered with ``{"ok": true}``. A refused action shows the agent why (409), with the
text they were writing kept.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import asdict
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from bot.core.desk import NotFound, Refused
from bot.core.files import kind_names
from bot.core.tickets import Ticket
from bot.formatting import duration
from bot.i18n import _
from bot.staff.auth import SignedIn
from bot.web.files import file_response
from bot.web.staff import cookies
from bot.web.staff.forms import Form, FormError, posted_csrf, read_form, same_token
from bot.web.staff.pages import (
    BAD_CSRF,
    NO_TICKET,
    PREFIX,
    SIGNED_OUT,
    Pages,
    json_error,
    locale,
    no_store,
    say,
    see_other,
    wants_json,
)
from bot.web.staff.views import language, reason, stamp, status_label, timeline, wait

LANG_TAGS = {"en": "en", "ko": "ko", "zh_Hans": "zh-Hans", "zh_Hant": "zh-Hant"}
NO_ACTION = _("No such action.")
NO_FILE = _("There is no such file.")
Action = Callable[[SignedIn, int, Form], Awaitable[object]]


def ticket_json(t: Ticket) -> dict[str, Any]:
    """A ticket's state for the poller."""
    return {
        "id": t.id,
        "status": t.status,
        "assignee": t.assignee,
        "team": t.team,
        "locale": t.locale,
        "channel": t.channel,
        "rating": t.rating,
    }


class Tickets:
    """GET /staff/tickets/N, GET .../thread.json, POST .../ACTION."""

    def __init__(self, pages: Pages) -> None:
        self.pages = pages
        desk = pages.desk
        self.actions: dict[str, Action] = {
            "claim": lambda s, t, f: desk.claim(s.account, t),
            "assign": lambda s, t, f: desk.assign(s.account, t, f.required("username")),
            "reply": lambda s, t, f: desk.reply(
                s.account,
                t,
                f.get("text") if f.upload is not None else f.required("text"),
                upload=f.upload,
            ),
            "note": lambda s, t, f: desk.note(s.account, t, f.required("text")),
            "transfer": lambda s, t, f: desk.transfer(s.account, t, f.required("team")),
            "resolve": lambda s, t, f: desk.resolve(s.account, t),
            "retry": lambda s, t, f: desk.retry(s.account, t, f.number("message_id")),
        }

    async def file(self, request: Request) -> Response:
        """A file on a ticket this account may see; 404 for any other, like a missing one."""
        signed = await self.pages.signed_in(request)
        if signed is None:
            return json_error(401, "signed_out", say(request, SIGNED_OUT))
        try:
            found = await self.pages.desk.file(signed.account, request.path_params["file_id"])
        except NotFound:
            return self.pages.error(request, signed, 404, say(request, NO_FILE))
        return file_response(*found)

    async def page(self, request: Request) -> Response:
        """The conversation, the audit trail, and everything an agent can do with the ticket."""
        signed = await self.pages.signed_in(request)
        if signed is None:
            return self.pages.to_login(request)
        return await self._page(request, signed, request.path_params["ticket_id"])

    async def poll(self, request: Request) -> Response:
        """The ticket's timeline and facts for the poller: data and rendered fragments."""
        signed = await self.pages.signed_in(request)
        if signed is None:
            return json_error(401, "signed_out", say(request, SIGNED_OUT))
        ticket_id = request.path_params["ticket_id"]
        try:
            context = await self._context(request, signed, ticket_id)
        except NotFound:
            return json_error(404, "not_found", say(request, NO_TICKET, ticket=ticket_id))
        html = {
            "thread": self.pages.fragment(request, "_thread.html", **context),
            "summary": self.pages.fragment(request, "_summary.html", **context),
        }
        items = [asdict(i) for i in context["items"]]
        data = {"ticket": ticket_json(context["ticket"]), "items": items, "html": html}
        return no_store(JSONResponse(data))

    async def act(self, request: Request) -> Response:
        """One action on a ticket, CSRF-checked."""
        ticket_id: int = request.path_params["ticket_id"]
        name = request.path_params["action"]
        action = self.actions.get(name)
        if action is None:
            return json_error(404, "not_found", say(request, NO_ACTION))
        signed = await self.pages.signed_in(request)
        if signed is None:
            if wants_json(request):
                return json_error(401, "signed_out", say(request, SIGNED_OUT))
            return self.pages.to_login(request, f"{PREFIX}/tickets/{ticket_id}")
        try:
            files = self.pages.desk.files
            max_file = files.max_bytes if files is not None and name == "reply" else 0
            form = await read_form(request, max_file)
            if not same_token(posted_csrf(request, form), signed.session.csrf):
                raise FormError(403, BAD_CSRF)
            await action(signed, ticket_id, form)
        except FormError as exc:
            return self.pages.error(request, signed, exc.status, exc.text(locale(request)))
        except NotFound:
            message = say(request, NO_TICKET, ticket=ticket_id)
            return self.pages.error(request, signed, 404, message)
        except Refused as exc:
            refusal = exc.text(locale(request))
            if wants_json(request):
                return json_error(409, "refused", refusal)
            drafts = {name: form.get("text")} if name in ("reply", "note") else {}
            return await self._page(request, signed, ticket_id, 409, refusal, drafts)
        if wants_json(request):
            return no_store(JSONResponse({"ok": True}))
        return see_other(f"{PREFIX}/tickets/{ticket_id}")

    async def _page(
        self,
        request: Request,
        signed: SignedIn,
        ticket_id: int,
        status: int = 200,
        error: str = "",
        drafts: dict[str, str] | None = None,
    ) -> Response:
        try:
            context = await self._context(request, signed, ticket_id)
        except NotFound:
            message = say(request, NO_TICKET, ticket=ticket_id)
            return self.pages.error(request, signed, 404, message)
        macros = self.pages.macros().for_locale(context["ticket"].locale)
        return self.pages.render(
            request,
            "ticket.html",
            status,
            **context,
            error=error,
            drafts=drafts or {},
            macros=macros,
        )

    async def _context(self, request: Request, signed: SignedIn, ticket_id: int) -> dict[str, Any]:
        pages = self.pages
        view = await pages.desk.thread(signed.account, ticket_id)
        now, tz, ui = pages.clock(), cookies.time_zone(request), locale(request)
        t = view.ticket
        colleagues = []
        if signed.account.role == "admin":  # only admins assign to others
            colleagues = [a for a in await pages.auth.colleagues() if a.may_see(t)]
        facts = {
            "language": language(t.locale),
            "lang_tag": LANG_TAGS.get(t.locale, "en"),
            "reason": reason(t.reason, ui),
            "team": pages.team_name(t.team, ui),
            "status": status_label(t.status, ui),
            "opened": stamp(t.created_at, tz, now, ui),
            "resolved": stamp(t.resolved_at, tz, now, ui) if t.resolved_at else "",
            "waiting": wait(view.waiting, ui),
            "overdue": view.overdue,
            "answered": t.first_response_at is not None,
            "target": duration(pages.desk.policy.first_response, ui),
        }
        kinds = pages.desk.files.shown(t.channel) if pages.desk.files is not None else frozenset()
        return {
            **pages.common(signed),
            "ticket": t,
            "merchant": view.merchant,
            "items": timeline(view, tz, now, ui),
            "colleagues": colleagues,
            "transfer_to": [team for team in pages.teams().teams() if team.id != t.team],
            "facts": facts,
            "file_kinds": sorted(kinds),  # what the merchant's channel carries (none: no input)
            "file_names": kind_names(kinds),
        }
