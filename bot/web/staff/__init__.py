"""The staff console in the browser, under /staff (Starlette routes, Jinja2 templates)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from starlette.routing import BaseRoute

from bot.core.desk import Desk
from bot.core.ports import UnitOfWork
from bot.core.teams import TeamDirectory
from bot.core.tickets import utcnow
from bot.staff.auth import StaffAuth
from bot.staff.macros import Macros
from bot.staff.throttle import AttemptLimit
from bot.web.staff.admin import AdminParts
from bot.web.staff.routes import staff_routes


def console_routes(
    uow: Callable[[], UnitOfWork],
    desk: Desk,
    teams: Callable[[], TeamDirectory],
    macros: Callable[[], Macros],
    *,
    clock: Callable[[], datetime] = utcnow,
    admin: AdminParts | None = None,
    limiter: AttemptLimit | None = None,
) -> list[BaseRoute]:
    """The console wired to a running bot's services: pass to ``create_app(routes=...)``
    (``bot.bootstrap.app`` does).

    ``macros`` gives the canned replies in use (the bot's ``MacroHolder``, kept current by the
    content watcher); ``clock`` the time for sessions, lock-outs and waiting times; ``admin``
    what the admin pages need (without it they are not served); ``limiter`` counts sign-in
    attempts per address (default: in this process; the root hands in the replicas' shared one).
    """
    auth = StaffAuth(uow, clock=clock)
    return staff_routes(desk, auth, macros, teams, clock=clock, limiter=limiter, admin=admin)


__all__ = ["AdminParts", "console_routes", "staff_routes"]
