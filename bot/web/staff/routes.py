"""The staff console under /staff: sign-in, the queue, a ticket's page, its actions, pollers.

Every page needs a session; pages send a signed-out browser to the sign-in form, the JSON
endpoints answer 401. Every post carries the session's CSRF token (a hidden field, or the
X-CSRF-Token header from fetch) and is refused with 403 without it. A ticket the account may
not see is a 404, exactly like one that does not exist.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from bot.core.desk import Desk
from bot.core.teams import TeamDirectory
from bot.core.tickets import utcnow
from bot.staff.auth import StaffAuth
from bot.staff.macros import Macros
from bot.staff.throttle import AttemptLimit
from bot.web.staff.admin import AdminParts, admin_routes
from bot.web.staff.pages import PREFIX, STATIC, Pages
from bot.web.staff.queue import Queue
from bot.web.staff.signin import SignIn
from bot.web.staff.tickets import Tickets


def staff_routes(
    desk: Desk,
    auth: StaffAuth,
    macros: Callable[[], Macros],
    teams: Callable[[], TeamDirectory],
    *,
    clock: Callable[[], datetime] = utcnow,
    limiter: AttemptLimit | None = None,
    admin: AdminParts | None = None,
) -> list[BaseRoute]:
    """The console's routes, mounted at /staff (add them to ``create_app(routes=...)``).

    ``limiter`` counts sign-in attempts per client address (default: 10 a minute, in this
    process);
    ``admin`` adds the admin pages (insights, the unanswered workbench, the test pane).
    """
    pages = Pages(desk, auth, macros, teams, clock)
    sign_in, queue, tickets = SignIn(pages, limiter), Queue(pages), Tickets(pages)
    ticket = "/tickets/{ticket_id:int}"
    return [
        Mount(
            PREFIX,
            routes=[
                Route("/", queue.page, methods=["GET"]),
                Route("/queue.json", queue.poll, methods=["GET"]),
                Route("/login", sign_in.form, methods=["GET"]),
                Route("/login", sign_in.login, methods=["POST"]),
                Route("/logout", sign_in.logout, methods=["POST"]),
                Route("/language", sign_in.language, methods=["POST"]),
                Route(ticket, tickets.page, methods=["GET"]),
                Route(f"{ticket}/thread.json", tickets.poll, methods=["GET"]),
                Route(f"{ticket}/{{action:str}}", tickets.act, methods=["POST"]),
                Route("/files/{file_id:str}", tickets.file, methods=["GET"]),
                *(admin_routes(pages, admin) if admin is not None else ()),
                Mount("/static", StaticFiles(directory=STATIC), name="staff-static"),
            ],
        )
    ]
