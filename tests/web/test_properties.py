"""Bad input on the web chat API, systematically (Hypothesis), over the real core and store.

Whatever a browser (or anything else) posts: never a 5xx, never a traceback; a refusal is a
JSON ``{"error", "message"}`` and stores nothing; any text that is still a message after
cleaning (emoji, RTL, mixed scripts, control characters, NUL, up to the limit) is stored once
and answered.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from starlette.testclient import TestClient

from bot.core.conversation import ConversationService
from bot.faq.matcher import Matcher
from bot.web import create_app
from bot.web.validation import MAX_TEXT_CHARS
from tests.fakes import FakeStore

CONTROL = "".join(map(chr, [*range(0x00, 0x09), *range(0x0B, 0x20), 0x7F]))
# Text that is hard on a chat: every script, emoji and their joiners, bidi marks, controls.
WEIRD_ALPHABET = st.one_of(
    st.characters(codec="utf-8"),  # any code point but surrogates
    st.sampled_from(
        "保证金押金退款한국어보증금ㅂㅈㄱ日本語のかなعربيעבריתΩЖ🙂👍🏽👨‍👩‍👧🇰🇷\u200d\u200e\u200f"
        "\u202e\u2066\ufeff\u00a0\u3000\t\n\r" + CONTROL
    ),
)
WEIRD_TEXT = st.text(WEIRD_ALPHABET, min_size=1, max_size=300) | st.builds(
    lambda s, n: (s * n)[: MAX_TEXT_CHARS + 50], st.text(WEIRD_ALPHABET, min_size=1, max_size=8),
    st.integers(200, 2100),
)  # fmt: skip
JSON_SCALARS = st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=40)
JSON_VALUES = st.recursive(
    JSON_SCALARS,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)
FIELDS = ("type", "text", "payload", "id", "lang", "tz", "lat", "lon")
TYPES = st.sampled_from(["start", "text", "button", "location", "", "TEXT", "image"])
CHAT_BODIES = st.fixed_dictionaries(
    {},
    optional={
        "type": TYPES | JSON_VALUES,
        "text": WEIRD_TEXT | JSON_VALUES,
        "payload": st.text(WEIRD_ALPHABET, max_size=80) | JSON_VALUES,
        "id": st.from_regex(r"[A-Za-z0-9_-]{8,64}", fullmatch=True) | JSON_VALUES,
        "lang": st.sampled_from(["ko", "zh-TW", "zh-Hans-CN", "en-US", "x"]) | JSON_VALUES,
        "tz": st.sampled_from(["Asia/Seoul", "Etc/GMT+14", "Nowhere/Else", "../../etc"])
        | JSON_VALUES,
        "lat": st.floats() | JSON_VALUES,
        "lon": st.floats() | JSON_VALUES,
    },
)


class Chat:
    """The app as a browser sees it, with a count of what the core stored."""

    def __init__(self, client: TestClient, store: FakeStore) -> None:
        self.client, self.store = client, store

    def fresh(self) -> None:
        """A new browser: each example is a new merchant (no ticket or rating from before)."""
        self.client.cookies.clear()
        self.client.get("/")

    def stored(self) -> int:
        return len(self.store.committed.messages)

    def inbound(self) -> list[str]:
        return [m.text for m in self.store.committed.messages if m.direction == "in"]


@pytest.fixture
def chat(shipped_matcher: Matcher) -> Iterator[Chat]:
    store = FakeStore()

    async def healthy() -> dict[str, Any]:
        return {"ok": True}

    app = create_app(ConversationService(lambda: shipped_matcher, store.uow), healthy)
    with TestClient(app, raise_server_exceptions=False) as client:
        yield Chat(client, store)


def assert_clear_error(response: Any) -> None:
    """A 4xx whose body is a JSON error code and a sentence, with no traceback in it."""
    assert 400 <= response.status_code < 500, (response.status_code, response.text[:300])
    assert response.headers["content-type"].startswith("application/json")
    data = response.json()
    assert set(data) == {"error", "message"}, data
    assert isinstance(data["error"], str) and data["error"].isidentifier()
    assert isinstance(data["message"], str) and data["message"].strip()
    assert "Traceback" not in response.text and 'File "' not in response.text


@given(body=CHAT_BODIES)
def test_any_json_object_is_answered_or_refused_cleanly(chat: Chat, body: dict[str, Any]) -> None:
    chat.fresh()
    before = chat.stored()
    response = chat.client.post("/api/chat", json=body)
    if response.status_code == 200:
        data = response.json()
        assert data["messages"] and all(m["text"].strip() for m in data["messages"])
        if not data["duplicate"]:  # a repeated client id is answered from the store
            assert len(chat.inbound()) == len([m for m in chat.store.committed.messages
                                               if m.direction == "in"])  # fmt: skip
            assert chat.stored() > before
    else:
        assert_clear_error(response)
        assert chat.stored() == before, "a refused request stored something"


@given(
    body=st.binary(max_size=300)
    | st.builds(lambda v: json.dumps(v).encode(), JSON_VALUES)
    | st.builds(
        lambda v: json.dumps(v, ensure_ascii=False).encode("utf-8", "surrogatepass"),
        st.dictionaries(st.sampled_from(FIELDS), st.text(max_size=20)),
    )
    | st.just(b'{"type": "text", "text": "\\ud800"}')
    | st.just(b"[" * 5000 + b"]" * 5000),
    content_type=st.sampled_from(
        [
            "application/json",
            "application/json; charset=utf-8",
            "text/plain",
            "",
            "APPLICATION/JSON",
        ]
    ),
)
def test_any_bytes_are_answered_or_refused_cleanly(
    chat: Chat, body: bytes, content_type: str
) -> None:
    chat.fresh()
    before = chat.stored()
    headers = {"content-type": content_type} if content_type else {}
    response = chat.client.post("/api/chat", content=body, headers=headers)
    if response.status_code != 200:
        assert_clear_error(response)
        assert chat.stored() == before


@given(text=WEIRD_TEXT, lang=st.sampled_from([None, "ko", "zh-TW", "en"]))
def test_weird_text_is_stored_once_and_answered(chat: Chat, text: str, lang: str | None) -> None:
    chat.fresh()
    cleaned = "".join(c for c in text if c not in CONTROL).strip()
    before = len(chat.inbound())
    body = {"type": "text", "text": text} | ({"lang": lang} if lang else {})
    response = chat.client.post("/api/chat", json=body)
    if not cleaned:
        assert response.status_code == 400 and response.json()["error"] == "empty_text"
        assert len(chat.inbound()) == before
        return
    if len(cleaned) > MAX_TEXT_CHARS:
        assert response.status_code == 413 and response.json()["error"] == "text_too_long"
        assert len(chat.inbound()) == before
        return
    assert response.status_code == 200, response.text[:300]
    messages = response.json()["messages"]
    assert messages and all(isinstance(m["text"], str) and m["text"] for m in messages)
    assert chat.inbound()[before:] == [cleaned]  # stored once, as cleaned
    assert "\x00" not in chat.inbound()[-1]


@given(client_id=st.from_regex(r"[A-Za-z0-9_-]{8,64}", fullmatch=True), text=WEIRD_TEXT)
def test_a_retried_post_is_stored_once(chat: Chat, client_id: str, text: str) -> None:
    chat.fresh()
    body = {"type": "text", "text": text, "id": client_id}
    before = len(chat.inbound())
    first = chat.client.post("/api/chat", json=body)
    second = chat.client.post("/api/chat", json=body)
    assert first.status_code == second.status_code and first.status_code < 500
    if first.status_code == 200:
        assert second.json()["messages"] == first.json()["messages"]
        assert len(chat.inbound()) - before in (0, 1)  # 0: the id was drawn before


@given(
    after=st.text(max_size=25) | st.integers().map(str),
    tz=st.text(max_size=60),
)
def test_history_with_any_query_is_answered_or_refused_cleanly(
    chat: Chat, after: str, tz: str
) -> None:
    chat.fresh()
    chat.client.post("/api/chat", json={"type": "text", "text": "deposit?"})
    response = chat.client.get("/api/history", params={"after": after, "tz": tz})
    if response.status_code == 200:
        data = response.json()
        assert isinstance(data["messages"], list) and isinstance(data["cursor"], int)
    else:
        assert_clear_error(response)
