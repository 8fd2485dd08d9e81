"""Any text a channel hands the core is stored once and answered, on every store (Hypothesis):
emoji, RTL, mixed scripts, control characters and NUL (which PostgreSQL refuses in text)."""

from __future__ import annotations

import itertools

from hypothesis import given
from hypothesis import strategies as st

from bot.core.conversation import ConversationService
from bot.core.types import Incoming, MerchantKey
from bot.faq.matcher import Matcher
from tests.storage.conftest import StoreUnderTest

_users = itertools.count(1)
TEXT = st.text(
    st.characters(codec="utf-8")
    | st.sampled_from("保证金보증금عربيעברית🙂👨‍👩‍👧\u200f\u202e\x00\x01\x1b\t\n"),
    max_size=80,
)


@given(
    text=TEXT.filter(lambda s: s.replace("\x00", "").strip()),
    name=st.none() | TEXT,
    lang=st.none() | st.sampled_from(["en", "ko\x00", "zh-TW", "\x00"]),
    key=st.none() | TEXT.filter(bool).map(lambda s: s[:60]),
)
async def test_any_text_is_stored_once_and_answered(
    store: StoreUnderTest, shipped_matcher: Matcher, text: str, name: str | None,
    lang: str | None, key: str | None,
) -> None:  # fmt: skip
    service = ConversationService(lambda: shipped_matcher, store.uow)
    who = MerchantKey("telegram", str(next(_users)))
    event = Incoming(who, "text", text=text, delivery_key=key and f"{who.user_id}:{key}",
                     lang_hint=lang, display_name=name, message_id=key)  # fmt: skip
    reply = await service.handle(event)
    assert reply.messages
    again = await service.handle(event)
    history = await service.history(who)
    inbound = [m for m in history if m.direction == "in"]
    assert [m.text for m in inbound][:1] == [text.replace("\x00", "")]
    assert len(inbound) == (1 if key else 2) and again.duplicate == bool(key)


@given(payload=TEXT)
async def test_any_button_payload_is_stored_once_and_answered(
    store: StoreUnderTest, shipped_matcher: Matcher, payload: str
) -> None:
    service = ConversationService(lambda: shipped_matcher, store.uow)
    who = MerchantKey("telegram", str(next(_users)))
    reply = await service.handle(Incoming(who, "button", payload=payload))
    assert reply.messages
    assert [m.direction for m in await service.history(who)][:1] == ["in"]
