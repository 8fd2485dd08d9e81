"""The insights' stats query at a million messages, on SQLite and PostgreSQL.

    .venv/bin/python -m benchmarks.insights [--messages N] [--postgres-url URL] [--no-postgres]

Each run builds a throwaway database (an SQLite file in a temporary folder; a new PostgreSQL
database on the server at ``--postgres-url`` / ``$TEST_POSTGRES_URL``, dropped afterwards),
migrates it, bulk-inserts merchants, messages (half questions, half the bot's replies with
their decision, over 90 days), feedback and tickets, then times the stats query for the last
30 days and for all 90 from the raw rows, builds the daily roll-ups as ``serve``'s job backfills
them after start-up (timed, with the event loop's longest stall meanwhile), times the same
queries read as roll-ups + today side by side (and says whether the figures are the same), and
the 👎 list. It prints figures; nothing is asserted.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import secrets
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import insert, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

from bot.core.insights import Insights, InsightsQuery, compute
from bot.core.rollups import RollupJob
from bot.storage.database import normalize_url
from bot.storage.insights import SqlInsights
from bot.storage.migrate import upgrade
from bot.storage.models import Feedback, Merchant, Message, TicketRow
from bot.storage.rollups import SqlRollups
from bot.storage.uow import SqlStore

CHUNK = 10_000
DAYS = 90
LOCALES = ("en", "zh_Hans", "zh_Hant", "ko")
CHANNELS = ("web", "telegram", "wechat")
ACTIONS = ("answer",) * 14 + ("clarify", "clarify", "fallback", "escalate", "smalltalk")
TEAMS = ("default", "seoul", "shenzhen")


async def _bulk(store: SqlStore, model: Any, rows: list[dict[str, Any]]) -> None:
    async with store.engine.begin() as connection:
        for at in range(0, len(rows), CHUNK):
            await connection.execute(insert(model), rows[at : at + CHUNK])


async def fill(store: SqlStore, messages: int, seed: int = 18) -> dict[str, float]:
    """Bulk-insert the data set; returns seconds per table."""
    rng = random.Random(seed)
    now = datetime.now(UTC)
    start = now - timedelta(days=DAYS)
    merchants = max(messages // 20, 1)
    took: dict[str, float] = {}
    began = time.perf_counter()
    await _bulk(
        store,
        Merchant,
        [
            {
                "id": i, "channel": CHANNELS[i % 3], "channel_user_id": f"m{i}",
                "locale": LOCALES[i % 4], "locale_pinned": False, "last_seq": 0,
                "created_at": start, "updated_at": start,
            }
            for i in range(1, merchants + 1)
        ],
    )  # fmt: skip
    took["merchants"] = time.perf_counter() - began
    began = time.perf_counter()
    seq = [0] * (merchants + 1)
    feedback: list[dict[str, Any]] = []
    batch: list[dict[str, Any]] = []
    next_id = 1
    async with store.engine.begin() as connection:
        for _pair in range(messages // 2):
            m = rng.randint(1, merchants)
            at = start + timedelta(seconds=rng.uniform(0, DAYS * 86400))
            locale, action = LOCALES[m % 4], rng.choice(ACTIONS)
            faq_id = f"entry-{rng.randint(1, 120)}" if action in ("answer", "escalate") else None
            seq[m] += 1
            question = {
                "id": next_id, "merchant_id": m, "seq": seq[m], "direction": "in",
                "kind": "text", "text": "a question", "payload": "", "locale": locale,
                "buttons": [], "created_at": at, "reply_to": None, "action": None,
                "faq_id": None, "score": None,
            }  # fmt: skip
            seq[m] += 1
            reply = {
                "id": next_id + 1, "merchant_id": m, "seq": seq[m], "direction": "out",
                "kind": "text", "text": "an answer", "payload": "", "locale": locale,
                "buttons": [], "created_at": at + timedelta(milliseconds=300),
                "reply_to": next_id, "action": action, "faq_id": faq_id,
                "score": rng.random(),
            }  # fmt: skip
            batch += [question, reply]
            if action == "answer" and rng.random() < 0.05:
                feedback.append({
                    "message_id": next_id, "merchant_id": m, "helpful": rng.random() < 0.7,
                    "created_at": at, "updated_at": at,
                })  # fmt: skip
            next_id += 2
            if len(batch) >= CHUNK:
                await connection.execute(insert(Message), batch)
                batch = []
        if batch:
            await connection.execute(insert(Message), batch)
    took["messages"] = time.perf_counter() - began
    began = time.perf_counter()
    await _bulk(store, Feedback, feedback)
    tickets = []
    for m in rng.sample(range(1, merchants + 1), k=max(merchants // 10, 1)):
        opened = start + timedelta(seconds=rng.uniform(0, DAYS * 86400))
        first = opened + timedelta(minutes=rng.expovariate(1 / 60))
        done = first + timedelta(hours=rng.expovariate(1 / 8))
        resolved = done < now and rng.random() < 0.9
        tickets.append({
            "merchant_id": m, "channel": CHANNELS[m % 3],
            "status": "resolved" if resolved else "open", "reason": "no_answer",
            "locale": LOCALES[m % 4], "team": rng.choice(TEAMS), "created_at": opened,
            "updated_at": opened, "first_response_at": first if first < now else None,
            "resolved_at": done if resolved else None,
            "rating": rng.randint(1, 5) if resolved and rng.random() < 0.4 else None,
        })  # fmt: skip
    await _bulk(store, TicketRow, tickets)
    took["feedback+tickets"] = time.perf_counter() - began
    if store.engine.dialect.name == "postgresql":
        async with store.engine.begin() as connection:
            await connection.execute(text("ANALYZE"))
    return took


async def measure(url: str, messages: int) -> None:
    await upgrade(url)
    store = SqlStore(url)
    try:
        name = store.engine.dialect.name
        took = await fill(store, messages)
        print(f"{name}: inserted {messages:,} messages: "
              + ", ".join(f"{k} {v:.1f} s" for k, v in took.items()))  # fmt: skip
        source = SqlInsights(store.engine, rollups=False)
        now = datetime.now(UTC)
        raw = {days: await _timed(source, now, days) for days in (30, DAYS)}
        began = time.perf_counter()
        built, stall = await _backfilled(store, now)
        print(f"{name}: roll-ups of {len(built)} closed days backfilled by serve's job in "
              f"{time.perf_counter() - began:.1f} s; the event loop's longest stall meanwhile "
              f"{stall * 1000:.0f} ms")  # fmt: skip
        began = time.perf_counter()  # what report stats adds when every day is up to date
        await SqlRollups(store.engine).refresh(now, now - timedelta(days=30), now)
        print(f"{name}: report stats' roll-up check, nothing to build: "
              f"{(time.perf_counter() - began) * 1000:.0f} ms")  # fmt: skip
        rolled = SqlInsights(store.engine)
        for days, (raw_best, raw_figures) in raw.items():
            best, figures = await _timed(rolled, now, days)
            t = figures.total
            same = "same figures" if figures.as_dict() == raw_figures.as_dict() else "DIFFERENT"
            print(
                f"{name}: stats over {days} days: raw {raw_best * 1000:.0f} ms, roll-ups + "
                f"today {best * 1000:.0f} ms (best of 3; {same}); "
                f"{t.conversations:,} conversations, {t.questions:,} questions, "
                f"{t.tickets_opened:,} tickets, first response median "
                f"{(t.first_response.median or 0) / 60:.0f} min"
            )
        began = time.perf_counter()
        disliked = await source.disliked(None)
        print(f"{name}: 👎 list: {(time.perf_counter() - began) * 1000:.0f} ms "
              f"({len(disliked)} questions)")  # fmt: skip
    finally:
        await store.close()


async def _backfilled(store: SqlStore, now: datetime) -> tuple[list[Any], float]:
    """The days ``RollupJob.backfill`` builds, and the longest the event loop was held
    meanwhile (a task that wakes every 10 ms measures how late it wakes)."""
    stall = 0.0

    async def ticker() -> None:
        nonlocal stall
        while True:
            began = time.perf_counter()
            await asyncio.sleep(0.01)
            stall = max(stall, time.perf_counter() - began - 0.01)

    job = RollupJob(SqlRollups(store.engine), every=600, clock=lambda: now)
    ticking = asyncio.create_task(ticker())
    try:
        built = await job.backfill()
    finally:
        ticking.cancel()
    return built, stall


async def _timed(source: SqlInsights, now: datetime, days: int) -> tuple[float, Insights]:
    """The best of 3 of one period's stats (the query and the figures), and the figures."""
    query = InsightsQuery(now - timedelta(days=days), now)
    best = float("inf")
    for _ in range(3):
        began = time.perf_counter()
        figures = compute(query, await source.rows(query), first_response=timedelta(hours=2))
        best = min(best, time.perf_counter() - began)
    return best, figures


async def _admin(url: str, sql: str) -> None:
    engine = create_async_engine(url, isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as connection:
            await connection.execute(text(sql))
    finally:
        await engine.dispose()


async def on_postgres(server: str, messages: int) -> None:
    name = f"merchant_bot_bench_{os.getpid()}_{secrets.token_hex(3)}"
    await _admin(server, f'CREATE DATABASE "{name}"')
    try:
        url = make_url(server).set(database=name).render_as_string(hide_password=False)
        await measure(url, messages)
    finally:
        await _admin(server, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=1_000_000)
    parser.add_argument(
        "--postgres-url",
        default=os.environ.get("TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"),
    )
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--no-sqlite", action="store_true")
    args = parser.parse_args()
    if not args.no_sqlite:
        with tempfile.TemporaryDirectory(prefix="merchant-bot-bench-") as tmp:
            asyncio.run(measure(f"sqlite+aiosqlite:///{Path(tmp) / 'bench.db'}", args.messages))
    if not args.no_postgres:
        asyncio.run(on_postgres(normalize_url(args.postgres_url), args.messages))


if __name__ == "__main__":
    main()
