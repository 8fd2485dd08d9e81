"""The queue page and its poller: the tickets an account may see, filtered, oldest first."""

from __future__ import annotations

from dataclasses import asdict, replace
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from bot.formatting import duration
from bot.staff.auth import SignedIn
from bot.web.staff import cookies
from bot.web.staff.filters import parse_query, visible_teams
from bot.web.staff.pages import SIGNED_OUT, Pages, json_error, locale, no_store, say
from bot.web.staff.views import row


class Queue:
    """GET /staff/ and /staff/queue.json."""

    def __init__(self, pages: Pages) -> None:
        self.pages = pages

    async def page(self, request: Request) -> Response:
        """The queue with its filters."""
        signed = await self.pages.signed_in(request)
        if signed is None:
            return self.pages.to_login(request)
        return self.pages.render(request, "queue.html", **await self._context(request, signed))

    async def poll(self, request: Request) -> Response:
        """The rows for the poller: data, and the table body rendered like the page's."""
        signed = await self.pages.signed_in(request)
        if signed is None:
            return json_error(401, "signed_out", say(request, SIGNED_OUT))
        context = await self._context(request, signed)
        html = self.pages.fragment(request, "_rows.html", **context)
        rows = [asdict(r) for r in context["rows"]]
        return no_store(JSONResponse({"tickets": rows, "count": len(rows), "html": html}))

    async def _context(self, request: Request, signed: SignedIn) -> dict[str, Any]:
        pages, account = self.pages, signed.account
        choices = visible_teams(account, pages.teams().teams())
        query = parse_query(request.query_params, choices)
        wanted = query.ticket_filter()
        if query.mine:
            wanted = replace(wanted, assignee=account.username)
        queued = await pages.desk.queue(account, wanted)
        now, tz, ui = pages.clock(), cookies.time_zone(request), locale(request)

        def team_name(team_id: str) -> str:
            return pages.team_name(team_id, ui)

        target = pages.desk.policy.first_response
        rows = [row(q, team_name, tz, now, ui, target) for q in queued]
        if query.sort == "left":  # least time left first (the most overdue on top), answered last
            rows.sort(key=lambda r: (r.left_seconds is None, r.left_seconds or 0, r.id))
        return {
            **pages.common(signed),
            "rows": rows,
            "query": query,
            "teams": choices,
            "target": duration(pages.desk.policy.first_response, ui),
        }
