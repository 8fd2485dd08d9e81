"""The staff console in the browser, under /staff (Starlette routes, Jinja2 templates)."""

from __future__ import annotations

from collections.abc import Callable

from starlette.routing import BaseRoute

from bot.core.desk import Desk
from bot.core.ports import UnitOfWork
from bot.core.teams import TeamDirectory
from bot.staff.auth import StaffAuth
from bot.staff.macros import Macros
from bot.web.staff.routes import staff_routes


def console_routes(
    uow: Callable[[], UnitOfWork],
    desk: Desk,
    teams: Callable[[], TeamDirectory],
    macros: Callable[[], Macros],
) -> list[BaseRoute]:
    """The console wired to a running bot's services: pass to ``create_app(routes=...)``.

    ``macros`` gives the canned replies in use (the bot's ``MacroHolder``, kept current by the
    content watcher).
    """
    return staff_routes(desk, StaffAuth(uow), macros, teams)


__all__ = ["console_routes", "staff_routes"]
