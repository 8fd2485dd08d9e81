"""Alembic run programmatically on an async engine: ``await upgrade(url)``.

Alembic is imported only when a migration has to run: a database already at the newest
revision (every restart but the first after an upgrade) is checked with one query, and the
server does not carry Alembic (~7 MB) for the rest of its life.
"""

from __future__ import annotations

import ast
import asyncio
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection
from sqlalchemy.exc import SQLAlchemyError

from bot.storage.database import (
    DEFAULT_DATABASE_URL,
    StorageError,
    create_engine,
    display_url,
)

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
VERSION_TABLE = "alembic_version"  # Alembic's default, which env.py keeps
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
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    config.attributes["url"] = url
    return config


def head_revisions() -> tuple[str, ...]:
    """The newest revisions the code knows."""
    from alembic.script import ScriptDirectory

    return tuple(ScriptDirectory.from_config(alembic_config()).get_heads())


def script_heads(folder: Path = MIGRATIONS / "versions") -> tuple[str, ...]:
    """The newest revisions, read from the migration files' ``revision`` and ``down_revision``
    without importing Alembic (``head_revisions`` is Alembic's own answer; a test keeps the
    two equal)."""
    revisions: set[str] = set()
    parents: set[str] = set()
    for path in folder.glob("*.py"):
        found = _assignments(path, ("revision", "down_revision"))
        if isinstance(found.get("revision"), str):
            revisions.add(str(found["revision"]))
            down = found.get("down_revision")
            if isinstance(down, str):
                parents.add(down)
            elif isinstance(down, tuple | list):  # a merge revision has several parents
                parents.update(str(d) for d in down)
    return tuple(sorted(revisions - parents))


def _assignments(path: Path, names: tuple[str, ...]) -> dict[str, object]:
    """Module-level constants ``names`` of a Python file, read without running it."""
    found: dict[str, object] = {}
    for node in ast.parse(path.read_text("utf-8")).body:
        target: ast.expr | None = None
        value: ast.expr | None = None
        if isinstance(node, ast.AnnAssign) and node.value is not None:
            target, value = node.target, node.value
        elif isinstance(node, ast.Assign) and len(node.targets) == 1:
            target, value = node.targets[0], node.value
        if isinstance(target, ast.Name) and target.id in names and value is not None:
            try:
                found[target.id] = ast.literal_eval(value)
            except ValueError:
                continue
    return found


def _current(connection: Connection) -> tuple[str, ...]:
    from alembic.runtime.migration import MigrationContext

    return tuple(sorted(MigrationContext.configure(connection).get_current_heads()))


def _stored(connection: Connection) -> tuple[str, ...]:
    """The revisions in the version table, read with plain SQL (empty: never migrated)."""
    if not inspect(connection).has_table(VERSION_TABLE):
        return ()
    rows = connection.execute(text(f"SELECT version_num FROM {VERSION_TABLE}"))
    return tuple(sorted(str(row[0]) for row in rows))


class _AlembicError(Exception):
    """Alembic's CommandError (an unknown revision...), without importing Alembic to catch it."""


def _upgrade_on(connection: Connection, revision: str) -> tuple[tuple[str, ...], ...]:
    from alembic import command
    from alembic.util import CommandError

    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:id)"), {"id": PG_LOCK_ID})
    before = _current(connection)
    try:
        command.upgrade(alembic_config(connection), revision)
    except CommandError as exc:
        raise _AlembicError(str(exc)) from exc
    return before, _current(connection)


async def upgrade(url: str = DEFAULT_DATABASE_URL, revision: str = "head") -> UpgradeResult:
    """Migrate the database to ``revision``; safe to run again (nothing to do then)."""
    shown = display_url(url)
    engine = create_engine(url)
    try:
        if revision == "head":  # the usual start: already there, and no Alembic needed
            async with engine.connect() as connection:
                stored = await connection.run_sync(_stored)
            if stored and stored == script_heads():
                return UpgradeResult(shown, stored, stored)
        async with engine.begin() as connection:
            before, after = await connection.run_sync(_upgrade_on, revision)
    except (SQLAlchemyError, OSError, _AlembicError) as exc:
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


async def at_head(url: str) -> bool:
    """Whether the database is at the newest revision: one query, no Alembic."""
    engine = create_engine(url)
    try:
        async with engine.connect() as connection:
            stored = await connection.run_sync(_stored)
    except (SQLAlchemyError, OSError) as exc:
        reason = " ".join(str(exc).split()) or type(exc).__name__
        raise StorageError(f"{display_url(url)}: {reason}") from exc
    finally:
        await engine.dispose()
    return bool(stored) and stored == script_heads()


async def upgrade_apart(url: str) -> bool:
    """Run pending migrations in a child process (``merchant-bot db upgrade``), so that the
    calling server never imports Alembic; True when one ran. Raises StorageError."""
    if await at_head(url):
        return False
    child = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "db",
        "upgrade",
        env={**os.environ, "DATABASE_URL": url},  # not on the command line: it may hold a password
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )
    _, err = await child.communicate()
    if child.returncode != 0:
        lines = err.decode("utf-8", "replace").strip().splitlines() or [f"exit {child.returncode}"]
        raise StorageError(lines[-1].removeprefix("merchant-bot db upgrade: "))
    return True
