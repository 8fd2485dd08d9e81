"""deploy/compose.yaml's topology as plain processes (issue 16), on the real servers.

PostgreSQL (a fresh database of this test's own at 127.0.0.1:5432) and Redis (127.0.0.1:6379)
are the machine's; the files' bucket is moto's S3 server (``tests/s3server.py``, for MinIO and
the ``bucket`` step); ``merchant-bot db upgrade`` runs once as its own process, then two
``merchant-bot serve`` processes get the environment compose gives each ``bot`` replica (the
same database, Redis, bucket and FAQ folder, ``FORWARDED_ALLOW_IPS``, metrics for 127.0.0.1),
and ``benchmarks.fleet.Proxy`` (round robin per request) stands in for Caddy. Telegram is on,
in polling mode, against the tests' fake Bot API, so that /healthz names the one replica that
polls. Lexical matching only (``MATCHER_ENCODER=none``): two replicas on a two-core machine.

What it shows: (1) the upgrade exits 0 on the empty database, both replicas report healthy,
one leads Telegram's polling and the other stands by, and an update is answered through the
leader; (2) through the proxy, consecutive web-chat questions (en, ko, zh) reach different
replicas and are answered, each once (also in the database), and the same message id sent
again through the other replica gets the same answer marked duplicate; (3) a phrasing added
in the admin workbench on one replica (signed in on the other) is answered by the replica
that did not write it, once its reload sees the shared folder change; (4) each replica's
/metrics is Prometheus text with counters of its own and the fleet-wide gauges on exactly one.

Skipped (with the reason) only when nothing listens at PostgreSQL's or Redis's address.
Nothing here measures time: deadlines only turn a hang into a failure.
"""

from __future__ import annotations

import asyncio
import itertools
import os
import re
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import aiohttp
import pytest
from prometheus_client.parser import text_string_to_metric_families

from benchmarks.crash import Staff, _cli, _stored_twice
from benchmarks.fleet import Proxy, Replica
from benchmarks.telegram_flood import LANGS, questions
from benchmarks.webchat import ChatPage
from bot.faq.matcher import Matcher
from tests.conftest import FAQ_DIR
from tests.s3server import REGION, Bucket, s3_bucket, s3_server
from tests.sharedstate import REDIS_URL
from tests.storage.conftest import PG_URL, create_pg_database, drop_pg_database
from tests.telegram import builders
from tests.telegram.fake_api import TOKEN, FakeBotApi
from tests.web.serving import free_port

__all__ = ["s3_bucket", "s3_server"]

pytestmark = pytest.mark.slow

# The replicas' keys in Redis have a fixed prefix (REDIS_URL has no room for one), so they go
# to a database number of their own, away from the per-test prefixes of tests.sharedstate (0)
# and the fleet benchmark's (14). Everything they write there expires by itself.
REDIS_DB = 13
ADMIN, ADMIN_PASSWORD = "topology", "topology-admin-password"
# Not in the shipped FAQ (a fallback), added as a phrasing of ENTRY through the console.
ODD = "Could my parrot run the shop while I travel?"
ENTRY = "individual-vs-company"
TG_CHAT = 4242  # a merchant's private chat on the fake Bot API
CSRF_RE = re.compile(r'name="csrf" value="([^"]+)"')
HTTP_TIMEOUT = aiohttp.ClientTimeout(total=30)
START_S = 120  # failure guards only: a loaded machine may be slow, never a measure
CHANGE_S = 60


def _listening(url: str, default_port: int) -> bool:
    parts = urlsplit(url)
    try:
        with socket.create_connection(
            (parts.hostname or "127.0.0.1", parts.port or default_port), timeout=3
        ):
            return True
    except OSError:
        return False


@pytest.fixture
def database() -> Iterator[str]:
    """A new, empty PostgreSQL database (no schema: the one-shot upgrade makes it)."""
    # required, as everywhere in this suite (.ci/run starts both): a clear failure, not a skip
    for url, port, what in ((PG_URL, 5432, "PostgreSQL"), (REDIS_URL, 6379, "Redis")):
        assert _listening(url, port), f"the process topology needs {what}; nothing at {url}"
    url = create_pg_database("merchant_bot_topology")
    try:
        yield url
    finally:
        drop_pg_database(url)


def redis_url() -> str:
    parts = urlsplit(REDIS_URL)
    return parts._replace(path=f"/{REDIS_DB}").geturl()


def bot_env(database: str, faq: Path, bucket: Bucket, telegram: str) -> dict[str, str]:
    """What compose's ``x-bot-env`` gives every replica, with this test's servers."""
    return dict(
        os.environ,  # PATH, and the bucket's AWS_* credentials set by s3_bucket
        DATABASE_URL=database,
        DATABASE_POOL_SIZE="5",
        DATABASE_MAX_OVERFLOW="5",
        REDIS_URL=redis_url(),
        FAQ_DIR=str(faq),
        LOG_FORMAT="json",
        LOG_LEVEL="INFO",
        METRICS_ENABLED="true",
        METRICS_ALLOW="10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16, 127.0.0.1",
        FORWARDED_ALLOW_IPS="10.0.0.0/8,172.16.0.0/12,192.168.0.0/16,127.0.0.1",
        TELEGRAM_BOT_TOKEN=TOKEN,
        TELEGRAM_API_URL=telegram,
        TELEGRAM_MODE="polling",
        WECHAT_TOKEN="",
        FILES_S3_BUCKET=bucket.name,
        FILES_S3_URL=bucket.url,
        FILES_S3_REGION=REGION,
        MATCHER_ENCODER="none",
        VECTOR_CACHE_DIR=str(faq.parent / "vectors"),
    )


async def until(what: str, check: Callable[[], Awaitable[Any]], seconds: float) -> Any:
    """Poll ``check`` until it returns something true; fail with ``what`` after ``seconds``."""
    deadline = time.monotonic() + seconds
    last: Any = None
    while time.monotonic() < deadline:
        last = await check()
        if last:
            return last
        await asyncio.sleep(0.2)
    raise AssertionError(f"{what} (last seen: {last!r})")


def logs_of(fleet: list[Replica]) -> str:
    return "\n".join(f"--- {r.log}:\n{r.log.read_text()[-3000:]}" for r in fleet if r.log.exists())


async def ask(
    session: aiohttp.ClientSession, base: str, page: ChatPage, text: str, msg_id: str,
    lang: str = "en", avoid: str = "",
) -> tuple[str, dict[str, Any]]:  # fmt: skip
    """POST one web-chat text; the replica that answered (the proxy's X-Bench-Backend) and
    the reply."""
    headers = {"cookie": page.cookie} | ({"X-Bench-Avoid": avoid} if avoid else {})
    body = {"type": "text", "text": text, "lang": lang, "id": msg_id}
    async with session.post(f"{base}/api/chat", json=body, headers=headers) as response:
        assert response.status == 200, await response.text()
        data: dict[str, Any] = await response.json()
        return response.headers.get("X-Bench-Backend", ""), data


def texts(reply: dict[str, Any]) -> list[str]:
    return [str(m["text"]) for m in reply["messages"]]


def squeeze(text: str) -> str:
    return " ".join(text.split())


async def test_the_compose_topology_runs_as_plain_processes(
    database: str, s3_bucket: Bucket, shipped_matcher: Matcher, tmp_path: Path
) -> None:
    faq = tmp_path / "faq"  # the shared, writable FAQ mount: a copy, the edit must not reach git
    shutil.copytree(FAQ_DIR, faq)
    logs = tmp_path / "logs"
    logs.mkdir()
    telegram = FakeBotApi()
    fleet: list[Replica] = []
    proxy = Proxy([])
    staff: Staff | None = None
    jar = aiohttp.DummyCookieJar()  # every cookie is sent by hand, per merchant or admin
    try:
        await telegram.start()
        env = bot_env(database, faq, s3_bucket, telegram.url)
        fleet += [Replica(i, env, logs) for i in range(2)]
        for r in fleet:  # below the ephemeral range: no other connection can take it meanwhile
            r.port = free_port()
        bases = [f"http://127.0.0.1:{r.port}" for r in fleet]
        proxy.ports = [r.port for r in fleet]
        await proxy.start()
        async with aiohttp.ClientSession(timeout=HTTP_TIMEOUT, cookie_jar=jar) as session:
            # 1. The one-shot schema upgrade (compose's `migrate`: DATABASE_URL only), then
            #    two replicas, both healthy, one of them polling Telegram.
            migrate = subprocess.run(
                [sys.executable, "-m", "bot", "db", "upgrade"],
                env=dict(os.environ, DATABASE_URL=database),
                capture_output=True, text=True, timeout=START_S, check=False,
            )  # fmt: skip
            assert migrate.returncode == 0, migrate.stderr
            assert "upgraded from an empty database to" in migrate.stdout
            _cli(env, "staff", "add", ADMIN, "--role", "admin", stdin=ADMIN_PASSWORD + "\n")
            for r in fleet:
                r.spawn()
            await asyncio.gather(*(r.healthy(session) for r in fleet))

            async def statuses() -> list[dict[str, Any]] | None:
                got = []
                for base in bases:
                    async with session.get(f"{base}/healthz") as response:
                        got.append(await response.json())
                polling = sorted(s["channels"]["telegram"].get("polling", "") for s in got)
                return got if polling == ["leader", "standby"] else None

            health = await until("one leader, one standby", statuses, START_S)
            for status in health:
                # "matcher" only: lexical by this test's choice (MATCHER_ENCODER=none)
                assert status["ok"] is True and status["degraded"] == ["matcher"], status
                assert status["database"]["ok"] is True and status["files"]["ok"] is True
                assert status["faq"]["entries"] == len(shipped_matcher.faq)
            leader = next(
                i for i, s in enumerate(health) if s["channels"]["telegram"]["polling"] == "leader"
            )
            [[(question, answer)]] = questions(shipped_matcher, 1, 1)
            await telegram.add_update(builders.text(TG_CHAT, question, "en"))
            await telegram.wait_until(
                lambda: any(squeeze(answer)[:60] in squeeze(t) for t in telegram.texts(TG_CHAT)),
                CHANGE_S,
            )

            # 2. A web merchant per language through the proxy: round robin takes consecutive
            #    questions to different replicas, each answered once; the same message id
            #    delivered again through the other replica gets that answer, marked duplicate.
            plan = questions(shipped_matcher, len(LANGS), 2)  # (question, answer) by language
            asked: list[tuple[ChatPage, str, str, str, str, list[str]]] = []
            for m, pairs in enumerate(plan):
                page, lang = ChatPage(), LANGS[m % len(LANGS)][1]
                for k, (question, answer) in enumerate(pairs):
                    msg_id = f"topology-{m}-{k}"
                    backend, reply = await ask(session, proxy.url, page, question, msg_id, lang)
                    assert reply["duplicate"] is False
                    assert squeeze(answer)[:60] in squeeze("\n".join(texts(reply))), reply
                    asked.append((page, lang, question, msg_id, backend, texts(reply)))
            backends = [a[4] for a in asked]
            assert all(a != b for a, b in itertools.pairwise(backends)), backends
            assert set(backends) == {"0", "1"}
            for page, lang, question, msg_id, backend, first in asked:
                again, reply = await ask(
                    session, proxy.url, page, question, msg_id, lang, avoid=backend
                )
                assert again not in ("", backend)
                assert reply["duplicate"] is True and texts(reply) == first
            staff = Staff(database)
            twice = await _stored_twice(staff)
            assert not any(twice.values()), twice
            stored = await staff.rows(
                "SELECT COUNT(*) FROM messages WHERE direction = 'in' "
                "AND channel_message_id LIKE 'topology-%'"
            )
            assert stored[0][0] == len(asked)

            # 3. An FAQ edit made through one replica is served by the other: the admin signs
            #    in on replica 0, adds ODD as a phrasing on replica 1 (the session is in the
            #    database), which reloads at once; replica 0 finds the file changed on its own.
            entry = shipped_matcher.faq.get(ENTRY)
            expected = squeeze(str(entry.answer["en"]))[:60]
            n = itertools.count()

            async def odd_answered(base: str) -> bool:
                _, reply = await ask(session, base, ChatPage(), ODD, f"faq-edit-{next(n):04d}")
                return expected in squeeze("\n".join(texts(reply)))

            assert not await odd_answered(bases[0]) and not await odd_answered(bases[1])
            async with session.get(f"{bases[0]}/staff/login") as response:
                form = await response.text()
                login_cookie = f"mb_staff_login={response.cookies['mb_staff_login'].value}"
            found = CSRF_RE.search(form)
            assert found is not None
            async with session.post(
                f"{bases[0]}/staff/login",
                data={"username": ADMIN, "password": ADMIN_PASSWORD, "csrf": found.group(1)},
                headers={"cookie": login_cookie},
                allow_redirects=False,
            ) as response:
                assert response.status == 303, await response.text()
                signed = f"mb_staff={response.cookies['mb_staff'].value}"
            async with session.get(f"{bases[1]}/staff/", headers={"cookie": signed}) as response:
                assert response.status == 200
                found = CSRF_RE.search(await response.text())
            assert found is not None
            async with session.post(
                f"{bases[1]}/staff/admin/unanswered/phrasing",
                data={"csrf": found.group(1), "entry": ENTRY, "lang": "en", "text": ODD},
                headers={"cookie": signed},
            ) as response:
                assert response.status == 200, await response.text()
            assert ODD in (faq / "account.yaml").read_text(encoding="utf-8")
            assert await odd_answered(bases[1])  # the writer reloaded at once
            await until(
                "replica 0 answers the new phrasing", lambda: odd_answered(bases[0]), CHANGE_S
            )

            # 4. /metrics on each replica: Prometheus text, each replica's own counters (both
            #    took web messages), the fleet-wide gauges from exactly one of them.
            reporters = 0.0
            for base in bases:
                async with session.get(f"{base}/metrics") as response:
                    assert response.status == 200
                    assert response.headers["content-type"].startswith("text/plain")
                    samples = {
                        (s.name, frozenset(s.labels.items())): s.value
                        for family in text_string_to_metric_families(await response.text())
                        for s in family.samples
                    }
                key = ("merchantbot_messages_in_total", frozenset({("channel", "web")}))
                assert samples.get(key, 0) > 0, base
                # the Telegram update came in through the leader's getUpdates only
                key = ("merchantbot_messages_in_total", frozenset({("channel", "telegram")}))
                assert samples.get(key, 0) == (1 if base == bases[leader] else 0), base
                reporters += samples[("merchantbot_fleet_gauges_reporter", frozenset())]
            assert reporters == 1
            assert all(r.proc is not None and r.proc.poll() is None for r in fleet)
    except BaseException:
        print(logs_of(fleet))  # shown with the failure
        raise
    finally:
        for r in fleet:
            r.stop()
        if staff is not None:
            await staff.close()
        await proxy.close()
        await telegram.close()
