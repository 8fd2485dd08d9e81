"""The staff console over the real core (conversation, desk, delivery) on in-memory storage."""

from __future__ import annotations

import asyncio
import re
import shutil
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

import pytest
from argon2 import PasswordHasher
from starlette.applications import Starlette
from starlette.testclient import TestClient

from bot.bootstrap import LateApp
from bot.core.accounts import StaffAccount
from bot.core.conversation import ConversationService
from bot.core.delivery import Deliverer
from bot.core.desk import Desk
from bot.core.escalation import Escalation
from bot.core.outbound import DeliveryError
from bot.core.ports import StoredMessage
from bot.core.teams import DEFAULT, Availability, DefaultTeamOnly, Team
from bot.core.tickets import OutboxItem, Ticket, TicketEvent
from bot.core.types import Incoming, MerchantKey, Outgoing, Reply
from bot.faq.matcher import Matcher
from bot.settings import Settings
from bot.staff.accounts import Accounts
from bot.staff.auth import StaffAuth
from bot.staff.macros import MacroHolder
from bot.staff.passwords import Passwords
from bot.staff.throttle import HashGate, SlidingWindow
from bot.storage.migrate import upgrade
from bot.storage.uow import SqlStore
from bot.web.app import create_app
from bot.web.staff import staff_routes
from tests.conftest import FAQ_DIR
from tests.conversing import run
from tests.fakes import FakeStore

T = TypeVar("T")
PASSWORD = "correct horse battery"
# argon2id with the smallest cost: the same code path, without 100 ms per hash in every test
FAST = Passwords(PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))
# The parameters of hashes stored before issue 15 (64 MiB each): verified, then rehashed.
LEGACY = PasswordHasher(time_cost=3, memory_cost=65536, parallelism=4)
SEOUL = Team("seoul", {"en": "Seoul centre", "ko": "서울"}, ("ko",), "Asia/Seoul")
CSRF_RE = re.compile(r'name="csrf" value="([^"]+)"')


def late_app_with_agents(
    folder: Path, agents: Mapping[str, Sequence[str]], **settings: Any
) -> LateApp:
    """The bot from its composition root over SQLite, FILES_DIR and snapshots in ``folder``,
    with an agent (password ``PASSWORD``) for each name in ``agents``, in the teams given;
    ``settings`` add to the rest."""
    db_url = f"sqlite+aiosqlite:///{folder / 'bot.db'}"

    async def prepare() -> None:
        await upgrade(db_url)
        store = SqlStore(db_url)
        accounts = Accounts(store.uow, passwords=FAST)
        for name, teams in agents.items():
            await accounts.add(name, "agent", PASSWORD, list(teams))
        await store.close()

    asyncio.run(prepare())
    chosen = Settings(
        database_url=db_url,
        faq_dir=FAQ_DIR,
        files_dir=folder / "files",
        snapshot_dir=folder / "snapshots",
        **settings,
    )
    return LateApp(chosen, store=SqlStore(db_url), teams=DefaultTeamOnly())


@dataclass
class Clock:
    """Real time, moved forward by ``advance`` (stores stamp messages with the real time, so a
    frozen clock would put the audit trail out of order with them)."""

    offset: timedelta = timedelta(0)

    def __call__(self) -> datetime:
        return datetime.now(UTC) + self.offset

    def advance(self, delta: timedelta) -> None:
        self.offset += delta


@dataclass
class Ticker:
    """A monotonic clock in seconds that moves only when told (for the sign-in limiter)."""

    now: float = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


class Teams:
    """The default queue (every language) and a Korean-speaking Seoul team, always open."""

    def teams(self) -> Sequence[Team]:
        return (DEFAULT, SEOUL)

    def for_centre(self, centre_id: str) -> Team | None:
        return SEOUL if centre_id == "seoul" else None

    def availability(self, team_id: str, now: datetime) -> Availability:
        return Availability(open_now=True)


@dataclass
class Outbound:
    """The web channel's outbound, recording what it sends; ``failure`` makes it refuse."""

    channel: str = "web"
    sent: list[tuple[MerchantKey, str]] = field(default_factory=list)
    failure: DeliveryError | None = None

    async def send(self, merchant: MerchantKey, messages: Sequence[Outgoing], locale: str) -> None:
        if self.failure is not None:
            raise self.failure
        self.sent += [(merchant, m.text) for m in messages]


@dataclass
class Console:
    """Everything behind the console, and helpers to drive the merchant side."""

    store: FakeStore
    clock: Clock
    chat: ConversationService
    desk: Desk
    deliverer: Deliverer
    outbound: Outbound
    auth: StaffAuth
    accounts: Accounts
    app: Starlette
    limiter: SlidingWindow
    ticker: Ticker
    gate: HashGate

    def say(self, user: str, text: str) -> Reply:
        return run(self.chat.handle(Incoming(MerchantKey("web", user), "text", text=text)))

    def press(self, user: str, payload: str) -> Reply:
        return run(self.chat.handle(Incoming(MerchantKey("web", user), "button", payload=payload)))

    def escalate(self, user: str, text: str = "I want to talk to a real person") -> Ticket:
        self.say(user, text)
        ticket = self.ticket_of(user)
        assert ticket is not None, f"{text!r} opened no ticket"
        return ticket

    def ticket_of(self, user: str) -> Ticket | None:
        async def find() -> Ticket | None:
            async with self.store.uow() as uow:
                merchant = await uow.merchants.get_or_create(MerchantKey("web", user))
                return await uow.tickets.latest_for(merchant.id)

        return run(find())

    def ticket(self, ticket_id: int) -> Ticket:
        async def get() -> Ticket | None:
            async with self.store.uow() as uow:
                return await uow.tickets.get(ticket_id)

        found = run(get())
        assert found is not None
        return found

    def events(self, ticket_id: int) -> list[TicketEvent]:
        async def get() -> list[TicketEvent]:
            async with self.store.uow() as uow:
                return await uow.tickets.events(ticket_id)

        return run(get())

    def outbox(self, ticket_id: int) -> list[OutboxItem]:
        async def get() -> list[OutboxItem]:
            async with self.store.uow() as uow:
                return await uow.outbox.for_ticket(ticket_id)

        return run(get())

    def history(self, user: str) -> list[StoredMessage]:
        return run(self.chat.history(MerchantKey("web", user)))

    def deliver(self) -> int:
        return run(self.deliverer.deliver_due())

    def add(self, username: str, role: str = "agent", *teams: str) -> StaffAccount:
        return run(self.accounts.add(username, role, PASSWORD, teams))


@pytest.fixture(scope="session")
def migrated_sqlite(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An SQLite file with every migration applied, copied for each test that needs one."""
    path = tmp_path_factory.mktemp("staff-db") / "template.db"
    run(upgrade(f"sqlite+aiosqlite:///{path}"))
    return path


@pytest.fixture
def db_url(migrated_sqlite: Path, tmp_path: Path) -> str:
    """A fresh, migrated SQLite database for one test."""
    path = tmp_path / "merchant-bot.db"
    shutil.copyfile(migrated_sqlite, path)
    return f"sqlite+aiosqlite:///{path}"


@pytest.fixture
def console(shipped_matcher: Matcher) -> Console:
    store, clock, teams, outbound = FakeStore(), Clock(), Teams(), Outbound()
    chat = ConversationService(
        lambda: shipped_matcher, store.uow, escalation=Escalation(lambda: teams, clock=clock)
    )
    deliverer = Deliverer(store.uow, {"web": outbound}, clock=clock)
    desk = Desk(store.uow, lambda: teams, clock=clock, wake=deliverer.wake)
    gate = HashGate()
    auth = StaffAuth(store.uow, passwords=FAST, clock=clock, failure_delay=0, gate=gate)
    accounts = Accounts(store.uow, passwords=FAST, clock=clock)
    macros = MacroHolder(FAQ_DIR / "macros.yaml")
    macros.reload()
    ticker = Ticker()
    limiter = SlidingWindow(clock=ticker)
    routes = staff_routes(desk, auth, macros, lambda: teams, clock=clock, limiter=limiter)

    async def health() -> dict[str, Any]:
        return {"ok": True}

    app = create_app(chat, health, routes=routes)
    return Console(
        store, clock, chat, desk, deliverer, outbound, auth, accounts, app, limiter, ticker, gate
    )


@pytest.fixture
def client(console: Console) -> Iterator[TestClient]:
    with TestClient(console.app, follow_redirects=False) as c:
        yield c


def csrf_of(html: str) -> str:
    """The CSRF token in a page's forms."""
    found = CSRF_RE.search(html)
    assert found is not None, "no CSRF field in the page"
    return found.group(1)


def sign_in(client: TestClient, username: str, password: str = PASSWORD) -> str:
    """Sign in through the form; returns the session's CSRF token (from the queue page)."""
    client.cookies.clear()  # a fresh browser
    form = client.get("/staff/login")
    assert form.status_code == 200
    done = client.post(
        "/staff/login",
        data={"username": username, "password": password, "csrf": csrf_of(form.text)},
    )
    assert done.status_code == 303, done.text
    queue = client.get("/staff/")
    assert queue.status_code == 200
    return csrf_of(queue.text)
