"""The web chat's HTTP routes against a fake conversation service."""

from __future__ import annotations

import contextlib
import hashlib
import json
import uuid
from collections.abc import AsyncIterator, Iterator

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route
from starlette.testclient import TestClient

from bot.core.types import MerchantKey
from bot.web import create_app
from bot.web.app import UNAVAILABLE
from bot.web.session import COOKIE_NAME, merchant_key
from tests.web.conftest import ANSWER, GREETING, FakeService, Health

JSON = {"content-type": "application/json"}
JSON_UTF8 = {"content-type": "application/json; charset=utf-8"}


def post(client: TestClient, **body: object) -> dict[str, object]:
    response = client.post("/api/chat", json=body)
    assert response.status_code == 200, response.text
    data: dict[str, object] = response.json()
    return data


def test_page_sets_an_http_only_lax_cookie(client: TestClient) -> None:
    response = client.get("/")
    assert response.status_code == 200
    assert "text/html" in response.headers["content-type"]
    assert 'id="log"' in response.text and 'aria-live="polite"' in response.text
    cookie = response.headers["set-cookie"]
    assert cookie.startswith(f"{COOKIE_NAME}=")
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Path=/" in cookie
    assert "Secure" not in cookie
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]


def test_the_cookie_is_secure_over_https(app: Starlette) -> None:
    with TestClient(app, base_url="https://testserver") as client:
        assert "Secure" in client.get("/").headers["set-cookie"]


def test_an_existing_cookie_is_kept(client: TestClient) -> None:
    client.get("/")
    token = client.cookies[COOKIE_NAME]
    assert len(token) >= 32
    client.get("/")
    assert client.cookies[COOKIE_NAME] == token
    post(client, type="start")
    assert "set-cookie" not in client.post("/api/chat", json={"type": "start"}).headers


def test_a_forged_cookie_is_replaced(client: TestClient, service: FakeService) -> None:
    client.cookies.set(COOKIE_NAME, "not a token", domain="testserver.local")
    response = client.post("/api/chat", json={"type": "start"})
    assert response.status_code == 200
    token = client.cookies[COOKIE_NAME]
    assert token != "not a token"
    assert service.events[0].merchant == merchant_key(token)


def test_static_files_are_served(client: TestClient) -> None:
    for name, kind in [("chat.js", "javascript"), ("chat.css", "text/css"), ("icon.svg", "svg")]:
        response = client.get(f"/static/{name}")
        assert response.status_code == 200 and kind in response.headers["content-type"]
    assert client.get("/static/nope.js").status_code == 404


def test_start_sends_a_command_with_the_browser_language(
    client: TestClient, service: FakeService
) -> None:
    data = post(client, type="start", lang="ko-KR", id="c0ffee00-0000")
    event = service.events[0]
    assert event.kind == "command" and event.text == "start" and event.lang_hint == "ko-KR"
    assert event.delivery_key == "c0ffee00-0000"
    assert event.merchant == merchant_key(client.cookies[COOKIE_NAME])
    assert event.merchant.channel == "web"
    assert data["duplicate"] is False and data["locale"] == "ko"
    assert all(m.pop("time") for m in data["messages"])  # type: ignore[attr-defined]
    assert data["messages"] == [
        {
            "direction": "out",
            "text": GREETING["ko"],
            "buttons": [
                {"label": "주제 보기", "payload": "topics"},
                {"label": "상담원 연결", "payload": "human"},
            ],
        }
    ]


def test_text_and_buttons_reach_the_core(client: TestClient, service: FakeService) -> None:
    data = post(client, type="text", text="  保证金多少？\n", id=str(uuid.uuid4()))
    assert data["messages"][0]["text"] == ANSWER["zh_Hans"]  # type: ignore[index]
    post(client, type="button", payload="cat:no-such-thing")
    post(client, type="button", payload="lang:zh_Hant")
    text, unknown, lang = service.events
    assert (text.kind, text.text) == ("text", "保证金多少？")
    assert (unknown.kind, unknown.payload, unknown.text) == ("button", "cat:no-such-thing", "")
    assert (lang.kind, lang.payload) == ("button", "lang:zh_Hant")


def test_location(client: TestClient, service: FakeService) -> None:
    post(client, type="location", lat=22.54, lon=114.06)
    location = service.events[0].location
    assert location is not None and (location.lat, location.lon) == (22.54, 114.06)


def test_a_repeated_id_is_answered_once(client: TestClient, service: FakeService) -> None:
    first = post(client, type="text", text="deposit?", id="same-id-123")
    second = post(client, type="text", text="deposit?", id="same-id-123")
    assert first["duplicate"] is False and second["duplicate"] is True
    assert first["messages"] == second["messages"]
    key = service.events[0].merchant
    assert len(service.stored[key]) == 2  # one question, one answer


def test_history_hides_commands_and_labels_presses(
    client: TestClient, service: FakeService
) -> None:
    assert client.get("/api/history").json() == {"messages": [], "locale": None, "cursor": 0}
    post(client, type="start", lang="en")
    post(client, type="button", payload="topics")
    post(client, type="button", payload="lang:ko")
    post(client, type="text", text="보증금은 얼마인가요?")
    response = client.get("/api/history")
    assert response.status_code == 200 and response.headers["cache-control"] == "no-store"
    data = response.json()
    assert data["locale"] == "ko"
    assert [(m["direction"], m["text"]) for m in data["messages"]] == [
        ("out", GREETING["en"]),
        ("in", "Browse topics"),
        ("out", "Pick a topic:"),
        ("in", "한국어"),
        ("out", "알겠습니다. 이제부터 한국어로 답변할게요."),
        ("in", "보증금은 얼마인가요?"),
        ("out", ANSWER["ko"]),
    ]
    assert data["messages"][2]["buttons"][0] == {"label": "Fees", "payload": "cat:fees"}
    assert data["cursor"] == 8  # the last stored message


def test_polling_returns_only_messages_the_page_did_not_ask_for(
    client: TestClient, service: FakeService
) -> None:
    post(client, type="text", text="deposit?")
    cursor = client.get("/api/history").json()["cursor"]
    assert client.get(f"/api/history?after={cursor}").json()["messages"] == []
    post(client, type="text", text="and the fee?")  # answered in the POST's own response
    (key,) = service.stored
    service.push(key, "Hi, this is Mei from the Shenzhen team.")
    data = client.get(f"/api/history?after={cursor}").json()
    assert [(m["direction"], m["text"], m.get("from")) for m in data["messages"]] == [
        ("out", "Hi, this is Mei from the Shenzhen team.", "staff")
    ]
    assert data["cursor"] == len(service.stored[key])
    assert client.get(f"/api/history?after={data['cursor']}").json()["messages"] == []
    assert client.get("/api/history?after=-1").status_code == 400
    assert client.get("/api/history?after=abc").status_code == 400


def test_history_is_per_cookie(app: Starlette, service: FakeService) -> None:
    with TestClient(app) as alice, TestClient(app) as bob:
        post(alice, type="text", text="deposit?")
        assert len(alice.get("/api/history").json()["messages"]) == 2
        bob.get("/")
        assert bob.get("/api/history").json()["messages"] == []
        token = alice.cookies[COOKIE_NAME]
    (key,) = service.stored
    assert key == MerchantKey("web", hashlib.sha256(token.encode()).hexdigest())
    assert token not in key.user_id  # storage never holds the cookie itself


def test_history_without_a_cookie_sets_one(client: TestClient, service: FakeService) -> None:
    response = client.get("/api/history")
    assert response.json() == {"messages": [], "locale": None, "cursor": 0}
    assert COOKIE_NAME in response.headers["set-cookie"]


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        (b"{not json", 400, "invalid_json"),
        (b"\xff\xfe", 400, "invalid_json"),
        (b"[" * 5000 + b"]" * 5000, 400, "invalid_json"),
        (b"[1, 2]", 400, "invalid_json"),
        (b'"text"', 400, "invalid_json"),
        (b"{}", 400, "unknown_type"),
        (b'{"type": "shout", "text": "hi"}', 400, "unknown_type"),
        (b'{"type": 1}', 400, "unknown_type"),
        (b'{"type": "text"}', 400, "empty_text"),
        (b'{"type": "text", "text": ""}', 400, "empty_text"),
        (b'{"type": "text", "text": " \\n\\t "}', 400, "empty_text"),
        (b'{"type": "text", "text": "\\u0000\\u0007"}', 400, "empty_text"),
        (b'{"type": "text", "text": 42}', 400, "invalid_text"),
        (b'{"type": "text", "text": "\\ud800"}', 400, "invalid_text"),
        (b'{"type": "button"}', 400, "missing_payload"),
        (b'{"type": "button", "payload": ["faq"]}', 400, "invalid_payload"),
        (b'{"type": "button", "payload": "faq:\\u0000"}', 400, "invalid_payload"),
        (b'{"type": "location", "lat": 91, "lon": 0}', 400, "invalid_location"),
        (b'{"type": "location", "lat": true, "lon": 0}', 400, "invalid_location"),
        (b'{"type": "location", "lat": "1", "lon": "2"}', 400, "invalid_location"),
        (b'{"type": "start", "id": "x"}', 400, "invalid_id"),
        (b'{"type": "start", "id": "../../etc/passwd"}', 400, "invalid_id"),
    ],
)
def test_malformed_requests_get_a_clear_4xx(
    client: TestClient, service: FakeService, body: bytes, status: int, code: str
) -> None:
    response = client.post("/api/chat", content=body, headers=JSON)
    assert response.status_code == status, response.text
    assert response.json()["error"] == code
    assert response.json()["message"]
    assert service.events == []


def test_empty_text_says_what_to_do(client: TestClient) -> None:
    response = client.post("/api/chat", json={"type": "text", "text": "   "})
    assert response.json()["message"] == "Please type a message before sending."


def test_text_length_limit(client: TestClient, service: FakeService) -> None:
    assert client.post("/api/chat", json={"type": "text", "text": "保" * 2000}).status_code == 200
    response = client.post("/api/chat", json={"type": "text", "text": "保" * 2001})
    assert response.status_code == 413 and response.json()["error"] == "text_too_long"
    assert "2000" in response.json()["message"]
    assert len(service.events) == 1


def test_payload_limit_is_64_bytes(client: TestClient, service: FakeService) -> None:
    assert post(client, type="button", payload="f" * 64)["messages"]
    response = client.post("/api/chat", json={"type": "button", "payload": "保" * 22})  # 66 B
    assert response.status_code == 400 and response.json()["error"] == "invalid_payload"
    assert [e.payload for e in service.events] == ["f" * 64]


def test_body_limit(client: TestClient, service: FakeService) -> None:
    body = json.dumps({"type": "text", "text": "a", "pad": "x" * 16 * 1024}).encode()
    response = client.post("/api/chat", content=body, headers=JSON)
    assert response.status_code == 413 and response.json()["error"] == "too_large"

    def chunks() -> Iterator[bytes]:  # no Content-Length: the limit applies while streaming
        yield b'{"type": "text", "text": "'
        for _ in range(20):
            yield b"a" * 1024
        yield b'"}'

    response = client.post("/api/chat", content=chunks(), headers=JSON)
    assert response.status_code == 413
    assert service.events == []


def test_json_content_type_is_required(client: TestClient, service: FakeService) -> None:
    body = b'{"type": "text", "text": "hi"}'
    for headers in ({"content-type": "text/plain"}, {"content-type": "application/x-www-form"}):
        response = client.post("/api/chat", content=body, headers=headers)
        assert response.status_code == 415 and response.json()["error"] == "unsupported_media_type"
    assert client.post("/api/chat", content=body, headers=JSON_UTF8).status_code == 200
    assert len(service.events) == 1


def test_unknown_fields_and_a_bad_language_hint_are_ignored(
    client: TestClient, service: FakeService
) -> None:
    post(client, type="start", lang="<script>", extra={"a": 1})
    assert service.events[0].lang_hint is None


def test_a_failing_core_gets_a_polite_503(client: TestClient, service: FakeService) -> None:
    response = client.post("/api/chat", json={"type": "text", "text": "boom"})
    assert response.status_code == 503
    assert response.json() == {"error": "unavailable", "message": UNAVAILABLE}
    assert post(client, type="text", text="deposit?")["messages"]  # and it goes on serving
    service.fail_history = True
    assert client.get("/api/history").status_code == 503


def test_unknown_routes_and_methods_are_json(client: TestClient) -> None:
    missing = client.get("/nope")
    assert missing.status_code == 404 and missing.json()["error"] == "not_found"
    wrong = client.get("/api/chat")
    assert wrong.status_code == 405 and wrong.json()["error"] == "method_not_allowed"


def test_healthz_ok(client: TestClient, health: Health) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json() == health.status


def test_healthz_not_ok(client: TestClient, health: Health) -> None:
    health.status = {"ok": False, "database": {"ok": False, "error": "OperationalError"}}
    response = client.get("/healthz")
    assert response.status_code == 503 and response.json() == health.status


def test_healthz_when_the_check_fails(client: TestClient, health: Health) -> None:
    health.error = ConnectionError("down")
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"ok": False, "error": "ConnectionError"}


def test_extra_routes_and_lifespan(service: FakeService, health: Health) -> None:
    calls: list[str] = []

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        calls.append("start")
        yield
        calls.append("stop")

    async def hook(request: Request) -> Response:
        return PlainTextResponse("hooked")

    app = create_app(service, health, routes=[Route("/hook", hook)], lifespan=lifespan)
    with TestClient(app) as client:
        assert client.get("/hook").text == "hooked"
    assert calls == ["start", "stop"]
