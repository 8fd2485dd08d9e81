"""Stores under test: the in-memory fake, SQLite in a temporary folder, and PostgreSQL.

PostgreSQL is required, never skipped: ``TEST_POSTGRES_URL`` (default
``postgresql+asyncpg://postgres@127.0.0.1:5432/test``) names a server and a database to connect
to; each test session creates its own database there and drops it at the end.
"""

from __future__ import annotations

import asyncio
import os
import secrets
import shutil
from collections.abc import AsyncIterator, Coroutine, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Protocol, TypeVar

import pytest
from sqlalchemy import select, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

from bot.core.ports import UnitOfWork
from bot.storage.database import normalize_url
from bot.storage.migrate import upgrade
from bot.storage.models import Feedback
from bot.storage.uow import SqlStore
from tests.fakes import FakeStore

T = TypeVar("T")

PG_URL = normalize_url(
    os.environ.get("TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
)
TABLES = (
    "merchants",
    "messages",
    "deliveries",
    "feedback",
    "unanswered_questions",
    "tickets",
    "ticket_events",
    "outbox",
    "staff_accounts",
    "staff_sessions",
    "ticket_refs",
    "insights_days",
    "insights_questions",
    "insights_active",
    "insights_feedback",
)


def run_in_thread(coro: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine to completion on a fresh event loop in another thread."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coro).result()


async def _admin(sql: str) -> None:
    engine = create_async_engine(PG_URL, isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as connection:
            await connection.execute(text(sql))
    finally:
        await engine.dispose()


def create_pg_database(prefix: str) -> str:
    """A new, empty database on the test server; fails the test when there is no server."""
    name = f"{prefix}_{os.getpid()}_{secrets.token_hex(4)}"
    problem = ""
    try:
        run_in_thread(_admin(f'CREATE DATABASE "{name}"'))
    except Exception as exc:
        problem = f"{type(exc).__name__}: {exc}"
    if problem:
        shown = make_url(PG_URL).render_as_string(hide_password=True)
        pytest.fail(
            f"PostgreSQL is required for the storage tests and is not usable at {shown}: "
            f"{problem}. Start the server (.ci/run does) or set TEST_POSTGRES_URL to a "
            "server where this user may create databases.",
            pytrace=False,
        )
    return make_url(PG_URL).set(database=name).render_as_string(hide_password=False)


def drop_pg_database(url: str) -> None:
    """Drop a database made by create_pg_database (closing leftover connections)."""
    name = make_url(url).database
    run_in_thread(_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(scope="session")
def pg_url() -> Iterator[str]:
    """This session's migrated PostgreSQL database."""
    url = create_pg_database("merchant_bot_test")
    try:
        run_in_thread(upgrade(url))
        yield url
    finally:
        drop_pg_database(url)


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file, copied for each test."""
    path = tmp_path_factory.mktemp("template") / "merchant-bot.db"
    run_in_thread(upgrade(f"sqlite+aiosqlite:///{path}"))
    return path


class StoreUnderTest(Protocol):
    def uow(self) -> UnitOfWork: ...

    async def feedback(self) -> dict[int, tuple[int, bool]]:
        """Committed feedback: question id -> (merchant id, helpful)."""
        ...


class FakeUnderTest:
    def __init__(self) -> None:
        self.store = FakeStore()

    def uow(self) -> UnitOfWork:
        return self.store.uow()

    async def feedback(self) -> dict[int, tuple[int, bool]]:
        return dict(self.store.committed.feedback)


class SqlUnderTest:
    def __init__(self, url: str) -> None:
        self.store = SqlStore(url)

    def uow(self) -> UnitOfWork:
        return self.store.uow()

    async def feedback(self) -> dict[int, tuple[int, bool]]:
        async with self.store.sessions() as session:
            rows = await session.scalars(select(Feedback))
            return {r.message_id: (r.merchant_id, r.helpful) for r in rows}


@pytest.fixture(params=["fake", "sqlite", "postgresql"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Where the store under test keeps its data ("fake" for the in-memory one)."""
    if request.param == "fake":
        return "fake"
    if request.param == "sqlite":
        path = tmp_path / "merchant-bot.db"
        shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
        return f"sqlite+aiosqlite:///{path}"
    url: str = request.getfixturevalue("pg_url")
    return url


@pytest.fixture
async def store(store_url: str) -> AsyncIterator[StoreUnderTest]:
    """The store under test, empty."""
    if store_url == "fake":
        yield FakeUnderTest()
        return
    sql = SqlUnderTest(store_url)
    try:
        if sql.store.engine.dialect.name == "postgresql":
            async with sql.store.engine.begin() as connection:
                await connection.execute(
                    text(f"TRUNCATE {', '.join(TABLES)} RESTART IDENTITY CASCADE")
                )
        yield sql
    finally:
        await sql.store.close()


@pytest.fixture
async def twin(store: StoreUnderTest, store_url: str) -> AsyncIterator[StoreUnderTest]:
    """A second replica: another store on the same database (the fake: the same store)."""
    if store_url == "fake":
        yield store
        return
    other = SqlUnderTest(store_url)
    try:
        yield other
    finally:
        await other.store.close()
