"""One merchant's data exported or erased, and old message texts blanked (issue 18, privacy),
on SQLite and PostgreSQL, through the service as it runs and the command line."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot import bootstrap
from bot.cli.main import main
from bot.core.insights import InsightsQuery, compute
from bot.core.types import Attachment, Incoming, MerchantKey
from bot.storage.insights import SqlInsights
from bot.storage.models import FileRow, Merchant, Message, TicketRow, UnansweredQuestionRow
from bot.storage.privacy import TextRetention
from bot.storage.uow import SqlStore
from tests.storage.test_one_clock import PDF, PDF_KIND, VirtualClock, database, settings

__all__ = ["database"]  # the fixture, imported for its parameters (SQLite and PostgreSQL)

START = datetime(2030, 6, 1, 9, 0, tzinfo=UTC)
ODD = "Could my parrot run the shop while I travel?"


@dataclass
class World:
    url: str
    store: SqlStore
    files: Path
    clock: VirtualClock


@pytest.fixture
async def world(tmp_path: Path, database: str) -> AsyncIterator[World]:
    """Two web merchants: each asks, hands over, and alice sends a PDF while she waits."""
    clock = VirtualClock(START)
    store = SqlStore(database)
    services = await bootstrap.build(settings(tmp_path, database), store=store, clock=clock)
    for user in ("alice", "bob"):
        key = MerchantKey("web", user)
        chat = services.conversation
        await chat.handle(Incoming(key, "text", text="How much is the security deposit?"))
        await chat.handle(Incoming(key, "text", text=ODD))  # logged as unanswered
        await chat.handle(Incoming(key, "text", text="my funds are frozen, I need a person"))
    clock.at(START + timedelta(days=1))
    await services.conversation.handle(
        Incoming(MerchantKey("web", "alice"), "file", attachment=Attachment(PDF_KIND, PDF, "n.pdf"))
    )
    try:
        yield World(database, store, tmp_path / "files", clock)
    finally:
        await store.close()


async def counts(store: SqlStore, channel_user: str) -> dict[str, int]:
    async with store.sessions() as session:
        merchant = await session.scalar(
            select(Merchant.id).where(Merchant.channel_user_id == channel_user)
        )
        if merchant is None:
            return {}
        out = {}
        for name, table in (("messages", Message), ("tickets", TicketRow), ("files", FileRow)):
            n = select(func.count()).select_from(table).where(table.merchant_id == merchant)
            out[name] = int(await session.scalar(n) or 0)
        return out


async def run(*argv: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    """The command line, in a thread: it runs its own event loop."""
    code = await asyncio.to_thread(main, list(argv))
    return code, capsys.readouterr().out


async def test_export_gives_one_merchants_data_and_erase_removes_only_it(
    world: World, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    base = ("--database-url", world.url, "--files-dir", str(world.files))
    code, out = await run("merchant", "export", "web:alice", *base,
                    "--with-files", str(tmp_path / "out"), capsys=capsys)  # fmt: skip
    assert code == 0
    data = json.loads(out)
    assert data["merchant"]["channel_user_id"] == "alice"
    texts = [m["text"] for m in data["messages"]]
    assert "How much is the security deposit?" in texts and ODD in texts
    assert len(data["tickets"]) == 1 and data["ticket_events"]
    (record,) = data["files"]
    assert (tmp_path / "out" / f"{record['id']}-n.pdf").read_bytes() == PDF
    assert {m["merchant_id"] for m in data["messages"]} == {data["merchant"]["id"]}

    before_alice, before_bob = await counts(world.store, "alice"), await counts(world.store, "bob")
    assert before_alice["files"] == 1 and before_bob["tickets"] == 1
    code, out = await run("merchant", "erase", "web:alice", *base, capsys=capsys)
    assert code == 0 and out.startswith("would erase")
    assert await counts(world.store, "alice") == before_alice  # nothing without --yes

    code, out = await run("merchant", "erase", "web:alice", *base, "--yes", capsys=capsys)
    assert code == 0 and out.startswith("erased")
    assert await counts(world.store, "alice") == {}
    assert await counts(world.store, "bob") == before_bob
    assert not [p for p in world.files.rglob("*") if p.is_file()]  # the bytes went too
    async with world.store.sessions() as session:
        left = (await session.scalars(select(UnansweredQuestionRow.text))).all()
    assert left == [ODD]  # bob's
    code, _ = await run("merchant", "export", "web:alice", *base, capsys=capsys)
    assert code == 1


async def test_retention_blanks_old_texts_and_keeps_every_row(world: World) -> None:
    async with world.store.sessions() as session:
        rows = int(await session.scalar(select(func.count()).select_from(Message)) or 0)
    query = InsightsQuery(START - timedelta(days=1), START + timedelta(days=3))
    figures = compute(query, await SqlInsights(world.store.engine).rows(query),
                      first_response=timedelta(hours=2))  # fmt: skip
    world.clock.at(START + timedelta(days=5, hours=12))
    sweep = TextRetention(world.store.sessions, days=5, clock=world.clock)
    changed = await sweep.sweep()
    assert changed > 0
    after = compute(query, await SqlInsights(world.store.engine).rows(query),
                    first_response=timedelta(hours=2))  # fmt: skip
    assert after.as_dict() == figures.as_dict() and figures.total.questions >= 4  # aggregates
    async with world.store.sessions() as session:
        kept = (await session.execute(select(Message.created_at, Message.text))).all()
        logged = (await session.scalars(select(UnansweredQuestionRow.text))).all()
    assert len(kept) == rows  # every row (and so every count) stays
    assert all(text == "" for at, text in kept if at < START + timedelta(days=1))
    assert any(text for at, text in kept if at >= START + timedelta(days=1))  # alice's file day
    assert logged and all(text == "" for text in logged)
    assert await sweep.sweep() == 0  # nothing left to blank
