"""The whole bot as one app for browser tests: SQLite, the FAQ, the conversation, the desk, the
delivery loop and the staff console, wired the way ``merchant-bot serve`` wires them."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Mapping
from pathlib import Path
from typing import Any

from starlette.applications import Starlette

from bot.core.conversation import ConversationService
from bot.core.delivery import Deliverer
from bot.core.desk import Desk
from bot.core.escalation import Escalation
from bot.core.outbound import Outbound
from bot.core.teams import DefaultTeamOnly, TeamDirectory
from bot.faq.reloader import FaqHolder
from bot.staff.macros import MACROS_FILE, MacroHolder
from bot.storage.uow import SqlStore
from bot.web.app import create_app
from bot.web.outbound import WebOutbound
from bot.web.staff import console_routes


def whole_app(
    db_url: str, faq_dir: Path, outbounds: Mapping[str, Outbound] | None = None
) -> Starlette:
    """A fresh process's worth of services over an existing (migrated) database.

    Nothing connects before uvicorn's loop runs: the engine opens connections lazily, and the
    lifespan starts the delivery loop and closes the engine in that loop.
    """
    store = SqlStore(db_url)
    faq = FaqHolder(faq_dir)
    faq.reload()
    teams: TeamDirectory = DefaultTeamOnly()
    deliverer = Deliverer(store.uow, outbounds or {"web": WebOutbound()})
    chat = ConversationService(faq.matcher, store.uow, escalation=Escalation(lambda: teams))
    desk = Desk(store.uow, lambda: teams, wake=deliverer.wake)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        delivering = asyncio.create_task(deliverer.run(poll_seconds=0.5))
        try:
            yield
        finally:
            delivering.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await delivering
            await store.close()

    async def health() -> dict[str, Any]:
        return {"ok": True}

    macros = MacroHolder(faq_dir / MACROS_FILE)
    macros.reload()
    routes = console_routes(store.uow, desk, lambda: teams, macros)
    return create_app(chat, health, routes=routes, lifespan=lifespan)
