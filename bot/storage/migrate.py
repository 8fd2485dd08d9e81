"""Alembic run programmatically on an async engine: ``await upgrade(url)``."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util import CommandError
from sqlalchemy import text
from sqlalchemy.engine import Connection
from sqlalchemy.exc import SQLAlchemyError

from bot.storage.database import (
    DEFAULT_DATABASE_URL,
    StorageError,
    create_engine,
    display_url,
)

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
PG_LOCK_ID = 0x6D62_6462  # advisory lock: one upgrade at a time per PostgreSQL database


@dataclass(frozen=True)
class UpgradeResult:
    """The database's revisions before and after an upgrade."""

    url: str
    before: tuple[str, ...]
    after: tuple[str, ...]

    @property
    def changed(self) -> bool:
        """Whether any migration ran."""
        return self.before != self.after


def alembic_config(connection: Connection | None = None, url: str | None = None) -> Config:
    """An Alembic config for the shipped migrations (no alembic.ini needed)."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    config.attributes["url"] = url
    return config


def head_revisions() -> tuple[str, ...]:
    """The newest revisions the code knows."""
    return tuple(ScriptDirectory.from_config(alembic_config()).get_heads())


def _current(connection: Connection) -> tuple[str, ...]:
    return tuple(sorted(MigrationContext.configure(connection).get_current_heads()))


def _upgrade_on(connection: Connection, revision: str) -> tuple[tuple[str, ...], ...]:
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:id)"), {"id": PG_LOCK_ID})
    before = _current(connection)
    command.upgrade(alembic_config(connection), revision)
    return before, _current(connection)


async def upgrade(url: str = DEFAULT_DATABASE_URL, revision: str = "head") -> UpgradeResult:
    """Migrate the database to ``revision``; safe to run again (nothing to do then)."""
    shown = display_url(url)
    engine = create_engine(url)
    try:
        async with engine.begin() as connection:
            before, after = await connection.run_sync(_upgrade_on, revision)
    except (SQLAlchemyError, OSError, CommandError) as exc:
        reason = " ".join(str(exc).split()) or type(exc).__name__
        raise StorageError(f"{shown}: {reason}") from exc
    finally:
        await engine.dispose()
    return UpgradeResult(shown, before, after)


async def current_revisions(url: str = DEFAULT_DATABASE_URL) -> tuple[str, ...]:
    """The revisions the database is at (empty when it was never migrated)."""
    engine = create_engine(url)
    try:
        async with engine.connect() as connection:
            return await connection.run_sync(_current)
    finally:
        await engine.dispose()
