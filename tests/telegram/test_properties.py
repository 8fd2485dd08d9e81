"""Bad input from Telegram, systematically (Hypothesis): any JSON as an update, on both
frameworks' mappers, and through the real webhook route, intake and conversation service.

Whatever arrives: the mappers give an update or a ValueError, never another exception; the
webhook answers 4xx (JSON, no traceback) and stores nothing, or 200 with the update stored
once and answered; weird but valid text (emoji, RTL, controls, NUL, very long) is answered.
"""

from __future__ import annotations

import asyncio
import copy
import itertools
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from hypothesis import example, given
from hypothesis import strategies as st
from starlette.applications import Starlette

from bot.channels.telegram.aiogram_adapter import AiogramApi
from bot.channels.telegram.api import BotApi
from bot.channels.telegram.intake import Intake
from bot.channels.telegram.mapping import to_inbound, to_requests
from bot.channels.telegram.ptb_adapter import PtbApi
from bot.channels.telegram.sends import SendRequest
from bot.channels.telegram.updates import TgUpdate
from bot.channels.telegram.webhook import PATH, SECRET_HEADER, webhook_route
from bot.core.conversation import ConversationService
from bot.core.types import Outgoing
from bot.faq.matcher import Matcher
from tests.fakes import FakeStore
from tests.telegram import builders as b
from tests.telegram.fake_api import TOKEN

SECRET = "s3cret-for_tests"
_update_ids = itertools.count(1_000_000)
_users = itertools.count(70_000)

JSON_SCALARS = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=30)
)
JSON = st.recursive(
    JSON_SCALARS,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=10), inner, max_size=4)
    ),
    max_leaves=10,
)
WEIRD_TEXT = st.text(
    st.characters(codec="utf-8")
    | st.sampled_from(
        "保证金보증금日本語عربيעברית🙂👍🏽👨‍👩‍👧\u200d\u200f\u202e\ufeff\x00\x01\x1b\x7f\t\n"
    ),
    min_size=1,
    max_size=200,
) | st.builds(lambda s, n: (s * n)[:4096], st.text(min_size=1, max_size=5), st.integers(500, 900))


def valid_updates() -> st.SearchStrategy[dict[str, Any]]:
    """Real-format updates from a merchant: text, commands, locations, presses, stickers."""
    user = st.integers(1, 2**40)
    lang = st.sampled_from([None, "en", "ko", "zh-hans", "zh-TW", "xx-YY", ""])
    bodies = st.one_of(
        st.builds(b.text, user, WEIRD_TEXT, lang),
        st.builds(b.command, user, st.sampled_from(["start", "help", "language", "x"]), lang),
        st.builds(b.location, user, st.floats(-90, 90), st.floats(-180, 180), lang),
        st.builds(b.callback, user, st.text(max_size=64).filter(lambda s: s), lang),
        st.builds(b.sticker, user, lang),
        st.builds(b.group_text, st.integers(-(2**40), -1), user, WEIRD_TEXT),
    )
    return st.builds(lambda body: {"update_id": next(_update_ids), **body}, bodies)


@st.composite
def mangled_updates(draw: st.DrawFn) -> dict[str, Any]:
    """A real update with some values (at any depth) replaced, removed or added."""
    update = copy.deepcopy(draw(valid_updates()))
    for _ in range(draw(st.integers(1, 4))):
        node: Any = update
        path = []
        while isinstance(node, dict) and node and draw(st.booleans()):
            key = draw(st.sampled_from(sorted(node)))
            path.append(key)
            if not isinstance(node[key], dict):
                break
            node = node[key]
        if not isinstance(node, dict):
            continue
        action = draw(st.sampled_from(["replace", "delete", "add"]))
        key = path[-1] if path and path[-1] in node else draw(st.text(max_size=12))
        if action == "delete":
            node.pop(key, None)
        else:
            node[key] = draw(JSON)
    return update


EDGES = st.sampled_from(
    [0, -1, 2**31, 2**63, -(2**63), 10**20, 1e300, -1e300, 0.5, "", "0", "x" * 5000, [], {}, None,
     True]
)  # fmt: skip


def _leaves(node: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    if isinstance(node, dict):
        return [p for k, v in node.items() for p in _leaves(v, (*path, k))] or [path]
    return [path]


@st.composite
def leaf_edits(draw: st.DrawFn) -> dict[str, Any]:
    """A real update with one value (any leaf: ids, dates, text...) set to an edge case."""
    update = copy.deepcopy(draw(valid_updates()))
    path = draw(st.sampled_from(_leaves(update)))
    parent = update
    for key in path[:-1]:
        parent = parent[key]
    parent[path[-1]] = draw(EDGES | JSON)
    return update


ANY_UPDATE = (
    mangled_updates() | leaf_edits() | st.dictionaries(st.text(max_size=12), JSON, max_size=5)
)


@pytest.fixture(params=["aiogram", "ptb"])
async def api(request: pytest.FixtureRequest) -> AsyncIterator[BotApi]:
    made: BotApi = (AiogramApi if request.param == "aiogram" else PtbApi)(
        TOKEN, "http://127.0.0.1:9"
    )
    yield made
    await made.close()


@given(data=ANY_UPDATE)
@example(
    data={"update_id": 1, **b.text(5, "hi")}
    | {
        "message": {  # PTB: OverflowError
            "message_id": 1,
            "date": 10**20,
            "chat": {"id": 5, "type": "private"},
            "text": "hi",
        }
    }
)
def test_any_json_is_an_update_or_a_value_error(api: BotApi, data: dict[str, Any]) -> None:
    try:
        update = api.parse_update(data)
    except ValueError:
        return
    assert isinstance(update, TgUpdate)
    inbound = to_inbound(update, "bot")
    if inbound is not None:
        assert inbound.event.merchant.channel == "telegram"


@given(data=valid_updates())
def test_real_updates_map_to_events(api: BotApi, data: dict[str, Any]) -> None:
    update = api.parse_update(data)
    inbound = to_inbound(update, "bot")
    private = "callback_query" in data or data["message"]["chat"]["type"] == "private"
    assert (inbound is not None) == private


@given(
    text=st.text(max_size=5000),
    labels=st.lists(st.tuples(st.text(max_size=40), st.text(max_size=80)), max_size=8),
)
def test_any_reply_becomes_sendable_requests(text: str, labels: list[tuple[str, str]]) -> None:
    from bot.core.types import Button

    message = Outgoing(text, tuple(Button(label, payload) for label, payload in labels))
    for request in to_requests(42, [message]):
        assert len(getattr(request, "text", "")) <= 4096


@dataclass(repr=False)
class RecordingSender:
    """Stands in for the Sender: what the intake queued, per chat."""

    posted: list[tuple[int, Sequence[SendRequest]]] = field(default_factory=list)

    def post(self, chat_id: int, requests: Sequence[SendRequest]) -> asyncio.Future[bool]:
        self.posted.append((chat_id, requests))
        sent: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        sent.set_result(True)  # as if sent at once
        return sent


@dataclass(repr=False)
class Webhook:
    client: httpx.AsyncClient
    store: FakeStore
    sender: RecordingSender

    def stored(self) -> int:
        return len(self.store.committed.messages)

    async def push(self, body: Any, secret: str | None = SECRET) -> httpx.Response:
        headers = {SECRET_HEADER: secret.encode()} if secret is not None else {}
        return await self.client.post(PATH, json=body, headers=headers)


@pytest.fixture
async def webhook(api: BotApi, shipped_matcher: Matcher) -> AsyncIterator[Webhook]:
    store, sender = FakeStore(), RecordingSender()
    service = ConversationService(lambda: shipped_matcher, store.uow)
    intake = Intake(api, service, sender, "4242")  # type: ignore[arg-type]
    app = Starlette(routes=[webhook_route(api, intake, SECRET)])
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://tg.test") as client:
        yield Webhook(client, store, sender)


def assert_clear_refusal(response: httpx.Response) -> None:
    assert 400 <= response.status_code < 500, (response.status_code, response.text[:300])
    data = response.json()
    assert data["ok"] is False and isinstance(data["error"], str) and data["error"]
    assert "Traceback" not in response.text


@given(body=ANY_UPDATE | JSON)
async def test_the_webhook_stores_any_update_or_refuses_it_cleanly(
    webhook: Webhook, body: Any
) -> None:
    before = webhook.stored()
    response = await webhook.push(body)
    if response.status_code == 200:
        assert response.json() == {"ok": True}
    else:
        assert_clear_refusal(response)
        assert webhook.stored() == before


@given(
    body=valid_updates(),
    secret=st.none()
    | st.text(st.characters(exclude_categories=["Cc", "Cs"]), max_size=30).filter(
        lambda s: s != SECRET
    ),
)
async def test_without_the_secret_nothing_is_stored(
    webhook: Webhook, body: dict[str, Any], secret: str | None
) -> None:
    before = webhook.stored()
    assert_clear_refusal(await webhook.push(body, secret))
    assert webhook.stored() == before


@given(text=WEIRD_TEXT, lang=st.sampled_from([None, "en", "ko", "zh-hant"]))
async def test_weird_text_is_stored_once_and_answered(
    webhook: Webhook, text: str, lang: str | None
) -> None:
    user = next(_users)  # a new merchant: no ticket or rating question from before
    update = {"update_id": next(_update_ids), **b.text(user, text, lang)}
    before, queued = webhook.stored(), len(webhook.sender.posted)
    response = await webhook.push(update)
    assert response.status_code == 200, response.text
    inbound = [m for m in webhook.store.committed.messages[before:] if m.direction == "in"]
    assert len(inbound) == 1
    assert len(webhook.sender.posted) == queued + 1  # answered
    chat, requests = webhook.sender.posted[-1]
    assert chat == user and requests
    again = await webhook.push(update)  # Telegram's redelivery: not stored or answered again
    assert again.status_code == 200
    assert len([m for m in webhook.store.committed.messages[before:] if m.direction == "in"]) == 1
    assert len(webhook.sender.posted) == queued + 1
