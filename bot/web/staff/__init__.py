"""The staff console in the browser, under /staff (Starlette routes, Jinja2 templates)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from starlette.routing import BaseRoute

from bot.core.desk import Desk
from bot.core.ports import UnitOfWork
from bot.core.teams import TeamDirectory
from bot.staff.auth import StaffAuth
from bot.staff.macros import MacroHolder
from bot.web.staff.routes import staff_routes

MACROS_FILE = "macros.yaml"  # beside the FAQ files, in the FAQ folder


def console_routes(
    uow: Callable[[], UnitOfWork],
    desk: Desk,
    teams: Callable[[], TeamDirectory],
    faq_dir: Path,
) -> list[BaseRoute]:
    """The console wired to a running bot's services: pass to ``create_app(routes=...)``."""
    return staff_routes(desk, StaffAuth(uow), MacroHolder(faq_dir / MACROS_FILE), teams)


__all__ = ["console_routes", "staff_routes"]
