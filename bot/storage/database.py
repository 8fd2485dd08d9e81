"""Engines and sessions from a database URL (SQLite via aiosqlite, PostgreSQL via asyncpg)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from sqlalchemy.ext.asyncio import create_async_engine as _create_async_engine

DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///data/merchant-bot.db"
SQLITE_BUSY_SECONDS = 30.0  # how long a writer waits for another one to commit


class StorageError(Exception):
    """The database could not be reached or migrated; the message is one line."""


_DRIVERS = {
    "postgres": "postgresql+asyncpg",
    "postgresql": "postgresql+asyncpg",
    "sqlite": "sqlite+aiosqlite",
}


def normalize_url(url: str) -> str:
    """The URL with an async driver: ``postgres://`` and ``postgresql://`` use asyncpg."""
    scheme, sep, rest = url.partition("://")
    if not sep:
        raise StorageError(f"not a database URL: {url!r}")
    return f"{_DRIVERS.get(scheme, scheme)}://{rest}"


def parse_url(url: str) -> URL:
    """The normalised URL, parsed."""
    return make_url(normalize_url(url))


def is_sqlite(url: str) -> bool:
    """Whether the URL names an SQLite database."""
    return parse_url(url).get_backend_name() == "sqlite"


def display_url(url: str) -> str:
    """The normalised URL for messages, with any password masked."""
    return parse_url(url).render_as_string(hide_password=True)


def _sqlite_file(url: URL) -> Path | None:
    database = url.database or ""
    if database in ("", ":memory:") or database.startswith("file:"):
        return None
    return Path(database)


def create_engine(
    url: str = DEFAULT_DATABASE_URL,
    *,
    pool_size: int | None = None,
    max_overflow: int | None = None,
) -> AsyncEngine:
    """An async engine; an SQLite file gets its folder created, WAL and foreign keys turned on.

    ``pool_size`` and ``max_overflow`` (DATABASE_POOL_SIZE, DATABASE_MAX_OVERFLOW) size a
    PostgreSQL pool (SQLAlchemy's defaults, 5 and 10, when None); SQLite ignores them.
    """
    parsed = parse_url(url)
    if parsed.get_backend_name() != "sqlite":
        pool: dict[str, int] = {}
        if pool_size is not None:
            pool["pool_size"] = pool_size
        if max_overflow is not None:
            pool["max_overflow"] = max_overflow
        return _create_async_engine(parsed, pool_pre_ping=True, **pool)
    path = _sqlite_file(parsed)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
    engine = _create_async_engine(parsed, connect_args={"timeout": SQLITE_BUSY_SECONDS})
    event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
    return engine


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={int(SQLITE_BUSY_SECONDS * 1000)}")
    finally:
        cursor.close()


def create_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Sessions on the engine; objects stay readable after commit."""
    return async_sessionmaker(engine, expire_on_commit=False, autoflush=True)
