"""Alembic environment: runs migrations on a connection given by bot.storage.migrate, or its own."""

from __future__ import annotations

import asyncio
import os
from typing import Any, Literal

from alembic import context
from alembic.autogenerate.api import AutogenContext
from sqlalchemy.engine import Connection

from bot.storage.database import DEFAULT_DATABASE_URL, create_engine, normalize_url
from bot.storage.models import Base, UtcDateTime

config = context.config
target_metadata = Base.metadata


def render_item(kind: str, obj: Any, autogen: AutogenContext) -> str | Literal[False]:
    """Render our own column types as the plain SQLAlchemy types they store as."""
    if kind == "type" and isinstance(obj, UtcDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def configure(connection: Connection) -> None:
    """Point Alembic at a connection (batch mode on SQLite, which cannot ALTER much)."""
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        render_item=render_item,
    )


def run_on(connection: Connection) -> None:
    """Run the migrations on one connection."""
    configure(connection)
    with context.begin_transaction():
        context.run_migrations()


def database_url() -> str:
    """The URL from the caller, else ``DATABASE_URL``, else the default SQLite file."""
    url = config.attributes.get("url") or os.environ.get("DATABASE_URL") or DEFAULT_DATABASE_URL
    return normalize_url(str(url))


async def run_with_own_engine() -> None:
    """Open an async engine for the URL and run the migrations through it."""
    engine = create_engine(database_url())
    try:
        async with engine.connect() as connection:
            await connection.run_sync(run_on)
            await connection.commit()
    finally:
        await engine.dispose()


def main() -> None:
    """Offline: print SQL. Online: use the caller's connection, or open one."""
    if context.is_offline_mode():
        context.configure(url=database_url(), target_metadata=target_metadata, literal_binds=True)
        with context.begin_transaction():
            context.run_migrations()
        return
    connection = config.attributes.get("connection")
    if isinstance(connection, Connection):
        run_on(connection)
    else:
        asyncio.run(run_with_own_engine())


main()
