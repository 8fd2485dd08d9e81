"""Alembic: ``upgrade()`` builds the schema that the models describe, and again does nothing."""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect
from sqlalchemy.engine import Connection

from bot.cli import db
from bot.storage.database import create_engine
from bot.storage.migrate import current_revisions, head_revisions, upgrade
from bot.storage.models import Base
from tests.storage.conftest import TABLES, create_pg_database, drop_pg_database


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database that was never migrated."""
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'not-yet' / 'there' / 'bot.db'}"
        return
    url = create_pg_database("merchant_bot_migrate")
    try:
        yield url
    finally:
        drop_pg_database(url)


def _schema(connection: Connection) -> tuple[set[str], list[Any]]:
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    return set(inspect(connection).get_table_names()), compare_metadata(context, Base.metadata)


async def schema_and_drift(url: str) -> tuple[set[str], list[Any]]:
    engine = create_engine(url)
    try:
        async with engine.connect() as connection:
            return await connection.run_sync(_schema)
    finally:
        await engine.dispose()


async def test_upgrade_builds_the_schema_and_is_idempotent(empty_url: str) -> None:
    assert await current_revisions(empty_url) == ()
    first = await upgrade(empty_url)
    assert first.before == () and first.after == head_revisions() == ("0003",)
    assert first.changed
    again = await upgrade(empty_url)
    assert not again.changed and again.before == again.after == ("0003",)
    tables, drift = await schema_and_drift(empty_url)
    assert tables == {*TABLES, "alembic_version"}
    assert drift == [], "the migrations do not match bot/storage/models.py"


async def test_sqlite_connections_use_wal_and_foreign_keys(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}")
    try:
        async with engine.connect() as connection:
            journal = await connection.exec_driver_sql("PRAGMA journal_mode")
            keys = await connection.exec_driver_sql("PRAGMA foreign_keys")
            assert journal.scalar() == "wal" and keys.scalar() == 1
    finally:
        await engine.dispose()


def run_cli(*argv: str) -> int:
    parser = argparse.ArgumentParser()
    db.register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    result: int = args.run(args)
    return result


def test_db_upgrade_command_reports_what_it_did(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    assert run_cli("db", "upgrade") == 0
    assert (tmp_path / "data" / "merchant-bot.db").is_file()
    out = capsys.readouterr().out
    assert "data/merchant-bot.db: upgraded from an empty database to 0003" in out
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'env.db'}")
    assert run_cli("db", "upgrade") == 0
    assert "env.db: upgraded" in capsys.readouterr().out
    assert run_cli("db", "upgrade", "--database-url", f"sqlite:///{tmp_path / 'env.db'}") == 0
    assert "already at 0003, nothing to do" in capsys.readouterr().out


def test_db_upgrade_command_fails_cleanly_without_a_database(
    capsys: pytest.CaptureFixture[str],
) -> None:
    url = "postgresql://merchant:secret@127.0.0.1:1/nowhere"
    assert run_cli("db", "upgrade", "--database-url", url) == 1
    err = capsys.readouterr().err
    assert "postgresql+asyncpg://merchant:***@127.0.0.1:1/nowhere" in err
    assert "secret" not in err and "Traceback" not in err
