"""Bad input on the staff console's forms and the macros file, systematically (Hypothesis).

Whatever a browser posts to sign-in or a ticket's actions (any fields, any values, any bytes):
never a 5xx or a traceback; a refusal is an HTML page or JSON with the reason; a refused post
changes nothing (no message, no audit event, no outbox item); a reply with weird but valid text
is stored once and queued for the merchant.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from starlette.testclient import TestClient

from bot.core.desk import MAX_REPLY
from bot.staff.macros import load_macros
from tests.conftest import FAQ_DIR
from tests.staff.conftest import PASSWORD, Console, sign_in
from tests.yaml_cases import YAML_BITS, assert_placed, mutated

ACTIONS = st.sampled_from(["claim", "assign", "reply", "note", "transfer", "resolve", "retry"])
FIELD_NAMES = st.sampled_from(["csrf", "text", "username", "team", "message_id", "password"])
WEIRD = st.text(
    st.characters(codec="utf-8")
    | st.sampled_from("保证金보증금عربيעברית🙂👨‍👩‍👧\u200f\u202e\x00\x01\x1b\t\n\r"),
    max_size=120,
) | st.builds(lambda s, n: (s * n)[: MAX_REPLY + 20], st.text(min_size=1, max_size=4),
              st.integers(900, 4100))  # fmt: skip


def snapshot(console: Console) -> tuple[int, int, int]:
    state = console.store.committed
    return len(state.messages), len(state.events), len(state.outbox)


def assert_clear(response: Any) -> None:
    assert response.status_code < 500, (response.status_code, response.text[:300])
    assert "Traceback" not in response.text and 'File "' not in response.text
    if response.status_code >= 400:
        kind = response.headers["content-type"]
        if kind.startswith("application/json"):
            data = response.json()
            assert data["error"] and data["message"]
        else:
            assert kind.startswith("text/html") and "<title>" in response.text


@pytest.fixture
def desk(console: Console, client: TestClient) -> dict[str, Any]:
    console.add("root", "admin")
    ticket = console.escalate("merchant-1")
    return {"csrf": sign_in(client, "root"), "ticket": ticket.id}


@given(
    action=ACTIONS,
    fields=st.dictionaries(FIELD_NAMES, WEIRD, max_size=4),
    with_csrf=st.booleans(),
    as_json=st.booleans(),
)
def test_any_action_form_is_done_or_refused_cleanly(
    console: Console, client: TestClient, desk: dict[str, Any], action: str,
    fields: dict[str, str], with_csrf: bool, as_json: bool,
) -> None:  # fmt: skip
    before = snapshot(console)
    data = fields | ({"csrf": desk["csrf"]} if with_csrf else {})
    headers = {"accept": "application/json"} if as_json else {}
    response = client.post(f"/staff/tickets/{desk['ticket']}/{action}", data=data, headers=headers)
    assert_clear(response)
    if response.status_code >= 400:
        assert snapshot(console) == before, "a refused action changed something"


@given(
    body=st.binary(max_size=300),
    content_type=st.sampled_from(
        ["application/x-www-form-urlencoded", "multipart/form-data", "text/plain", ""]
    ),
    path=st.sampled_from(["/staff/login", "/staff/logout", "/staff/tickets/1/reply",
                          "/staff/tickets/99999999999999999999/note", "/staff/tickets/x/claim"]),
)  # fmt: skip
def test_any_bytes_to_any_form_are_refused_cleanly(
    console: Console, client: TestClient, desk: dict[str, Any], body: bytes, content_type: str,
    path: str,
) -> None:  # fmt: skip
    before = snapshot(console)
    headers = {"content-type": content_type} if content_type else {}
    response = client.post(path, content=body, headers=headers)
    assert_clear(response)
    assert snapshot(console) == before


@given(username=WEIRD, password=WEIRD | st.just(PASSWORD))
def test_any_sign_in_is_refused_cleanly(
    console: Console, client: TestClient, desk: dict[str, Any], username: str, password: str
) -> None:
    client.cookies.clear()  # a signed-out browser
    form = client.get("/staff/login")
    csrf = form.text.split('name="csrf" value="')[1].split('"')[0]
    console.ticker.advance(3600)  # past the sign-in limiter's window
    response = client.post(
        "/staff/login", data={"username": username, "password": password, "csrf": csrf}
    )
    assert_clear(response)
    if response.status_code == 303:  # only root's right password signs in
        assert username.strip().lower() == "root" and password == PASSWORD


@given(text=WEIRD)
def test_a_reply_with_any_text_is_stored_once_or_refused(
    console: Console, client: TestClient, desk: dict[str, Any], text: str
) -> None:
    before = snapshot(console)
    response = client.post(
        f"/staff/tickets/{desk['ticket']}/reply", data={"csrf": desk["csrf"], "text": text}
    )
    assert_clear(response)
    if response.status_code == 303:
        messages, _events, outbox = snapshot(console)
        assert (messages, outbox) == (before[0] + 1, before[2] + 1)
        assert console.store.committed.messages[-1].text == text.strip()
    else:
        assert response.status_code == 409  # empty or too long, said on the page
        assert snapshot(console) == before


SHIPPED_MACROS = {"macros.yaml": (FAQ_DIR / "macros.yaml").read_text(encoding="utf-8")}


@given(
    text=mutated(SHIPPED_MACROS)
    | st.text(max_size=300)
    | st.lists(YAML_BITS, max_size=30).map("".join)
)
def test_any_macros_text_loads_or_gives_placed_problems(text: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "macros.yaml"
        path.write_bytes(text.encode("utf-8", "surrogatepass"))
        macros, problems = load_macros(path)
        if macros is None:
            assert_placed(problems, {path.name})
