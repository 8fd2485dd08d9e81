"""One clock for the whole service (issue 15): every time the service stores or compares is read
from the clock the composition root holds, never from the database or the machine.

The service is built through ``bootstrap.build`` on a virtual clock set years away from the
wall clock, on SQLite and on PostgreSQL; a conversation, a hand-over, a file, a staff reply, its
delivery and the file's retention purge then carry exactly the virtual times, and no timestamp
column of any table holds anything else.
"""

from __future__ import annotations

import ast
import re
import shutil
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, text

from bot import bootstrap
from bot.core.types import Attachment, Incoming, MerchantKey
from bot.settings import Settings
from bot.staff.accounts import Accounts
from bot.storage.models import Base, UtcDateTime
from bot.storage.uow import SqlStore
from tests.conftest import FAQ_DIR, ROOT
from tests.staff.conftest import FAST, PASSWORD

START = datetime(2031, 3, 4, 5, 6, 7, tzinfo=UTC)  # years from the wall clock, either way
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PDF_KIND = "application/pdf"
RETENTION_DAYS = 30


class VirtualClock:
    """A clock that moves only when the test moves it."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def at(self, moment: datetime) -> datetime:
        """Set the time; returns it."""
        self.now = moment
        return moment


@pytest.fixture(params=["sqlite", "postgresql"])
async def database(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    """An empty, migrated database of each kind."""
    if request.param == "sqlite":
        path = tmp_path / "merchant-bot.db"
        shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
        yield f"sqlite+aiosqlite:///{path}"
        return
    url: str = request.getfixturevalue("pg_url")
    store = SqlStore(url)
    try:
        tables = ", ".join(t.name for t in Base.metadata.sorted_tables)
        async with store.engine.begin() as connection:
            await connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    finally:
        await store.close()
    yield url


def settings(tmp_path: Path, url: str) -> Settings:
    return Settings(
        database_url=url,
        faq_dir=FAQ_DIR,
        files_dir=tmp_path / "files",
        file_retention_days=RETENTION_DAYS,
        snapshot_dir=tmp_path / "snapshots",
        matcher_encoder="none",
    )


async def stored_times(store: SqlStore) -> dict[str, list[datetime]]:
    """Every value of every timestamp column, by ``table.column``."""
    found: dict[str, list[datetime]] = {}
    async with store.sessions() as session:
        for table in Base.metadata.sorted_tables:
            for column in table.columns:
                if isinstance(column.type, UtcDateTime):
                    values = (await session.scalars(select(column))).all()
                    found[f"{table.name}.{column.name}"] = [v for v in values if v is not None]
    return found


async def test_every_stored_time_is_the_services_clock(tmp_path: Path, database: str) -> None:
    clock = VirtualClock(START)
    store = SqlStore(database)  # on the machine's clock until the root sets its own
    services = await bootstrap.build(settings(tmp_path, database), store=store, clock=clock)
    assert store.clock is clock
    files = services.files
    assert files is not None
    key = MerchantKey("web", "clock-1")
    try:
        # A conversation: a question (with a delivery key), its answer, a "helped" press.
        asked = START
        reply = await services.conversation.handle(
            Incoming(key, "text", text="How much is the security deposit?", delivery_key="q-1")
        )
        yes = next(
            b.payload for m in reply.messages for b in m.buttons if b.payload.endswith(":1")
        )
        pressed = clock.at(START + timedelta(minutes=1))
        await services.conversation.handle(Incoming(key, "button", payload=yes))

        # A hand-over, then a file while people hold the thread.
        handed = clock.at(START + timedelta(minutes=2))
        await services.conversation.handle(Incoming(key, "text", text="I want a real person"))
        filed = clock.at(START + timedelta(minutes=3))
        await services.conversation.handle(
            Incoming(key, "file", delivery_key="f-1", attachment=Attachment(PDF_KIND, PDF, "a.pdf"))
        )

        # A staff reply, queued, then delivered.
        accounts = Accounts(store.uow, passwords=FAST, clock=services.clock)
        staff = await accounts.add("ana", "admin", PASSWORD)
        async with store.uow() as uow:
            merchant = await uow.merchants.get_or_create(key)
            ticket = await uow.tickets.active_for(merchant.id)
        assert ticket is not None and ticket.created_at == handed
        replied = clock.at(START + timedelta(minutes=10))
        message = await services.desk.reply(staff, ticket.id, "We are on it.")
        delivered = clock.at(START + timedelta(minutes=11))
        assert await services.deliverer.deliver_due() == 1

        async with store.uow() as uow:
            history = await uow.messages.history(merchant.id)
            ticket = await uow.tickets.get(ticket.id)
            (item,) = await uow.outbox.for_ticket(ticket.id if ticket else 0)
            (attempt,) = await uow.outbox.attempts(item.id)
            events = await uow.tickets.events(item.ticket_id)
            kept = await uow.files.for_messages([m.id for m in history])
            account = await uow.staff.get("ana")
        by_text = {m.text: m.created_at for m in history if m.direction == "in"}
        assert by_text["How much is the security deposit?"] == asked
        assert by_text["I want a real person"] == handed
        assert {m.created_at for m in history if m.reply_to is not None} <= {
            asked, pressed, handed, filed
        }
        assert message.created_at == replied
        assert ticket is not None and ticket.first_response_at == replied
        assert item.status == "sent" and (attempt.started_at, attempt.finished_at) == (
            delivered,
            delivered,
        )
        assert (events[0].created_at, events[-1].created_at) == (handed, replied)
        (record,) = kept.values()
        assert record.created_at == filed
        assert account is not None and account.created_at == filed  # the clock had not moved
        on_disk = [p for p in (tmp_path / "files").rglob("*") if p.is_file()]
        assert [p.stat().st_mtime for p in on_disk] == [filed.timestamp()]

        # The retention purge: a day before the file is due, nothing goes (its bytes neither);
        # a minute after, the row and the bytes go.
        clock.at(filed + timedelta(days=RETENTION_DAYS - 1))
        assert await files.purge() == 0
        assert [p for p in (tmp_path / "files").rglob("*") if p.is_file()] == on_disk
        purged = clock.at(filed + timedelta(days=RETENTION_DAYS, minutes=1))
        assert await files.purge() == 1
        assert not [p for p in (tmp_path / "files").rglob("*") if p.is_file()]

        # Nothing anywhere carries another clock's time.
        times = await stored_times(store)
        assert times["messages.created_at"] and times["outbox_attempts.finished_at"]
        virtual = {asked, pressed, handed, filed, replied, delivered, purged}
        stray = {
            column: sorted(set(values) - virtual)
            for column, values in times.items()
            if set(values) - virtual
        }
        assert stray == {}
    finally:
        await services.store.close()


def test_no_column_has_a_time_of_its_own() -> None:
    """The code always passes the time: no default, on-update or server default for one."""
    own = [
        f"{table.name}.{column.name}"
        for table in Base.metadata.sorted_tables
        for column in table.columns
        if isinstance(column.type, UtcDateTime)
        and (column.default or column.onupdate or column.server_default)
    ]
    assert own == []


# Where reading the machine's clock is right: the one clock itself; the operator's commands
# (their own process, no service); a migration's one-off backfill; the centres engine's default
# (it sits below the core; the root hands it the service's clock); WeChat's protocol times (the
# 48-hour reply window and the timestamps of signed replies are on Tencent's real clock).
WALL_CLOCK_ALLOWED = {
    "bot/core/clock.py",
    "bot/centres/finder.py",
    "bot/channels/wechat/window.py",
    "bot/channels/wechat/endpoint.py",
}
WALL_CLOCK_ALLOWED_UNDER = ("bot/cli/", "bot/storage/migrations/")
WALL_CLOCK_READS = {
    ("datetime", "now"),
    ("datetime", "utcnow"),
    ("datetime", "today"),
    ("date", "today"),
    ("time", "time"),
    ("time", "time_ns"),
    ("func", "now"),
    ("func", "current_timestamp"),
}
SQL_NOW = re.compile(r"current_timestamp|\bnow\(\)|localtimestamp", re.IGNORECASE)


def test_the_service_reads_no_other_clock() -> None:
    """No module of the service reads the machine's or the database's time directly."""
    found: list[str] = []
    for path in sorted((ROOT / "bot").rglob("*.py")):
        name = path.relative_to(ROOT).as_posix()
        if name in WALL_CLOCK_ALLOWED or name.startswith(WALL_CLOCK_ALLOWED_UNDER):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Attribute)
                and isinstance(node.value, ast.Name)
                and (node.value.id, node.attr) in WALL_CLOCK_READS
            ):
                found.append(f"{name}:{node.lineno}: {node.value.id}.{node.attr}")
            sql = name.startswith("bot/storage/") and isinstance(node, ast.Constant)
            if sql and isinstance(node.value, str) and SQL_NOW.search(node.value):
                found.append(f"{name}:{node.lineno}: {node.value[:40]!r}")
    assert found == []
