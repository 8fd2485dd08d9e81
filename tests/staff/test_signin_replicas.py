"""Two console replicas from the composition root on one database and one Redis (issue 16):
the per-address sign-in limit counts the attempts made on either, so the fleet allows an
address 10 tries a minute, not 10 per replica; another address keeps its own count."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import httpx
import pytest

from bot import bootstrap
from bot.core.shared import MemoryShared, Shared
from bot.settings import Settings
from bot.shared.redis_store import RedisShared
from bot.staff.accounts import Accounts
from bot.staff.throttle import ATTEMPTS, WINDOW, SharedWindow
from bot.storage.migrate import upgrade
from bot.storage.uow import SqlStore
from tests.conftest import FAQ_DIR
from tests.sharedstate import MakeShared, make_redis
from tests.staff.conftest import FAST, PASSWORD, Ticker

__all__ = ["make_redis"]

CSRF_RE = re.compile(r'name="csrf" value="([^"]+)"')
FLOODER, OTHER = "203.0.113.7", "198.51.100.20"  # two client addresses (documentation nets)
Browser = Callable[[int, str], httpx.AsyncClient]  # (replica, address) -> a browser on it


async def sign_in(browser: httpx.AsyncClient, username: str, password: str) -> httpx.Response:
    """Fetch the form (its CSRF cookie and field) and post it: the answer to the post."""
    form = await browser.get("/staff/login")
    assert form.status_code == 200
    found = CSRF_RE.search(form.text)
    assert found is not None
    data = {"username": username, "password": password, "csrf": found.group(1)}
    return await browser.post("/staff/login", data=data)


@pytest.fixture
async def replicas(tmp_path: Path, make_redis: MakeShared) -> AsyncIterator[tuple[Browser, Ticker]]:
    """Two replicas built by the composition root over one SQLite file (agent ``ana``), each
    with a Redis client of its own on this test's prefix and the test's clock."""
    db_url = f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}"
    await upgrade(db_url)
    store = SqlStore(db_url)
    await Accounts(store.uow, passwords=FAST).add("ana", "agent", PASSWORD, ["default"])
    await store.close()
    settings = Settings(
        database_url=db_url,
        faq_dir=FAQ_DIR,
        files_dir=tmp_path / "files",
        snapshot_dir=tmp_path / "snapshots",
        matcher_encoder="none",
    )
    ticker = Ticker()
    built: list[bootstrap.Services] = []
    apps = []
    for _ in range(2):
        services = await bootstrap.build(settings)
        built.append(services)
        # what REDIS_URL gives every replica, on this test's own prefix and clock
        services.shared = make_redis(ticker)
        apps.append(bootstrap.app(services))
    browsers: list[httpx.AsyncClient] = []

    def browser(replica: int, address: str) -> httpx.AsyncClient:
        transport = httpx.ASGITransport(app=apps[replica], client=(address, 40000))
        made = httpx.AsyncClient(transport=transport, base_url="http://console")
        browsers.append(made)
        return made

    yield browser, ticker
    for made in browsers:
        await made.aclose()
    for services in built:
        await services.store.close()


async def test_an_address_gets_the_limit_once_across_the_replicas(
    replicas: tuple[Browser, Ticker],
) -> None:
    browser, ticker = replicas
    first, second = browser(0, FLOODER), browser(1, FLOODER)

    def wrong(on: httpx.AsyncClient, n: int) -> Awaitable[httpx.Response]:
        return sign_in(on, f"nobody{n}", "wrong password")

    # The limit's worth of wrong passwords, spread over both replicas: all checked.
    tries = await asyncio.gather(*(wrong((first, second)[n % 2], n) for n in range(ATTEMPTS)))
    assert [r.status_code for r in tries] == [401] * ATTEMPTS
    # One more on either replica is refused before any password check, for the whole window.
    for on in (first, second):
        refused = await wrong(on, 99)
        assert refused.status_code == 429
        assert refused.headers["retry-after"] == str(int(WINDOW))
    assert (await sign_in(second, "ana", PASSWORD)).status_code == 429  # even the right one

    # Another address is counted apart, on either replica.
    assert (await wrong(browser(0, OTHER), 0)).status_code == 401
    assert (await sign_in(browser(1, OTHER), "ana", PASSWORD)).status_code == 303

    # Once the window has passed (the replicas' shared clock), the address may try again.
    ticker.advance(WINDOW)
    assert (await sign_in(first, "ana", PASSWORD)).status_code == 303


@pytest.mark.parametrize("store", ["memory", "redis"])
async def test_the_shared_window_counts_like_the_one_in_memory(
    store: str, make_redis: MakeShared
) -> None:
    ticker = Ticker()
    shared: Shared = MemoryShared(ticker) if store == "memory" else make_redis(ticker)
    limit = SharedWindow(shared, limit=3, window=60.0)
    for _ in range(3):  # at 1000, 1010 and 1020
        assert await limit.check("a") is None
        ticker.advance(10)
    assert await limit.check("a") == 30  # at 1030: whole seconds until 1000 leaves
    assert await limit.check("b") is None  # another key: a window of its own
    ticker.advance(30)
    assert await limit.check("a") is None  # at 1060: 1000 left; the refusal was not counted
    assert await limit.check("a") == 10  # 1010, 1020 and 1060 fill it until 1010 leaves
    with pytest.raises(ValueError):
        SharedWindow(shared, limit=0)


async def test_with_redis_down_the_limit_is_counted_in_the_replica_and_sign_in_still_works() -> (
    None
):
    down = RedisShared.from_url("redis://127.0.0.1:1/0", prefix="test:down:")  # nothing listens
    try:
        limit = SharedWindow(down, limit=2, window=60.0)
        assert await limit.check("a") is None
        assert await limit.check("a") is None
        assert await limit.check("a") is not None  # still limited, by this replica alone
    finally:
        await down.close()
