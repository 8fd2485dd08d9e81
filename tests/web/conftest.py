"""A fake conversation service (canned, per-language replies, kept history) and app fixtures."""

from __future__ import annotations

import asyncio
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from starlette.applications import Starlette
from starlette.testclient import TestClient

from bot.core.ports import StoredMessage
from bot.core.types import Button, Incoming, MerchantKey, Outgoing, Reply
from bot.text.scripts import has_han, has_hangul
from bot.web import create_app

GREETING = {
    "en": "Hello! I'm the seller-support assistant. Ask me anything.",
    "ko": "안녕하세요! 판매자 지원 도우미입니다. 무엇이든 물어보세요.",
    "zh_Hans": "您好！我是卖家支持助手，有什么可以帮您？",
    "zh_Hant": "您好！我是賣家支援助手，有什麼可以幫您？",
}
LANGUAGE_SET = {
    "en": "OK, I'll reply in English from now on.",
    "ko": "알겠습니다. 이제부터 한국어로 답변할게요.",
    "zh_Hans": "好的，之后我会用简体中文回复。",
    "zh_Hant": "好的，之後我會用繁體中文回覆。",
}
ANSWER = {
    "en": "The security deposit is refunded within 30 days after you close your store.",
    "ko": "보증금은 스토어를 닫은 후 30일 이내에 환불됩니다.",
    "zh_Hans": "关店后 30 天内退还保证金。",
    "zh_Hant": "關店後 30 天內退還保證金。",
}
MENU = {
    "en": ("Browse topics", "Talk to a person"),
    "ko": ("주제 보기", "상담원 연결"),
    "zh_Hans": ("浏览主题", "转人工"),
    "zh_Hant": ("瀏覽主題", "轉人工"),
}
TOPICS = {"en": "Pick a topic:", "ko": "주제를 고르세요:", "zh_Hans": "请选择主题：",
          "zh_Hant": "請選擇主題："}  # fmt: skip
STALE = "Sorry, that option is no longer available. Here is the menu again."


def locale_of(text: str, current: str) -> str:
    """A rough language guess, enough for the fake: Hangul, Traditional-only or other Han."""
    if has_hangul(text):
        return "ko"
    if re.search(r"[關後還請麼們這會説說]", text):
        return "zh_Hant"
    if has_han(text):
        return "zh_Hans"
    return "en" if re.search(r"[A-Za-z]", text) else current


@dataclass
class FakeService:
    """Records events, answers with canned Replies, keeps a history; "boom" makes it fail."""

    events: list[Incoming] = field(default_factory=list)
    stored: dict[MerchantKey, list[StoredMessage]] = field(default_factory=dict)
    answered: dict[str, tuple[Outgoing, ...]] = field(default_factory=dict)
    locales: dict[MerchantKey, str] = field(default_factory=dict)
    pinned: set[MerchantKey] = field(default_factory=set)  # chose a language: it sticks
    hold: threading.Event | None = None  # when set up, answers wait until it is set
    fail_history: bool = False

    async def handle(self, event: Incoming) -> Reply:
        """Answer an event once per delivery key."""
        self.events.append(event)
        if event.delivery_key and event.delivery_key in self.answered:
            messages = self.answered[event.delivery_key]
            return Reply(messages, self.locales.get(event.merchant, "en"), duplicate=True)
        if event.text == "boom":
            raise RuntimeError("the fake core failed")
        if self.hold is not None:  # the server runs in another thread than the test
            assert await asyncio.to_thread(self.hold.wait, 30), "the test never let it answer"
        messages, locale = self._respond(event)
        self.locales[event.merchant] = locale
        if event.delivery_key:
            self.answered[event.delivery_key] = messages
        self._store(event, messages, locale)
        return Reply(messages, locale)

    async def history(self, key: MerchantKey, limit: int = 100) -> list[StoredMessage]:
        """The merchant's stored messages, oldest first."""
        if self.fail_history:
            raise RuntimeError("the fake storage failed")
        return self.stored.get(key, [])[-limit:]

    async def since(self, key: MerchantKey, after: int, limit: int = 100) -> list[StoredMessage]:
        """The merchant's messages after a cursor (their ``seq``), oldest first."""
        return [m for m in self.stored.get(key, []) if m.seq > after][:limit]

    def push(self, key: MerchantKey, text: str) -> None:
        """A message from the staff, as the desk stores it (answering no inbound message)."""
        rows = self.stored.setdefault(key, [])
        n = len(rows) + 1
        rows.append(StoredMessage(0, "out", "staff", text, locale="en", id=n, seq=n))

    def _respond(self, event: Incoming) -> tuple[tuple[Outgoing, ...], str]:
        current = self.locales.get(event.merchant, "en")
        if event.kind == "command":
            loc = self._hint(event.lang_hint) or current
            return (Outgoing(GREETING[loc], self._menu(loc)),), loc
        if event.kind == "button" and event.payload.startswith("lang:"):
            loc = event.payload.removeprefix("lang:")
            if loc in GREETING:
                self.pinned.add(event.merchant)
                return (Outgoing(LANGUAGE_SET[loc], self._menu(loc)),), loc
        if event.kind == "button" and event.payload == "topics":
            buttons = (Button("Fees", "cat:fees"), Button("Shipping", "cat:shipping"))
            return (Outgoing(TOPICS[current], buttons),), current
        if event.kind == "button":
            return (Outgoing(STALE, self._menu(current)),), current
        loc = current if event.merchant in self.pinned else locale_of(event.text, current)
        helpful = (Button("👍", "fb:1:1"), Button("👎", "fb:1:0"))
        return (Outgoing(ANSWER[loc], helpful),), loc

    @staticmethod
    def _hint(tag: str | None) -> str | None:
        t = (tag or "").lower()
        if t.startswith(("zh-tw", "zh-hk", "zh-hant")):
            return "zh_Hant"
        return "zh_Hans" if t.startswith("zh") else "ko" if t.startswith("ko") else "en"

    @staticmethod
    def _menu(loc: str) -> tuple[Button, ...]:
        topics, human = MENU[loc]
        return (Button(topics, "topics"), Button(human, "human"))

    def _store(self, event: Incoming, messages: tuple[Outgoing, ...], locale: str) -> None:
        rows = self.stored.setdefault(event.merchant, [])
        inbound = len(rows) + 1
        rows.append(
            StoredMessage(0, "in", event.kind, event.text, event.payload, id=inbound, seq=inbound)
        )
        for m in messages:
            n = len(rows) + 1
            rows.append(StoredMessage(0, "out", "text", m.text, locale=locale, reply_to=inbound,
                                      buttons=m.buttons, id=n, seq=n))  # fmt: skip


@dataclass
class Health:
    """A health check whose answer a test sets."""

    status: dict[str, Any] = field(
        default_factory=lambda: {"ok": True, "database": {"ok": True}, "faq": {"ok": True}}
    )
    error: Exception | None = None

    async def __call__(self) -> dict[str, Any]:
        """The current status, or the set error."""
        if self.error is not None:
            raise self.error
        return self.status


@pytest.fixture
def service() -> FakeService:
    return FakeService()


@pytest.fixture
def health() -> Health:
    return Health()


@pytest.fixture
def app(service: FakeService, health: Health) -> Starlette:
    return create_app(service, health)


@pytest.fixture
def client(app: Starlette) -> Iterator[TestClient]:
    with TestClient(app, raise_server_exceptions=False) as c:
        yield c
