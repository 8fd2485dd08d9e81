"""Fixtures: the fake Bot API, and the real channel on either framework against it."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import shutil
import socket
from collections.abc import AsyncIterator, Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import uvicorn

from bot.channels.telegram import FailedDelivery, TelegramChannel, TelegramConfig, build_channel
from bot.channels.telegram.pacing import Limits, Rate
from bot.channels.telegram.sender import RetryPolicy
from bot.channels.telegram.staff import StaffGroup
from bot.core.conversation import ConversationService
from bot.core.delivery import FIRST_WAIT, Deliverer
from bot.core.desk import Desk
from bot.core.escalation import Escalation
from bot.core.files import Files
from bot.core.notify import TicketListener
from bot.core.ports import Conversation, UnitOfWork
from bot.core.teams import DefaultTeamOnly
from bot.faq.matcher import Matcher
from bot.storage.migrate import upgrade
from bot.web.app import create_app
from tests.fakes import FakeStore
from tests.telegram.fake_api import TOKEN, FakeBotApi

FRAMEWORKS = ("aiogram", "ptb")
SECRET = "s3cret-for_tests"
# Telegram's limits with windows 50 times shorter, so a test waits milliseconds, not seconds.
FAST_LIMITS = Limits(per_chat=Rate(1, 0.02), overall=Rate(30, 0.02), per_group=Rate(20, 1.2))
FAST_RETRY = RetryPolicy(attempts=3, first_wait=0.02, max_wait=0.1, flood_waits=3)
STAFF_CHAT = -1001234567890  # a forum supergroup
MakeChannel = Callable[[TelegramConfig], TelegramChannel]


class VirtualClock:
    """Time for the channel's pace (rate limits, waits after 429s): it moves only when the
    channel waits, and a wait ends at once with the clock at its end. The fake Bot API stamps
    calls with it too, so gaps between calls are exact, whatever the machine's load."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        until = self.now + seconds
        await asyncio.sleep(0)
        self.now = max(self.now, until)  # other waits may have moved it on meanwhile


def fast_config(fake: FakeBotApi, framework: str, **overrides: Any) -> TelegramConfig:
    """A config pointing at the fake, with short limits, retries and long polls."""
    config = TelegramConfig(
        token=TOKEN,
        api_url=fake.url,
        framework=framework,  # type: ignore[arg-type]
        poll_timeout=2,
        limits=FAST_LIMITS,
        retry=FAST_RETRY,
        drain_seconds=3.0,
    )
    return dataclasses.replace(config, **overrides)


@pytest.fixture
async def fake() -> AsyncIterator[FakeBotApi]:
    api = FakeBotApi()
    await api.start()
    try:
        yield api
    finally:
        await api.close()


@pytest.fixture(params=FRAMEWORKS)
def framework(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@dataclass
class Harness:
    """A running channel on one framework, the store behind the core, and what failed."""

    fake: FakeBotApi
    framework: str
    matcher: Matcher
    store: FakeStore = field(default_factory=FakeStore)
    failures: list[FailedDelivery] = field(default_factory=list)
    channels: list[TelegramChannel] = field(default_factory=list)
    servers: list[tuple[uvicorn.Server, asyncio.Task[None], socket.socket]] = field(
        default_factory=list
    )
    deliverers: dict[int, asyncio.Task[None]] = field(default_factory=dict)  # by id(channel)
    clock: VirtualClock | None = None  # the channels' pace; None: real time
    files: Files | None = None  # photos and documents both ways (needs an SQL store's uow)

    def virtual_time(self) -> VirtualClock:
        """Channels started from now on pace their sends on a virtual clock, which also
        stamps the fake's calls (``Call.at``)."""
        self.clock = VirtualClock()
        self.fake.clock = self.clock
        return self.clock

    def build(
        self, config: TelegramConfig, conversation: Conversation, **kwargs: Any
    ) -> TelegramChannel:
        """``build_channel``, on the virtual clock if there is one."""
        if self.clock is not None:
            kwargs.update(clock=self.clock, sleep=self.clock.sleep)
        if self.files is not None:
            kwargs.setdefault("files", self.files)
        return build_channel(config, conversation, self.record, **kwargs)

    def service(self) -> ConversationService:
        return ConversationService(lambda: self.matcher, self.store.uow, files=self.files)

    async def record(self, failure: FailedDelivery) -> None:
        self.failures.append(failure)

    async def polling(
        self, conversation: Conversation | None = None, **overrides: Any
    ) -> TelegramChannel:
        """A started channel in polling mode."""
        service = conversation or self.service()
        return await self._polling(lambda c: self.build(c, service), **overrides)

    async def webhook(
        self, conversation: Conversation | None = None, **overrides: Any
    ) -> TelegramChannel:
        """A started channel in webhook mode, served by uvicorn on 127.0.0.1 (the real app)."""
        service = conversation or self.service()
        return await self._webhook(lambda c: self.build(c, service), **overrides)

    async def staffed(
        self,
        uow: Callable[[], UnitOfWork] | None = None,
        webhook: bool = False,
        first_wait: timedelta = FIRST_WAIT,
        **overrides: Any,
    ) -> Staffed:
        """A started channel with the staff chat, wired as the bot wires it: one list of
        ticket listeners for the conversation and the desk, the desk's replies delivered by a
        running Deliverer through the channel's outbound (retrying after ``first_wait``), and
        ``files`` when the harness has them. ``uow`` defaults to the fake store."""
        uow = uow or self.store.uow
        files = self.files
        listeners: list[TicketListener] = []
        deliverer = Deliverer(uow, {}, first_wait=first_wait, files=files)
        escalation = Escalation(DefaultTeamOnly)
        conversation = ConversationService(
            lambda: self.matcher, uow, escalation=escalation, listeners=listeners, files=files
        )
        desk = Desk(uow, DefaultTeamOnly, wake=deliverer.wake, listeners=listeners, files=files)

        def make(config: TelegramConfig) -> TelegramChannel:
            config = dataclasses.replace(config, staff_chat_id=STAFF_CHAT)
            return self.build(config, conversation, desk=desk, uow=uow)

        start = self._webhook if webhook else self._polling
        channel = await start(make, **overrides)
        assert channel.staff is not None
        listeners.append(channel.staff)
        deliverer.outbounds["telegram"] = channel.outbound
        if files is not None and channel.renders.files:  # as bootstrap's _start does
            files.channels = files.channels | {channel.name}
        self.deliverers[id(channel)] = asyncio.create_task(deliverer.run(poll_seconds=0.05))
        return Staffed(channel, channel.staff, desk, conversation)

    async def _polling(self, make: MakeChannel, **overrides: Any) -> TelegramChannel:
        channel = make(fast_config(self.fake, self.framework, **overrides))
        await channel.start()
        self.channels.append(channel)
        return channel

    async def _webhook(self, make: MakeChannel, **overrides: Any) -> TelegramChannel:
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
        config = fast_config(
            self.fake,
            self.framework,
            mode="webhook",
            webhook_url=f"http://127.0.0.1:{port}/telegram/webhook",
            webhook_secret=SECRET,
            **overrides,
        )
        channel = make(config)
        app = create_app(self.service(), _healthy, routes=channel.routes())
        server = uvicorn.Server(uvicorn.Config(app, log_config=None, lifespan="off"))
        task = asyncio.create_task(server.serve(sockets=[sock]))
        while not server.started:
            await asyncio.sleep(0.01)
        self.servers.append((server, task, sock))
        await channel.start()
        self.channels.append(channel)
        return channel

    async def stop(self, channel: TelegramChannel) -> None:
        """Stop one channel (as at shutdown), and its delivery loop if it has one."""
        self.channels.remove(channel)
        delivering = self.deliverers.pop(id(channel), None)
        if delivering is not None:
            delivering.cancel()
            # a guard, not a timing: a loop that eats its cancellation (asyncio.wait_for on
            # Python 3.11, woken just then) would otherwise hang the test for ever
            await asyncio.wait({delivering}, timeout=30)
            assert delivering.done(), "the delivery loop ran on after it was cancelled"
            with contextlib.suppress(asyncio.CancelledError):
                await delivering
        await channel.stop()

    async def close(self) -> None:
        for channel in list(self.channels):
            await self.stop(channel)
        for server, task, sock in self.servers:
            server.should_exit = True
            await task
            sock.close()

    async def ask(
        self, body: dict[str, Any], replies: int = 1, chat: int | None = None
    ) -> list[str]:
        """Queue an update, wait for the chat to have ``replies`` more texts; all its texts."""
        chat_id = chat if chat is not None else _chat_of(body)
        before = len(self.fake.delivered(chat_id))
        await self.fake.add_update(body)
        await self.fake.wait_until(lambda: len(self.fake.delivered(chat_id)) >= before + replies)
        return self.fake.texts(chat_id)

    def answer(self, question: str, lang: str = "en") -> str:
        """The FAQ answer text the core gives for a question (to compare with what was sent)."""
        decision = self.matcher.ask(question, hint=lang)  # type: ignore[arg-type]
        assert decision.action == "answer" and decision.faq_id, decision
        return self.matcher.faq.get(decision.faq_id).answer[lang]  # type: ignore[index]


@dataclass(frozen=True)
class Staffed:
    """A channel with its staff side and the core services behind it."""

    channel: TelegramChannel
    staff: StaffGroup
    desk: Desk
    conversation: ConversationService


def _chat_of(body: dict[str, Any]) -> int:
    if "message" in body:
        return int(body["message"]["chat"]["id"])
    return int(body["callback_query"]["from"]["id"])


async def _healthy() -> dict[str, Any]:
    return {"ok": True}


@pytest.fixture
async def harness(
    fake: FakeBotApi, framework: str, shipped_matcher: Matcher
) -> AsyncIterator[Harness]:
    h = Harness(fake, framework, shipped_matcher)
    try:
        yield h
    finally:
        await h.close()


async def wait_for(condition: Callable[[], bool], timeout: float = 30.0) -> None:
    """Poll until ``condition`` holds (the timeout only keeps a broken test from hanging)."""
    deadline = asyncio.get_running_loop().time() + timeout
    while not condition():
        assert asyncio.get_running_loop().time() < deadline, "condition not met in time"
        await asyncio.sleep(0.01)


@pytest.fixture(scope="session")
def migrated_sqlite(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file, copied for each test that needs one."""
    path = tmp_path_factory.mktemp("staff-db") / "merchant-bot.db"
    with ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, upgrade(f"sqlite+aiosqlite:///{path}")).result()
    return path


@pytest.fixture
def sqlite_url(migrated_sqlite: Path, tmp_path: Path) -> Iterator[str]:
    path = tmp_path / "merchant-bot.db"
    shutil.copyfile(migrated_sqlite, path)
    yield f"sqlite+aiosqlite:///{path}"
