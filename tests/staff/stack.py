"""The whole bot as one app for browser tests, built by the composition root the way
``merchant-bot serve`` builds it: SQLite, the FAQ, the conversation, the desk, the delivery
loop and the staff console."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from bot.bootstrap import LateApp
from bot.core.outbound import Outbound
from bot.core.teams import DefaultTeamOnly
from bot.settings import Settings
from bot.storage.uow import SqlStore


def whole_app(
    db_url: str, faq_dir: Path, outbounds: Mapping[str, Outbound] | None = None
) -> LateApp:
    """A fresh process's worth of services over an existing (migrated) database.

    Built when uvicorn's loop starts it (the lifespan): the engine and the delivery loop belong
    to that loop, and the lifespan closes them there. ``outbounds`` replace the channels' own.
    """
    return LateApp(
        Settings(database_url=db_url, faq_dir=faq_dir),
        store=SqlStore(db_url),
        teams=DefaultTeamOnly(),
        outbounds=outbounds,
    )
