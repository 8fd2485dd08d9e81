"""Alembic: ``upgrade()`` builds the schema that the models describe, and again does nothing."""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, text
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
    assert first.before == () and first.after == head_revisions() == ("0010",)
    assert first.changed
    again = await upgrade(empty_url)
    assert not again.changed and again.before == again.after == ("0010",)
    tables, drift = await schema_and_drift(empty_url)
    assert tables == {*TABLES, "outbox_attempts", "team_alerts", "files", "alembic_version"}
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
    assert "data/merchant-bot.db: upgraded from an empty database to 0010" in out
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'env.db'}")
    assert run_cli("db", "upgrade") == 0
    assert "env.db: upgraded" in capsys.readouterr().out
    assert run_cli("db", "upgrade", "--database-url", f"sqlite:///{tmp_path / 'env.db'}") == 0
    assert "already at 0010, nothing to do" in capsys.readouterr().out


def test_db_upgrade_command_fails_cleanly_without_a_database(
    capsys: pytest.CaptureFixture[str],
) -> None:
    url = "postgresql://merchant:secret@127.0.0.1:1/nowhere"
    assert run_cli("db", "upgrade", "--database-url", url) == 1
    err = capsys.readouterr().err
    assert "postgresql+asyncpg://merchant:***@127.0.0.1:1/nowhere" in err
    assert "secret" not in err and "Traceback" not in err


OLD_ROWS = """
INSERT INTO merchants (id, channel, channel_user_id, locale_pinned, created_at, updated_at)
  VALUES (1, 'wechat', 'o-1', false, :t, :t), (2, 'web', 'page', false, :t, :t);
INSERT INTO messages (id, merchant_id, direction, kind, text, payload, buttons, created_at)
  VALUES (1, 1, 'in', 'text', 'hi', '', '[]', :t), (2, 2, 'in', 'text', 'hello', '', '[]', :t),
         (3, 1, 'out', 'staff', 'Hi, Mei here', '', '[]', :t);
INSERT INTO feedback (message_id, merchant_id, helpful, created_at, updated_at)
  VALUES (1, 1, true, :t, :t);
INSERT INTO tickets (id, merchant_id, channel, status, reason, locale, team, created_at, updated_at)
  VALUES (1, 1, 'wechat', 'open', 'compliance', 'en', 'default', :t, :t),
         (2, 1, 'wechat', 'assigned', 'compliance', 'en', 'default', :t, :t),
         (3, 1, 'wechat', 'resolved', 'no_answer', 'en', 'default', :t, :t),
         (4, 2, 'web', 'open', 'asked_for_person', 'en', 'default', :t, :t);
INSERT INTO outbox (id, message_id, ticket_id, merchant_id, channel, status, attempts, error,
                    next_attempt_at, created_at)
  VALUES (1, 3, 2, 1, 'wechat', 'pending', 0, '', :t, :t)
"""


async def _run(url: str, statements: str, **params: object) -> None:
    engine = create_engine(url)
    try:
        async with engine.begin() as connection:
            for statement in statements.split(";"):
                await connection.execute(text(statement), params)
    finally:
        await engine.dispose()


async def test_upgrading_a_database_in_use_at_0003_keeps_its_rows(empty_url: str) -> None:
    await upgrade(empty_url, "0003")
    t0 = datetime(2026, 11, 25, 8, 0, tzinfo=UTC)
    await _run(empty_url, OLD_ROWS, t="2026-11-25 08:00:00" if "sqlite" in empty_url else t0)
    result = await upgrade(empty_url)
    assert (result.before, result.after) == (("0003",), ("0010",))
    engine = create_engine(empty_url)
    try:
        async with engine.connect() as connection:

            async def rows(sql: str) -> list[tuple[object, ...]]:
                return [tuple(r) for r in await connection.execute(text(sql))]

            # Nothing cascaded away; old messages keep their id as seq (a page's cursor).
            seqs = await rows("SELECT id, seq FROM messages ORDER BY id")
            assert seqs == [(1, 1), (2, 2), (3, 3)]
            last = await rows("SELECT id, last_seq FROM merchants ORDER BY id")
            assert last == [(1, 3), (2, 2)]
            assert await rows("SELECT message_id FROM feedback") == [(1,)]
            outbox = await rows("SELECT id, status, lease_until FROM outbox")
            assert outbox == [(1, "pending", None)]
            # Two unresolved tickets of one merchant: the newest stays, the other is merged.
            assert await rows("SELECT id, status FROM tickets ORDER BY id") == [
                (1, "resolved"), (2, "assigned"), (3, "resolved"), (4, "open")
            ]  # fmt: skip
            assert await rows("SELECT ticket_id, action, detail FROM ticket_events") == [
                (1, "merged", "#2")
            ]
    finally:
        await engine.dispose()
    tables, drift = await schema_and_drift(empty_url)
    assert "outbox_attempts" in tables and drift == []
