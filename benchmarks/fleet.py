"""Replicas of `serve` behind a round-robin proxy, on one PostgreSQL database and one Redis.

Run: ``python -m benchmarks.fleet [--replicas 2 3] [--merchants 40] [--questions 6] [--quick]``.

For each replica count it runs twice, on a fresh PostgreSQL database (created and dropped here)
and a flushed Redis database (``--redis-db``, 14 by default: ``REDIS_URL`` keys have a fixed
prefix, so the benchmark owns a whole database number): once as is, once with one replica killed
with SIGKILL mid-run (when ``--kill-at`` of the web questions are answered) and started again
``--down`` seconds later. In front of the replicas is a reverse proxy written here (aiohttp,
round robin per request, sticky by nothing, X-Forwarded-For/-Proto/-Host set; a connection
refused goes to the next replica, a connection lost mid-request is a 502 and the client retries).

Traffic, all through the proxy:

- web chat: ``--merchants`` merchants ask ``--questions`` FAQ questions each, one at a time,
  each with its own message id; no answer (502, timeout) is re-sent with the same id;
- WeChat (safe mode, signed and encrypted as ``tests/wechat/wire.py``): ``--merchants``/2
  merchants; every MsgId is pushed again 4.5 s after the first push, to another replica (as
  WeChat does when its 5 s pass), and up to twice more while no push got an HTTP answer;
  replies that do not come back passively go through the fake customer-service API
  (``tests/wechat/fake_api.py``);
- Telegram in webhook mode: ``--merchants``/2 chats; the fake Bot API
  (``tests/telegram/fake_api.py``) pushes each chat's updates in order to the proxy's
  ``/telegram/webhook`` and pushes an update again (same update) until it gets a 200;
- staff: 4 merchants per channel ask for a person (web and WeChat twice at once, through two
  replicas); ``--staff-replies`` replies per ticket are queued through the Desk during the flood.

Checks (exit status 1 when one fails), from the channels' side: every question answered exactly
once (web: the answer the client holds, a repeat marked ``duplicate`` must be the same; WeChat:
the passive replies WeChat accepted plus the customer-service messages, per MsgId; Telegram:
the expected answers the Bot API accepted, per update); every staff reply delivered exactly once
and in order (web: the page's poller of ``/api/history?after=``, through the proxy; Telegram
and WeChat: what their APIs accepted); from the database: no merchant with two unresolved
tickets, nothing stored twice; and the fake Bot API never saw more than 30 sends in any second
nor more than one per chat in any second (from its recorded call times).

Figures per configuration: inbound messages over the time until the last first answer, p50/p99
per channel (from first send to the answer the client holds, retries included), and the
replicas' CPU seconds (utime + stime from /proc/<pid>/stat, the killed one's read just before
the kill, its successor's start-up included) per inbound message.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import os
import secrets
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web

from benchmarks.crash import (
    PG_ADMIN,
    STAFF_PASSWORD,
    STAFF_USER,
    Staff,
    _cli,
    _pg_admin,
    _stored_twice,
)
from benchmarks.serve import ROOT, free_port, kill_serve, serve_env, stop_serve, until_healthy
from benchmarks.telegram_flood import LANGS, questions
from benchmarks.webchat import ChatPage
from bot.centres.finder import CentreFinder
from bot.centres.loader import load_centres
from tests.telegram import builders
from tests.telegram.fake_api import TOKEN, FakeBotApi
from tests.wechat import wire
from tests.wechat.fake_api import FakeWechatApi

WEBHOOK_SECRET = "fleet-bench-secret"
TICKETS_PER_CHANNEL = 4
WECHAT_RETRY_S = 4.5
WECHAT_WAIT_S = 5.0
HTTP_TIMEOUT = aiohttp.ClientTimeout(total=30)
_IDS = itertools.count(1)
_CLK = os.sysconf("SC_CLK_TCK")
_HOP = {"host", "content-length", "transfer-encoding", "connection", "keep-alive",
        "content-encoding", "x-bench-avoid"}  # fmt: skip


def cpu_seconds(pid: int) -> float:
    """utime + stime of a process, from /proc/<pid>/stat."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return 0.0
    fields = stat.rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / _CLK


def pct(values: list[float], q: float) -> float:
    """The q-quantile (0..1) of ``values``, in ms; nan when empty."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    return 1000 * ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def max_in_window(times: list[float], window: float = 1.0) -> int:
    """The most calls in any ``window`` seconds (half-open)."""
    times, best, j = sorted(times), 0, 0
    for i, t in enumerate(times):
        while times[j] <= t - window:
            j += 1
        best = max(best, i - j + 1)
    return best


# -- the proxy and the replicas --------------------------------------------------------------


class Proxy:
    """Round robin per request over the replicas' ports; ``X-Bench-Avoid: i`` skips replica i."""

    def __init__(self, ports: list[int]) -> None:
        self.ports = ports
        self.served: Counter[int] = Counter()
        self.refused = 0
        self.lost = 0
        self._next = itertools.count()
        self._runner: web.AppRunner | None = None
        self._session: aiohttp.ClientSession | None = None
        self.url = ""

    async def start(self) -> None:
        app = web.Application(client_max_size=2**20)
        app.router.add_route("*", "/{tail:.*}", self._handle)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        port = free_port()
        await web.TCPSite(self._runner, "127.0.0.1", port).start()
        self.url = f"http://127.0.0.1:{port}"
        self._session = aiohttp.ClientSession(
            timeout=HTTP_TIMEOUT, connector=aiohttp.TCPConnector(limit=0), auto_decompress=False
        )

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
        if self._runner is not None:
            await self._runner.cleanup()

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        assert self._session is not None
        body = await request.read()
        headers = {k: v for k, v in request.headers.items() if k.lower() not in _HOP}
        headers |= {
            "X-Forwarded-For": request.remote or "",
            "X-Forwarded-Proto": request.scheme,
            "X-Forwarded-Host": request.host,
        }
        avoid = request.headers.get("X-Bench-Avoid", "")
        n, first = len(self.ports), next(self._next)
        for k in range(n):
            i = (first + k) % n
            if str(i) == avoid and n > 1:
                continue
            url = f"http://127.0.0.1:{self.ports[i]}{request.path_qs}"
            try:
                async with self._session.request(
                    request.method, url, data=body, headers=headers, allow_redirects=False
                ) as r:
                    data = await r.read()
                    out = {k2: v for k2, v in r.headers.items() if k2.lower() not in _HOP}
                    self.served[i] += 1
                    response = web.Response(status=r.status, body=data, headers=out)
                    response.headers["X-Bench-Backend"] = str(i)
                    return response
            except aiohttp.ClientConnectorError:  # nothing was sent: the next replica
                self.refused += 1
                continue
            except (aiohttp.ClientError, TimeoutError):  # lost mid-request: the client retries
                self.lost += 1
                return web.Response(status=502, text="bad gateway")
        return web.Response(status=502, text="no replica")


class Replica:
    """One `merchant-bot serve`; its CPU time is kept across kills."""

    def __init__(self, index: int, env: dict[str, str], logs: Path) -> None:
        self.index, self.port = index, free_port()
        self.env = env | {"SNAPSHOT_DIR": str(logs / f"snapshots-{index}")}
        self.log = logs / f"replica-{index}.log"
        self.proc: subprocess.Popen[bytes] | None = None
        self.cpu_dead = 0.0  # CPU seconds of earlier (killed) processes of this replica

    def spawn(self) -> None:
        with self.log.open("ab") as log:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "bot", "serve", "--port", str(self.port)],
                env=self.env, stdout=subprocess.DEVNULL, stderr=log,
            )  # fmt: skip

    async def healthy(self, session: aiohttp.ClientSession) -> None:
        assert self.proc is not None
        base, name = f"http://127.0.0.1:{self.port}", f"replica {self.index}"
        await until_healthy(session, base, self.proc, 90, name, f" ({self.log})")

    def cpu(self) -> float:
        live = cpu_seconds(self.proc.pid) if self.proc and self.proc.poll() is None else 0.0
        return self.cpu_dead + live

    def kill(self) -> None:
        assert self.proc is not None
        self.cpu_dead += cpu_seconds(self.proc.pid)
        kill_serve(self.proc)

    def stop(self) -> None:
        stop_serve(self.proc)


# -- clients ---------------------------------------------------------------------------------


@dataclass
class Run:
    """Shared state of one configuration's flood."""

    proxy: str
    session: aiohttp.ClientSession
    web_answered: int = 0
    last_answer: float = 0.0
    web_lat: list[float] = field(default_factory=list)
    wechat_lat: list[float] = field(default_factory=list)
    tg_lat: list[float] = field(default_factory=list)

    def answered(self) -> None:
        self.last_answer = time.monotonic()


@dataclass
class WebQuestion:
    id: str
    text: str
    answer: str
    answers: list[tuple[str, ...]] = field(default_factory=list)  # non-duplicate replies
    replays: list[tuple[str, ...]] = field(default_factory=list)  # replies marked duplicate
    attempts: int = 0


class WebMerchant(ChatPage):
    """A browser: its own cookie, one question at a time, re-sent (same id) until answered."""

    def __init__(self, plan: list[tuple[str, str]], lang: str) -> None:
        super().__init__()
        self.lang = lang
        self.questions = [WebQuestion(f"fleet-w{next(_IDS):07d}", q, a) for q, a in plan]
        self.staff_seen: list[str] = []

    async def post(self, run: Run, q: WebQuestion) -> bool:
        q.attempts += 1
        return await self.send(run.session, run.proxy, q, self.lang) is not None

    async def ask(self, run: Run, q: WebQuestion) -> bool:
        start = time.monotonic()
        for _ in range(40):
            if await self.post(run, q):
                run.web_lat.append(time.monotonic() - start)
                run.answered()
                return True
            await asyncio.sleep(0.5)
        return False

    async def flood(self, run: Run) -> None:
        for q in self.questions:
            await self.ask(run, q)
            run.web_answered += 1

    async def poll_staff(self, run: Run, stop: asyncio.Event, tokens: list[str]) -> None:
        """The page's poller, through the proxy (so every poll may reach another replica)."""

        def shown(text: str) -> None:
            self.staff_seen.extend(t for t in tokens if t in text)

        await self.poll(run.session, run.proxy, stop, shown)


@dataclass
class WechatQuestion:
    msg_id: str
    text: str
    answer: str
    pushes: list[tuple[float, int, str | None]] = field(default_factory=list)  # (at, status, text)
    answered_late: bool = False


class WechatMerchant:
    """An openid; each MsgId pushed, then pushed again 4.5 s later to another replica."""

    def __init__(self, plan: list[tuple[str, str]], wire_: wire.Wire) -> None:
        self.openid = f"o-fleet-{secrets.token_hex(8)}"
        self.wire = wire_
        self.questions = [WechatQuestion(wire.next_msg_id(), q, a) for q, a in plan]
        self.retries: list[asyncio.Task[None]] = []

    async def push(self, run: Run, q: WechatQuestion, avoid: str = "") -> str:
        """One push; the replica that answered ("" when none did)."""
        params, body = self.wire.push(wire.text(self.openid, q.text, q.msg_id), self.openid)
        headers = {"Content-Type": "text/xml"} | ({"X-Bench-Avoid": avoid} if avoid else {})
        try:
            async with run.session.post(
                f"{run.proxy}/wechat", params=params, data=body, headers=headers,
                timeout=aiohttp.ClientTimeout(total=WECHAT_WAIT_S),
            ) as response:  # fmt: skip
                raw = await response.read()
                backend = response.headers.get("X-Bench-Backend", "")
                if response.status != 200:
                    q.pushes.append((time.monotonic(), response.status, None))
                    return backend
        except (aiohttp.ClientError, TimeoutError):
            q.pushes.append((time.monotonic(), 0, None))
            return ""
        reply = self.wire.read(raw)
        q.pushes.append((time.monotonic(), 200, None if reply is None else reply["Content"]))
        return backend

    async def _retry(self, run: Run, q: WechatQuestion, first: str) -> None:
        for n in range(3):  # WeChat retries three times; the first always (a lost reply)
            await asyncio.sleep(WECHAT_RETRY_S)
            if n and any(status == 200 for _, status, _ in q.pushes):
                return
            await self.push(run, q, avoid=first)

    async def flood(self, run: Run) -> None:
        for q in self.questions:
            start = time.monotonic()
            first = await self.push(run, q)
            if q.pushes[-1][1] == 200:
                run.wechat_lat.append(time.monotonic() - start)
                run.answered()
            self.retries.append(asyncio.create_task(self._retry(run, q, first)))
        await asyncio.gather(*self.retries)


async def telegram_push(run: Run, api: FakeBotApi, update: dict[str, Any]) -> bool:
    """Telegram's webhook delivery: the same update again (after 1 s) until a 200."""
    assert api.webhook is not None
    url, secret = api.webhook
    headers = {"X-Telegram-Bot-Api-Secret-Token": secret}
    start = time.monotonic()
    for _ in range(60):
        try:
            async with run.session.post(url, json=update, headers=headers) as response:
                await response.read()
                if response.status == 200:
                    run.tg_lat.append(time.monotonic() - start)
                    run.answered()
                    return True
        except (aiohttp.ClientError, TimeoutError):
            pass
        await asyncio.sleep(1.0)
    return False


async def telegram_chat(
    run: Run, api: FakeBotApi, chat: int, plan: list[tuple[str, str]], lang: str
) -> None:
    for question, _ in plan:  # one chat's updates in order, as Telegram does
        await telegram_push(run, api, api.new_update(builders.text(chat, question, lang)))


# -- one configuration -----------------------------------------------------------------------


@dataclass
class Result:
    name: str
    messages: int = 0
    seconds: float = 0.0
    cpu: float = 0.0
    lat: dict[str, tuple[float, float]] = field(default_factory=dict)
    spread: str = ""
    checks: list[tuple[str, str, bool]] = field(default_factory=list)  # (what, figures, ok)
    notes: list[str] = field(default_factory=list)
    restart_cpu: float = 0.0  # the restarted replica's start-up, left out of ``cpu``

    @property
    def ok(self) -> bool:
        return all(ok for _, _, ok in self.checks)


async def configuration(
    replicas: int, kill: bool, args: argparse.Namespace, matcher: Any, logs: Path
) -> Result:
    name = f"{replicas} replicas" + (", one killed" if kill else "")
    result = Result(name)
    pg_name = f"fleet_bench_{os.getpid()}"
    await _pg_admin(f'DROP DATABASE IF EXISTS "{pg_name}"')
    await _pg_admin(f'CREATE DATABASE "{pg_name}"')
    url = PG_ADMIN.rsplit("/", 1)[0] + f"/{pg_name}"
    redis_url = f"redis://127.0.0.1:6379/{args.redis_db}"
    import redis.asyncio as redis

    rclient = redis.Redis.from_url(redis_url)
    await rclient.flushdb()
    tg, wx = FakeBotApi(), FakeWechatApi()
    await tg.start()
    await wx.start()
    proxy = Proxy([])
    await proxy.start()
    with tempfile.TemporaryDirectory() as tmp:
        env = serve_env(tmp, "none") | {
            "DATABASE_URL": url,
            "REDIS_URL": redis_url,
            "DATABASE_POOL_SIZE": "5",
            "DATABASE_MAX_OVERFLOW": "5",
            "ACK_INTERVAL_SECONDS": "0",
            # A staff reply claimed by the killed replica is sent again when its lease ends:
            # shorter than the default two minutes so the run sees it, long enough that a
            # claimed batch is sent before its lease ends on this loaded machine (at 5 s some
            # were sent twice without any kill: the deliverer claims a batch for one lease).
            "OUTBOX_LEASE_SECONDS": str(args.lease),
            "TELEGRAM_BOT_TOKEN": TOKEN,
            "TELEGRAM_API_URL": tg.url,
            "TELEGRAM_MODE": "webhook",
            "TELEGRAM_WEBHOOK_URL": f"{proxy.url}/telegram/webhook",
            "TELEGRAM_WEBHOOK_SECRET": WEBHOOK_SECRET,
            "WECHAT_TOKEN": wire.TOKEN,
            "WECHAT_APP_ID": wire.APP_ID,
            "WECHAT_APP_SECRET": wire.SECRET,
            "WECHAT_ENCODING_AES_KEY": wire.AES_KEY,
            "WECHAT_API_URL": wx.url,
        }
        _cli(env, "db", "upgrade", "--database-url", url)
        _cli(env, "staff", "add", STAFF_USER, "--role", "admin", stdin=STAFF_PASSWORD + "\n")
        fleet = [Replica(i, env, logs) for i in range(replicas)]
        proxy.ports = [r.port for r in fleet]
        staff = Staff(url)
        try:
            async with aiohttp.ClientSession(timeout=HTTP_TIMEOUT) as session:
                for r in fleet:
                    r.spawn()
                await asyncio.gather(*(r.healthy(session) for r in fleet))
                run = Run(proxy.url, session)
                await _flood(run, result, args, matcher, tg, wx, fleet, staff, kill)
                result.spread = " / ".join(str(proxy.served[i]) for i in range(replicas))
                result.spread += f" (lost mid-request {proxy.lost}, refused {proxy.refused})"
        finally:
            for r in fleet:
                r.stop()
            await staff.close()
            await proxy.close()
            await tg.close()
            await wx.stop()
            await rclient.flushdb()
            await rclient.aclose()
            await _pg_admin(f'DROP DATABASE IF EXISTS "{pg_name}"')
    return result


async def _flood(
    run: Run,
    result: Result,
    args: argparse.Namespace,
    matcher: Any,
    tg: FakeBotApi,
    wx: FakeWechatApi,
    fleet: list[Replica],
    staff: Staff,
    kill: bool,
) -> None:
    safe = wire.Wire(aes_key=wire.AES_KEY)
    # 1. Tickets: merchants who ask for a person (web and WeChat twice at once).
    person = [("talk to a person", "")]
    t_web = [WebMerchant(person * 2, "en") for _ in range(TICKETS_PER_CHANNEL)]
    for m in t_web:
        m.questions[1].text = "I want to speak to a human"
        await asyncio.gather(*(m.post(run, q) for q in m.questions))
    t_wx = [WechatMerchant(person * 2, safe) for _ in range(TICKETS_PER_CHANNEL)]
    for w in t_wx:
        w.questions[1].text = "I want to speak to a human"
        await asyncio.gather(*(w.push(run, q) for q in w.questions))
    t_tg = [900_000 + i for i in range(TICKETS_PER_CHANNEL)]
    await tg.wait_until(lambda: tg.webhook is not None, 30)
    await asyncio.gather(*(
        telegram_push(run, tg, tg.new_update(builders.text(c, "talk to a person", "en")))
        for c in t_tg
    ))  # fmt: skip
    run.tg_lat.clear()
    tickets: list[tuple[str, int, Any]] = []
    for m in t_web:
        tickets.append(("web", await staff.ticket_for("web", m.user), m))
    for w in t_wx:
        tickets.append(("wechat", await staff.ticket_for("wechat", w.openid), w))
    for c in t_tg:
        tickets.append(("telegram", await staff.ticket_for("telegram", str(c)), c))
    tokens = {
        n: [f"staff-{n}-{k}-x" for k in range(args.staff_replies)] for n in range(len(tickets))
    }
    all_tokens = [t for ts in tokens.values() for t in ts]
    stop = asyncio.Event()
    pollers = [asyncio.create_task(m.poll_staff(run, stop, all_tokens)) for m in t_web]

    # 2. The flood.
    centres, _ = load_centres(ROOT / "faq" / "centres.yaml")
    finder = CentreFinder(centres) if centres is not None else None

    def centre_question(text: str) -> bool:
        return finder is not None and finder.from_message(text) is not None

    n_web, n_side, per = args.merchants, max(1, args.merchants // 2), args.questions
    web_plan = questions(matcher, n_web, per, centre_question)
    web_m = [WebMerchant(p, LANGS[i % len(LANGS)][1]) for i, p in enumerate(web_plan)]
    wx_plan = questions(matcher, n_side, per, centre_question)
    wx_m = [WechatMerchant(p, safe) for p in wx_plan]
    tg_plan = questions(matcher, n_side, per, centre_question)
    tg_chats = [700_000 + i for i in range(n_side)]
    total_web = n_web * per
    result.messages = (n_web + 2 * n_side) * per
    cpu0 = sum(r.cpu() for r in fleet)
    t0 = time.monotonic()
    work = [asyncio.create_task(m.flood(run)) for m in web_m]
    work += [asyncio.create_task(w.flood(run)) for w in wx_m]
    work += [
        asyncio.create_task(telegram_chat(run, tg, c, tg_plan[i], LANGS[i % len(LANGS)][0]))
        for i, c in enumerate(tg_chats)
    ]

    async def staff_replies() -> None:
        for k in range(args.staff_replies):
            while run.web_answered < total_web * 0.8 * k / args.staff_replies:
                await asyncio.sleep(0.01)
            for n, (_, ticket_id, _) in enumerate(tickets):
                await staff.reply(ticket_id, f"From the team ({tokens[n][k]}).")

    async def killer() -> None:
        while run.web_answered < total_web * args.kill_at:
            await asyncio.sleep(0.005)
        victim = fleet[1 % len(fleet)]
        victim.kill()
        await asyncio.sleep(args.down)
        before = victim.cpu()
        victim.spawn()
        await victim.healthy(run.session)
        result.restart_cpu = victim.cpu() - before

    extra = [asyncio.create_task(staff_replies())]
    if kill:
        extra.append(asyncio.create_task(killer()))
    await asyncio.gather(*work, *extra)
    result.seconds = run.last_answer - t0

    # 3. Settle: staff replies and late answers.
    def staff_done() -> bool:  # every staff reply seen at least once (a lease may run out first)
        seen = {t for m in t_web for t in m.staff_seen}
        seen |= {t for s in wx.sent for t in all_tokens if t in s.content}
        seen |= {t for c in t_tg for x in tg.texts(c) for t in all_tokens if t in x}
        return seen >= set(all_tokens)

    await _settle(tg, wx, tg_chats + t_tg, staff_done, 2 * args.lease + 30)
    await asyncio.sleep(1.5)
    stop.set()
    await asyncio.gather(*pollers)
    result.cpu = sum(r.cpu() for r in fleet) - cpu0 - result.restart_cpu
    result.lat = {
        "web": (pct(run.web_lat, 0.5), pct(run.web_lat, 0.99)),
        "wechat": (pct(run.wechat_lat, 0.5), pct(run.wechat_lat, 0.99)),
        "telegram": (pct(run.tg_lat, 0.5), pct(run.tg_lat, 0.99)),
    }

    # 4. Checks.
    _check_web(result, web_m, total_web)
    _check_wechat(result, wx_m, wx)
    await _explain_wechat(result, wx_m, f"redis://127.0.0.1:6379/{args.redis_db}", staff)
    _check_telegram(result, tg, tg_chats, tg_plan)
    _check_staff(result, tickets, tokens, tg, wx)
    two = await staff.rows(
        "SELECT merchant_id FROM tickets WHERE status <> 'resolved' "
        "GROUP BY merchant_id HAVING COUNT(*) > 1"
    )
    n_tickets = await staff.rows("SELECT COUNT(*) FROM tickets")
    result.checks.append((
        "database: merchants with two unresolved tickets",
        f"{len(two)} ({n_tickets[0][0]} tickets for {len(tickets)} merchants)", not two,
    ))  # fmt: skip
    twice = await _stored_twice(staff)
    again = await staff.rows(
        "SELECT COUNT(*) FROM (SELECT outbox_id FROM outbox_attempts GROUP BY outbox_id "
        "HAVING COUNT(*) > 1) AS a"
    )
    if again[0][0]:
        result.notes.append(
            f"staff replies attempted more than once (outbox_attempts): {again[0][0]}"
        )
    result.checks.append((
        "database: stored twice",
        ", ".join(f"{k} {v}" for k, v in twice.items()), not any(twice.values()),
    ))  # fmt: skip
    sends = [call for call in tg.calls if call.method.lower() in ("sendmessage", "sendvenue")]
    overall = max_in_window([call.at for call in sends])
    by_chat: dict[int, list[float]] = {}
    for call in sends:
        by_chat.setdefault(int(call.params["chat_id"]), []).append(call.at)
    per_chat = max((max_in_window(ts) for ts in by_chat.values()), default=0)
    result.checks.append((
        "Bot API: most sends in any 1 s, overall / one chat (limits 30 / 1)",
        f"{overall} / {per_chat}", overall <= 30 and per_chat <= 1,
    ))  # fmt: skip


async def _settle(
    tg: FakeBotApi,
    wx: FakeWechatApi,
    chats: list[int],
    done: Callable[[], bool],
    limit: float,
    quiet: float = 4.0,
) -> None:
    """Wait until ``done()`` and neither API has had a new message for ``quiet`` seconds
    (``limit`` seconds at most)."""
    deadline = time.monotonic() + limit
    last, since = -1, time.monotonic()
    while time.monotonic() < deadline:
        count = sum(len(tg.texts(c)) for c in chats) + len(wx.sent)
        if count != last:
            last, since = count, time.monotonic()
        elif time.monotonic() - since > quiet and done():
            return
        await asyncio.sleep(0.1)


def _tally(counts: list[int]) -> tuple[int, int, int]:
    return sum(c == 1 for c in counts), sum(c > 1 for c in counts), sum(c == 0 for c in counts)


def _check_web(result: Result, merchants: list[WebMerchant], total: int) -> None:
    qs = [q for m in merchants for q in m.questions]
    counts = []
    for q in qs:
        distinct = {*q.answers, *q.replays} - {()}
        counts.append(0 if not distinct else 1 if len(distinct) == 1 and len(q.answers) <= 1 else 2)
    once, twice, never = _tally(counts)
    retried = sum(q.attempts > 1 for q in qs)
    result.checks.append((
        f"web chat: questions answered once / twice / never ({total})",
        f"{once} / {twice} / {never} ({retried} re-sent)", twice == never == 0,
    ))  # fmt: skip


def _key(text: str) -> str:
    return " ".join(text.split())[:40]


def _check_wechat(result: Result, merchants: list[WechatMerchant], wx: FakeWechatApi) -> None:
    counts, pushes, late, differing = [], 0, 0, 0
    for m in merchants:
        api_texts = [" ".join(s.content.split()) for s in wx.sent if s.touser == m.openid]
        for q in m.questions:
            pushes += len(q.pushes)
            passive = [t for _, status, t in q.pushes if status == 200 and t]
            differing += len({_key(t) for t in passive}) > 1
            via_api = sum(_key(q.answer) in t for t in api_texts)
            q.answered_late = via_api > 0
            late += via_api
            # WeChat shows the first passive reply it gets; the API's messages all arrive
            counts.append((1 if passive else 0) + via_api)
    once, twice, never = _tally(counts)
    result.checks.append((
        f"WeChat: MsgIds answered once / twice / never ({len(counts)})",
        f"{once} / {twice} / {never} ({pushes} pushes, {late} answers through the API, "
        f"{differing} MsgIds with differing passive replies)",
        twice == never == differing == 0,
    ))  # fmt: skip


async def _explain_wechat(
    result: Result, merchants: list[WechatMerchant], url: str, staff: Staff
) -> None:
    """For MsgIds never answered: what WeChat's pushes got, and the claim left in Redis."""
    import redis.asyncio as redis

    client = redis.Redis.from_url(url, decode_responses=True)
    try:
        for m in merchants:
            for q in m.questions:
                if any(s == 200 and t for _, s, t in q.pushes) or q.answered_late:
                    continue
                keys = [k async for k in client.scan_iter(match=f"*{q.msg_id}*")]
                held = [f"{k} ttl {await client.ttl(k)} s" for k in keys]
                stored = await staff.rows(
                    "SELECT i.id, (SELECT COUNT(*) FROM messages o WHERE o.reply_to = i.id) "
                    f"FROM messages i WHERE i.channel_message_id LIKE '%{q.msg_id}%'"
                )
                statuses = ", ".join(str(s) for _, s, _ in q.pushes)
                result.notes.append(
                    f"WeChat MsgId {q.msg_id} never answered: pushes got HTTP {statuses} "
                    f"(200 = 'success'); Redis: {'; '.join(held) or 'nothing'}; "
                    f"database (inbound id, answers): {stored}"
                )
    finally:
        await client.aclose()


def _check_telegram(
    result: Result, tg: FakeBotApi, chats: list[int], plan: list[list[tuple[str, str]]]
) -> None:
    counts = []
    for i, chat in enumerate(chats):
        got = Counter(tg.texts(chat))
        counts += [got[answer] for _, answer in plan[i]]
    once, twice, never = _tally(counts)
    result.checks.append((
        f"Telegram: updates answered once / twice / never ({len(counts)})",
        f"{once} / {twice} / {never}", twice == never == 0,
    ))  # fmt: skip


def _check_staff(
    result: Result,
    tickets: list[tuple[str, int, Any]],
    tokens: dict[int, list[str]],
    tg: FakeBotApi,
    wx: FakeWechatApi,
) -> None:
    for channel in ("web", "wechat", "telegram"):
        counts, disorder = [], 0
        for n, (kind, _, who) in enumerate(tickets):
            if kind != channel:
                continue
            mine = tokens[n]
            if kind == "web":
                texts = [t for t in who.staff_seen if t in mine]
            elif kind == "wechat":
                texts = [
                    t for s in wx.sent if s.touser == who.openid for t in mine if t in s.content
                ]
            else:
                texts = [t for x in tg.texts(who) for t in mine if t in x]
            c = Counter(texts)
            counts += [c[t] for t in mine]
            firsts = list(dict.fromkeys(texts))
            disorder += firsts != [t for t in mine if t in c]
        once, twice, never = _tally(counts)
        result.checks.append((
            f"staff replies, {channel}: delivered once / twice / never ({len(counts)})",
            f"{once} / {twice} / {never}, {disorder} tickets out of order",
            twice == never == disorder == 0,
        ))  # fmt: skip


# -- main ------------------------------------------------------------------------------------


def _print(results: list[Result]) -> None:
    print("\n| configuration | messages | seconds | messages/s | web p50 / p99 (ms) | "
          "WeChat p50 / p99 (ms) | Telegram p50 / p99 (ms) | CPU s | CPU ms / message | "
          "checks |")  # fmt: skip
    print("|---|---|---|---|---|---|---|---|---|---|")
    for r in results:
        lat = " | ".join(f"{p50:.0f} / {p99:.0f}" for p50, p99 in r.lat.values())
        print(
            f"| {r.name} | {r.messages} | {r.seconds:.1f} | {r.messages / r.seconds:.1f} | "
            f"{lat} | {r.cpu:.1f} | {1000 * r.cpu / r.messages:.1f} | "
            f"{'pass' if r.ok else 'FAIL'} |"
        )
    for r in results:
        restart = f"; restart's start-up {r.restart_cpu:.1f} CPU s" if r.restart_cpu else ""
        print(f"\n{r.name}: requests per replica {r.spread}{restart}")
        for what, figures, ok in r.checks:
            print(f"  {'ok  ' if ok else 'FAIL'} {what}: {figures}")
        for note in r.notes:
            print(f"  note: {note}")


def main() -> int:
    """Parse the options and run every configuration."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--replicas", type=int, nargs="+", default=[2, 3])
    parser.add_argument("--merchants", type=int, default=40, help="web merchants (WeChat and "
                        "Telegram get half as many each)")  # fmt: skip
    parser.add_argument("--questions", type=int, default=6, help="per merchant")
    parser.add_argument("--staff-replies", type=int, default=3, help="per ticket")
    parser.add_argument("--kill-at", type=float, default=0.4, help="share of web answers")
    parser.add_argument("--down", type=float, default=3.0, help="seconds the killed one is down")
    parser.add_argument("--lease", type=int, default=30, help="OUTBOX_LEASE_SECONDS")
    parser.add_argument("--redis-db", type=int, default=14, help="flushed before and after")
    parser.add_argument("--quick", action="store_true", help="small: 12 merchants x 3")
    args = parser.parse_args()
    if args.quick:
        args.merchants, args.questions, args.staff_replies = 12, 3, 2
    from bot.faq.loader import load_faq
    from bot.faq.matcher import Matcher

    faq, problems = load_faq(ROOT / "faq")
    assert faq is not None, problems
    matcher = Matcher(faq)
    logs = Path(tempfile.mkdtemp(prefix="fleet-bench-"))
    results = []
    for n in args.replicas:
        for kill in (False, True):
            started = time.monotonic()
            results.append(asyncio.run(configuration(n, kill, args, matcher, logs)))
            print(f"{results[-1].name}: done in {time.monotonic() - started:.0f} s", flush=True)
            _print(results[-1:])
    _print(results)
    ok = all(r.ok for r in results)
    print(f"\nall checks passed: {ok}; replica logs in {logs}")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
