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
) -> list[BaseRoute]:
    """The console wired to a running bot's services: pass to ``create_app(routes=...)``
    (``bot.bootstrap.app`` does).

    ``macros`` gives the canned replies in use (the bot's ``MacroHolder``, kept current by the
    content watcher); ``clock`` the time for sessions, lock-outs and waiting times; ``admin``
    what the admin pages need (without it they are not served).
    """
    return staff_routes(desk, StaffAuth(uow, clock=clock), macros, teams, clock=clock, admin=admin)


__all__ = ["AdminParts", "console_routes", "staff_routes"]
