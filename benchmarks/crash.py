"""Crash safety: `serve` killed (SIGKILL) in the middle of a flood, restarted on the same database.

Run: ``python -m benchmarks.crash [--db sqlite|postgresql|both] [--web 40] [--telegram 20]``.

For each database it starts ``merchant-bot serve`` (lexical matcher, a staff account made with
``merchant-bot staff add``, the Telegram channel against a local Bot API server,
``tests/telegram/fake_api.py``), then:

1. A few merchants on each channel ask for a person, and a first staff reply per ticket is
   queued through the Desk (``bot.core.desk``, on the same database, as the console does).
2. The flood: ``--web`` web-chat merchants each send ``--questions`` FAQ questions through
   ``POST /api/chat`` (one at a time, each with its own message id, as the page does), and
   ``--telegram`` Telegram merchants' questions are all queued at the Bot API at once.
3. Once ``--kill-at`` of the web questions have been answered, a second staff reply per ticket
   is queued and the process is killed with SIGKILL at once (in-flight requests are lost).
4. ``serve`` starts again on the same database. Every web client re-sends what it got no
   answer to, with the same message id (as the page and WeChat do), re-sends every question it
   *was* answered (the answer must be replayed, marked ``duplicate``, not a second one), then
   asks the rest. Telegram re-delivers the updates that were not confirmed, as it does.
5. Figures from the clients' side: each question answered once, twice or never (web: the
   answer the client finally holds; Telegram: the expected answers the Bot API accepted), each
   staff reply delivered once, twice or never (web: what the page's poller of
   ``/api/history?after=`` shows; Telegram: what the Bot API accepted); and from the database:
   inbound messages stored twice, answers stored twice, staff messages stored twice.

Exit status 1 when anything was lost or duplicated.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import aiohttp

from benchmarks.serve import (
    ROOT,
    free_port,
    kill_serve,
    serve_env,
    start_serve,
    stop_serve,
    until_healthy,
)
from benchmarks.telegram_flood import LANGS, questions
from benchmarks.webchat import ChatPage
from bot.centres.finder import CentreFinder
from bot.centres.loader import load_centres
from tests.telegram import builders
from tests.telegram.fake_api import TOKEN, FakeBotApi

PG_ADMIN = os.environ.get("TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
STAFF_USER = "crashbench"
STAFF_PASSWORD = "crash-bench-password"
WEB_TICKETS = 5
TELEGRAM_TICKETS = 5
HTTP_TIMEOUT = aiohttp.ClientTimeout(total=30)
_IDS = itertools.count(1)


# -- clients ---------------------------------------------------------------------------------


@dataclass
class Question:
    """One web-chat message and what the client saw of it."""

    id: str
    text: str
    lang: str
    answers: list[tuple[str, ...]] = field(default_factory=list)  # non-duplicate replies
    replays: list[tuple[str, ...]] = field(default_factory=list)  # replies marked duplicate
    acked_before_kill: bool = False
    retried: bool = False


class WebMerchant(ChatPage):
    """A browser: its own cookie, questions asked one at a time, unanswered ones re-sent."""

    def __init__(self, session: aiohttp.ClientSession, plan: list[tuple[str, str]], lang: str):
        super().__init__()
        self.session = session
        self.questions = [Question(f"crash-f{next(_IDS):07d}", q, lang) for q, _ in plan]
        self.next = 0
        self.staff_seen: Counter[str] = Counter()

    async def post(self, base: str, q: Question) -> dict[str, Any] | None:
        """Send one message; None when no answer came back (the server died)."""
        return await self.send(self.session, base, q, q.lang)

    async def ask_until_down(self, base: str, answered: list[int]) -> None:
        """Ask the questions in order until one gets no answer (the server is gone)."""
        while self.next < len(self.questions):
            q = self.questions[self.next]
            if await self.post(base, q) is None:
                return
            q.acked_before_kill = True
            answered[0] += 1
            self.next += 1

    async def after_restart(self, base: str) -> None:
        """Re-send the unanswered one, replay the answered ones, then ask the rest."""
        for q in self.questions[: self.next]:
            await self.post(base, q)  # answered before the kill: must be a replay
        for q in self.questions[self.next :]:
            if q is self.questions[self.next]:
                q.retried = True  # the one in flight at the kill (it may not have arrived)
            for _ in range(5):
                if await self.post(base, q) is not None:
                    break
                await asyncio.sleep(0.5)

    async def poll_staff(self, base: str, stop: asyncio.Event, tokens: dict[str, str]) -> None:
        """The page's poller: staff replies arrive through /api/history?after=cursor.

        ``tokens`` (each staff reply's mark) is read as it grows: a mark is added before its
        reply is queued.
        """

        def shown(text: str) -> None:
            self.staff_seen.update(token for token in tokens if token in text)

        await self.poll(self.session, base, stop, shown)


# -- the server and the database -------------------------------------------------------------


class Server:
    """`serve` on a fixed port and database, killed and started again."""

    def __init__(self, env: dict[str, str], port: int) -> None:
        self.env, self.port = env, port
        self.base = f"http://127.0.0.1:{port}"
        self.proc: subprocess.Popen[bytes] | None = None

    async def start(self, session: aiohttp.ClientSession) -> None:
        """Start `serve` and wait until /healthz answers."""
        self.proc = start_serve(self.port, self.env)
        await until_healthy(session, self.base, self.proc)

    def kill(self) -> None:
        """SIGKILL: the crash."""
        assert self.proc is not None
        kill_serve(self.proc)

    def stop(self) -> None:
        """A clean stop at the end of the run."""
        stop_serve(self.proc)


async def _pg_admin(statement: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(PG_ADMIN)
    try:
        await conn.execute(statement)
    finally:
        await conn.close()


def _cli(env: dict[str, str], *args: str, stdin: str = "") -> None:
    subprocess.run(
        [sys.executable, "-m", "bot", *args], env=env, input=stdin.encode(), check=True,
        stdout=subprocess.DEVNULL,
    )  # fmt: skip


class Staff:
    """The console's side: replies queued through the Desk, on the same database."""

    def __init__(self, url: str) -> None:
        from bot.storage.uow import SqlStore

        self.store = SqlStore(url)

    async def ticket_for(self, channel: str, user_id: str) -> int:
        from bot.core.types import MerchantKey

        async with self.store.uow() as uow:
            merchant = await uow.merchants.get_or_create(MerchantKey(channel, user_id))
            ticket = await uow.tickets.active_for(merchant.id)
        if ticket is None:
            raise RuntimeError(f"no ticket for {channel} merchant {user_id}")
        return ticket.id

    async def reply(self, ticket_id: int, text: str) -> None:
        from bot.core.desk import Desk
        from bot.core.teams import DefaultTeamOnly

        async with self.store.uow() as uow:
            account = await uow.staff.get(STAFF_USER)
        assert account is not None
        await Desk(self.store.uow, DefaultTeamOnly).reply(account, ticket_id, text)

    async def rows(self, sql: str) -> list[tuple[Any, ...]]:
        from sqlalchemy import text

        async with self.store.engine.connect() as conn:
            return [tuple(r) for r in (await conn.execute(text(sql))).all()]

    async def close(self) -> None:
        await self.store.close()


# -- one run ---------------------------------------------------------------------------------


@dataclass
class Figures:
    """What one run measured."""

    db: str
    rows: list[tuple[str, ...]] = field(default_factory=list)
    stored_twice: dict[str, int] = field(default_factory=dict)
    outbox_at_kill: dict[str, int] = field(default_factory=dict)
    ok: bool = True


async def run(db: str, args: argparse.Namespace) -> Figures:
    """Flood, kill, restart, retry; count from the clients' side and in the database."""
    from bot.faq.loader import load_faq
    from bot.faq.matcher import Matcher

    faq, problems = load_faq(ROOT / "faq")
    assert faq is not None, problems
    matcher = Matcher(faq)
    with tempfile.TemporaryDirectory() as tmp:
        pg_name = f"crash_bench_{os.getpid()}"
        if db == "postgresql":
            await _pg_admin(f'DROP DATABASE IF EXISTS "{pg_name}"')
            await _pg_admin(f'CREATE DATABASE "{pg_name}"')
            url = PG_ADMIN.rsplit("/", 1)[0] + f"/{pg_name}"
        else:
            url = f"sqlite+aiosqlite:///{tmp}/crash.db"
        api = FakeBotApi()
        await api.start()
        env = serve_env(tmp, "none") | {
            "DATABASE_URL": url,
            "TELEGRAM_BOT_TOKEN": TOKEN,
            "TELEGRAM_API_URL": api.url,
            "ACK_INTERVAL_SECONDS": "0",
            # A reply in flight at the kill is sent again once its lease ends: short here, so
            # the run sees it (the default is two minutes).
            "OUTBOX_LEASE_SECONDS": "5",
        }
        _cli(env, "db", "upgrade", "--database-url", url)
        _cli(env, "staff", "add", STAFF_USER, "--role", "admin", stdin=STAFF_PASSWORD + "\n")
        server = Server(env, free_port())
        staff = Staff(url)
        try:
            async with aiohttp.ClientSession(timeout=HTTP_TIMEOUT) as session:
                return await _flood(db, args, matcher, api, server, staff, session)
        finally:
            server.stop()
            await staff.close()
            await api.close()
            if db == "postgresql":
                await _pg_admin(f'DROP DATABASE IF EXISTS "{pg_name}"')


async def _flood(
    db: str,
    args: argparse.Namespace,
    matcher: Any,
    api: FakeBotApi,
    server: Server,
    staff: Staff,
    session: aiohttp.ClientSession,
) -> Figures:
    await server.start(session)
    await api.wait_until(lambda: bool(api.called("getUpdates")), 30)
    base = server.base

    # 1. Tickets to reply to: web and Telegram merchants who asked for a person.
    person = [("talk to a person", "")]
    ticket_web = [WebMerchant(session, person, "en") for _ in range(WEB_TICKETS)]
    for m in ticket_web:
        await m.post(base, m.questions[0])
    ticket_chats = [800_000 + i for i in range(TELEGRAM_TICKETS)]
    for chat in ticket_chats:
        await api.add_update(builders.text(chat, "talk to a person", "en"))
    tickets: list[tuple[str, int, Any]] = []  # (channel, ticket id, web merchant or chat id)
    for m in ticket_web:
        tickets.append(("web", await staff.ticket_for("web", m.user), m))
    await api.wait_until(lambda: all(api.texts(c) for c in ticket_chats), 30)
    for chat in ticket_chats:
        tickets.append(("telegram", await staff.ticket_for("telegram", str(chat)), chat))
    staff_tokens: dict[str, str] = {}  # token -> channel
    for n, (channel, ticket_id, _) in enumerate(tickets):
        token = f"staff-reply-1-{n}"
        staff_tokens[token] = channel
        await staff.reply(ticket_id, f"Hello from the team ({token}).")
    stop_polling = asyncio.Event()
    pollers = [
        asyncio.create_task(m.poll_staff(base, stop_polling, staff_tokens))
        for m in ticket_web
    ]

    # 2. The flood.
    centres, _ = load_centres(ROOT / "faq" / "centres.yaml")
    finder = CentreFinder(centres) if centres is not None else None

    def centre_question(text: str) -> bool:  # serve answers these with the nearest centre
        return finder is not None and finder.from_message(text) is not None

    web_plan = questions(matcher, args.web, args.questions, centre_question)
    web = [
        WebMerchant(session, plan, LANGS[i % len(LANGS)][1]) for i, plan in enumerate(web_plan)
    ]
    tg_plan = questions(matcher, args.telegram, args.questions, centre_question)
    tg_chats = [700_000 + i for i in range(args.telegram)]
    for k in range(args.questions):
        for i, chat in enumerate(tg_chats):
            await api.add_update(builders.text(chat, tg_plan[i][k][0], LANGS[i % len(LANGS)][0]))
    answered = [0]
    total_web = args.web * args.questions
    flood = [asyncio.create_task(m.ask_until_down(base, answered)) for m in web]

    # 3. Halfway to the kill, queue a second staff reply per ticket (some will still wait in
    # the outbox at the kill); SIGKILL once enough web questions were answered.
    while answered[0] < total_web * args.kill_at / 2:
        await asyncio.sleep(0.002)

    async def second_replies() -> None:
        for n, (channel, ticket_id, _) in enumerate(tickets):
            token = f"staff-reply-2-{n}"
            staff_tokens[token] = channel
            await staff.reply(ticket_id, f"One more thing from the team ({token}).")

    queued = asyncio.create_task(second_replies())
    while answered[0] < total_web * args.kill_at:
        await asyncio.sleep(0.002)
    await queued
    server.kill()
    outbox_at_kill = await staff.rows("SELECT status, COUNT(*) FROM outbox GROUP BY status")
    tg_before = {c: list(api.texts(c)) for c in tg_chats}
    tg_pending = len(api.pending)
    await asyncio.gather(*flood)
    for poller in pollers:
        poller.cancel()
    stop_polling = asyncio.Event()
    pollers = [
        asyncio.create_task(m.poll_staff(base, stop_polling, staff_tokens))
        for m in ticket_web
    ]

    # 4. Restart on the same database; clients retry.
    await server.start(session)
    await asyncio.gather(*(m.after_restart(base) for m in web))
    expected_tg = sum(len(p) for p in tg_plan) + len(staff_tokens)
    await _settle(api, tg_chats + ticket_chats, expected_tg)
    await asyncio.sleep(1.5)  # the pollers' last round
    stop_polling.set()
    await asyncio.gather(*pollers)

    # 5. Figures.
    figures = Figures(db, outbox_at_kill={str(k): int(v) for k, v in outbox_at_kill})
    qs = [q for m in web for q in m.questions]
    once = sum(len({*q.answers, *q.replays} - {()}) == 1 and len(q.answers) <= 1 for q in qs)
    twice = sum(len(q.answers) > 1 or len({*q.answers, *q.replays} - {()}) > 1 for q in qs)
    never = sum(not ({*q.answers, *q.replays} - {()}) for q in qs)
    acked = sum(q.acked_before_kill for q in qs)
    replayed_ok = sum(
        q.acked_before_kill and len(q.replays) == 1 and q.replays[0] == q.answers[0] for q in qs
    )
    figures.rows.append((
        "web chat", str(len(qs)), str(acked), str(sum(q.retried for q in qs)),
        str(once), str(twice), str(never), f"{replayed_ok} of {acked} replayed alike",
    ))  # fmt: skip
    tg_once = tg_twice = tg_never = tg_acked = 0
    for i, chat in enumerate(tg_chats):
        got = Counter(api.texts(chat))
        before = Counter(tg_before[chat])
        for _, answer in tg_plan[i]:
            tg_once += got[answer] == 1
            tg_twice += got[answer] > 1
            tg_never += got[answer] == 0
            tg_acked += before[answer] > 0
    figures.rows.append((
        "Telegram", str(len(tg_chats) * args.questions), str(tg_acked),
        f"{tg_pending} re-delivered", str(tg_once), str(tg_twice), str(tg_never), "",
    ))  # fmt: skip
    for channel in ("web", "telegram"):
        seen: Counter[str] = Counter()
        for kind, _, who in tickets:
            if kind != channel:
                continue
            if channel == "web":
                seen.update(who.staff_seen)
            else:
                seen.update(t for text in api.texts(who) for t in staff_tokens if t in text)
        mine = [t for t, c in staff_tokens.items() if c == channel]
        figures.rows.append((
            f"staff replies, {channel}", str(len(mine)), "", "",
            str(sum(seen[t] == 1 for t in mine)), str(sum(seen[t] > 1 for t in mine)),
            str(sum(seen[t] == 0 for t in mine)), "",
        ))  # fmt: skip
    figures.stored_twice = await _stored_twice(staff)
    figures.ok = (
        never == twice == tg_never == tg_twice == 0
        and replayed_ok == acked
        and all(r[5] == r[6] == "0" for r in figures.rows)
        and not any(figures.stored_twice.values())
    )
    return figures


async def _settle(api: FakeBotApi, chats: list[int], expected: int, quiet: float = 3.0) -> None:
    """Wait until the Bot API has had no new message for ``quiet`` seconds (60 s at most)."""
    deadline = time.monotonic() + 60
    last, since = -1, time.monotonic()
    while time.monotonic() < deadline:
        count = sum(len(api.texts(c)) for c in chats)
        if count != last:
            last, since = count, time.monotonic()
        elif time.monotonic() - since > quiet and not api.pending:
            return
        await asyncio.sleep(0.1)


async def _stored_twice(staff: Staff) -> dict[str, int]:
    """From the database: rows that exist twice for one delivery."""
    inbound = await staff.rows(
        "SELECT merchant_id, channel_message_id FROM messages WHERE direction = 'in' "
        "AND channel_message_id IS NOT NULL "
        "GROUP BY merchant_id, channel_message_id HAVING COUNT(*) > 1"
    )
    answers = await staff.rows(
        "SELECT i.id FROM messages i JOIN messages o ON o.reply_to = i.id "
        "JOIN merchants m ON m.id = i.merchant_id "
        "WHERE i.direction = 'in' AND m.channel_user_id NOT IN (SELECT mm.channel_user_id "
        "FROM merchants mm JOIN tickets t ON t.merchant_id = mm.id) "
        "GROUP BY i.id HAVING COUNT(*) > 1"
    )
    staff_rows = await staff.rows(
        "SELECT text FROM messages WHERE kind = 'staff' GROUP BY text HAVING COUNT(*) > 1"
    )
    outbox = await staff.rows(
        "SELECT message_id FROM outbox GROUP BY message_id HAVING COUNT(*) > 1"
    )
    return {
        "inbound messages": len(inbound),
        "FAQ answers": len(answers),
        "staff messages": len(staff_rows),
        "outbox items": len(outbox),
    }


def _print(figures: list[Figures]) -> None:
    print(
        "| database | what | sent | acknowledged before the kill | retried | answered once | "
        "twice | never | replays |\n|---|---|---|---|---|---|---|---|---|"
    )
    for f in figures:
        for row in f.rows:
            print(f"| {f.db} | " + " | ".join(row) + " |")
    for f in figures:
        twice = ", ".join(f"{k} {v}" for k, v in f.stored_twice.items())
        waiting = ", ".join(f"{k} {v}" for k, v in sorted(f.outbox_at_kill.items()))
        print(f"{f.db}: staff outbox at the kill: {waiting}; stored twice in the database: "
              f"{twice}; all exactly once: {f.ok}")  # fmt: skip


def main() -> int:
    """Parse the options and run the crash test on each database."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--web", type=int, default=40, help="web-chat merchants in the flood")
    parser.add_argument("--telegram", type=int, default=20, help="Telegram merchants")
    parser.add_argument("--questions", type=int, default=8, help="per merchant")
    parser.add_argument("--kill-at", type=float, default=0.4, help="share of web answers")
    args = parser.parse_args()
    dbs = ("sqlite", "postgresql") if args.db == "both" else (args.db,)
    results = [asyncio.run(run(db, args)) for db in dbs]
    _print(results)
    return 0 if all(r.ok for r in results) else 1


if __name__ == "__main__":
    raise SystemExit(main())
