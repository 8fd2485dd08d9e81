"""Telegram flood: many merchants asking at once, through the real channel and a local Bot API.

50 merchants (English, Korean, Chinese) send 3 FAQ questions each, all queued at once at a Bot
API server on 127.0.0.1 (tests/telegram/fake_api.py); the channel polls them with the chosen
framework, the core stores and answers them (SQLite by default), and the replies go out within
Telegram's limits (1 message per second per chat, 30 per second overall). Reports how fast
updates were taken in (stored and answered by the core) and delivered, and checks that every
question was answered, once, in each merchant's order.

    python -m benchmarks.telegram_flood [--framework aiogram|ptb|both] [--merchants 50]
        [--questions 3] [--store sqlite|memory] [--unpaced]
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.channels.telegram import build_channel
from bot.channels.telegram.config import TelegramConfig
from bot.channels.telegram.pacing import Limits, Rate
from bot.channels.telegram.sender import RetryPolicy
from bot.core.conversation import ConversationService
from bot.core.ports import UnitOfWork
from bot.core.types import Incoming, Reply
from bot.faq.loader import load_faq
from bot.faq.matcher import Matcher
from tests.telegram import builders
from tests.telegram.fake_api import TOKEN, FakeBotApi

ROOT = Path(__file__).resolve().parent.parent
LANGS = (("en", "en"), ("ko", "ko"), ("zh-hans", "zh"))  # (Telegram language_code, FAQ lang)
UNPACED = Limits(per_chat=Rate(1000, 0.001), overall=Rate(1000, 0.001), per_group=Rate(1000, 0.001))


@dataclass(frozen=True)
class FloodResult:
    """What one flood measured."""

    framework: str
    store: str
    updates: int
    intake_seconds: float  # first update queued -> last one stored and answered by the core
    delivery_seconds: float  # first update queued -> last reply accepted by the Bot API
    all_answered_once: bool
    order_kept: bool

    @property
    def intake_rate(self) -> float:
        """Updates per second taken in."""
        return self.updates / self.intake_seconds

    @property
    def delivery_rate(self) -> float:
        """Replies per second delivered."""
        return self.updates / self.delivery_seconds

    def line(self) -> str:
        """One line for the issue note."""
        return (
            f"{self.framework:8} {self.store:7} {self.updates} updates: taken in "
            f"{self.intake_seconds:.2f} s ({self.intake_rate:.0f} updates/s), delivered "
            f"{self.delivery_seconds:.2f} s ({self.delivery_rate:.1f} replies/s); "
            f"all answered once: {self.all_answered_once}, order kept: {self.order_kept}"
        )


class Timed:
    """The service, noting when each event has been stored and answered."""

    def __init__(self, inner: ConversationService) -> None:
        self.inner = inner
        self.done: list[float] = []

    async def handle(self, event: Incoming) -> Reply:
        """Handle and note the time."""
        reply = await self.inner.handle(event)
        self.done.append(time.perf_counter())
        return reply

    async def sent(self, event: Incoming) -> None:
        """The answer went out: recorded by the service, as the channel asks."""
        await self.inner.sent(event)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)  # history, since, file: as the service has them


def questions(
    matcher: Matcher,
    merchants: int,
    per_merchant: int,
    skip: Callable[[str], bool] = lambda text: False,
) -> list[list[tuple[str, str]]]:
    """Per merchant, distinct (question, expected answer) pairs the FAQ answers directly
    (``skip``: questions something else answers first, such as the centre finder)."""
    plain = [e for e in matcher.faq if not e.escalate]
    plan: list[list[tuple[str, str]]] = []
    for m in range(merchants):
        lang = LANGS[m % len(LANGS)][1]
        mine: list[tuple[str, str]] = []
        i = m * per_merchant
        while len(mine) < per_merchant:
            entry = plain[i % len(plain)]
            i += 1
            question = entry.questions[lang][1 % len(entry.questions[lang])]  # type: ignore[index]
            d = matcher.ask(question, hint=lang)  # type: ignore[arg-type]
            if d.action == "answer" and d.faq_id == entry.id and not skip(question):
                mine.append((question, entry.answer[lang]))  # type: ignore[index]
        plan.append(mine)
    return plan


async def flood(
    framework: str,
    matcher: Matcher,
    uow: Callable[[], UnitOfWork],
    *,
    store: str = "memory",
    merchants: int = 50,
    per_merchant: int = 3,
    limits: Limits | None = None,
) -> FloodResult:
    """Run one flood against a fresh Bot API server; the channel is stopped afterwards."""
    api = FakeBotApi()
    await api.start()
    timed = Timed(ConversationService(lambda: matcher, uow))
    config = TelegramConfig(
        token=TOKEN,
        api_url=api.url,
        framework=framework,  # type: ignore[arg-type]
        poll_timeout=5,
        limits=limits or Limits(),
        retry=RetryPolicy(first_wait=0.05),
    )
    channel = build_channel(config, timed)
    plan = questions(matcher, merchants, per_merchant)
    chats = [700_000 + m for m in range(merchants)]
    total = merchants * per_merchant
    try:
        await channel.start()
        start = time.perf_counter()
        for k in range(per_merchant):  # interleaved, as merchants would type
            for m, chat in enumerate(chats):
                code = LANGS[m % len(LANGS)][0]
                await api.add_update(builders.text(chat, plan[m][k][0], code))
        await api.wait_until(lambda: sum(len(api.delivered(c)) for c in chats) >= total, 120)
        delivered = time.perf_counter()
        await asyncio.sleep(0.2)  # a repeat or stray reply would show up now
    finally:
        await channel.stop()
        await api.close()
    expected = {chat: [answer for _, answer in plan[m]] for m, chat in enumerate(chats)}
    got = {chat: api.texts(chat) for chat in chats}
    return FloodResult(
        framework=framework,
        store=store,
        updates=total,
        intake_seconds=max(timed.done) - start,
        delivery_seconds=delivered - start,
        all_answered_once=all(sorted(got[c]) == sorted(expected[c]) for c in chats),
        order_kept=got == expected,
    )


async def _run(args: argparse.Namespace) -> int:
    from bot.storage.migrate import upgrade
    from bot.storage.uow import SqlStore
    from tests.fakes import FakeStore

    faq, problems = load_faq(ROOT / "faq")
    assert faq is not None, problems
    matcher = Matcher(faq)
    frameworks = ("aiogram", "ptb") if args.framework == "both" else (args.framework,)
    ok = True
    for framework in frameworks:
        with tempfile.TemporaryDirectory() as folder:
            if args.store == "sqlite":
                url = f"sqlite+aiosqlite:///{folder}/flood.db"
                await upgrade(url)
                sql = SqlStore(url)
                uow: Callable[[], UnitOfWork] = sql.uow
            else:
                uow = FakeStore().uow
            try:
                result = await flood(
                    framework, matcher, uow, store=args.store, merchants=args.merchants,
                    per_merchant=args.questions, limits=UNPACED if args.unpaced else None,
                )  # fmt: skip
            finally:
                if args.store == "sqlite":
                    await sql.close()
        print(result.line(), flush=True)
        ok = ok and result.all_answered_once and result.order_kept
    return 0 if ok else 1


def main() -> int:
    """Parse the options and run the floods."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--framework", choices=("aiogram", "ptb", "both"), default="both")
    parser.add_argument("--merchants", type=int, default=50)
    parser.add_argument("--questions", type=int, default=3, help="per merchant")
    parser.add_argument("--store", choices=("sqlite", "memory"), default="sqlite")
    parser.add_argument("--unpaced", action="store_true", help="no rate limits (intake only)")
    return asyncio.run(_run(parser.parse_args()))


if __name__ == "__main__":
    raise SystemExit(main())
