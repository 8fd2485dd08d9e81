"""Who may do what in the console: sessions, cookies, CSRF, teams, disabled accounts."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from starlette.testclient import TestClient

from tests.staff.conftest import PASSWORD, Console, csrf_of, sign_in

LOGIN = "/staff/login"


@pytest.fixture
def ticket_id(console: Console) -> int:
    """An English merchant's ticket, in the default team's queue."""
    console.add("alice", "agent", "default")
    console.add("kim", "agent", "seoul")
    console.add("root", "admin")
    return console.escalate("merchant-1").id


def messages_of(console: Console, user: str = "merchant-1") -> list[str]:
    return [m.text for m in console.history(user)]


# -- no session ------------------------------------------------------------------------------


def test_pages_send_a_signed_out_browser_to_the_sign_in_form(
    client: TestClient, ticket_id: int
) -> None:
    queue = client.get("/staff/?status=open")
    assert queue.status_code == 303
    assert queue.headers["location"] == f"{LOGIN}?next=%2Fstaff%2F%3Fstatus%3Dopen"
    page = client.get(f"/staff/tickets/{ticket_id}")
    assert page.headers["location"] == f"{LOGIN}?next=%2Fstaff%2Ftickets%2F{ticket_id}"
    assert client.get("/staff", follow_redirects=True).url.path == LOGIN


@pytest.mark.parametrize("path", ["/staff/queue.json", "/staff/tickets/{id}/thread.json"])
def test_json_endpoints_answer_401_without_a_session(
    client: TestClient, ticket_id: int, path: str
) -> None:
    response = client.get(path.format(id=ticket_id))
    assert response.status_code == 401
    assert response.json()["error"] == "signed_out"


def test_actions_without_a_session_change_nothing(
    client: TestClient, console: Console, ticket_id: int
) -> None:
    before = messages_of(console)
    form = client.post(f"/staff/tickets/{ticket_id}/reply", data={"text": "hi", "csrf": "x"})
    assert form.status_code == 303 and form.headers["location"].startswith(LOGIN)
    fetch = client.post(
        f"/staff/tickets/{ticket_id}/claim",
        data={"csrf": "x"},
        headers={"accept": "application/json"},
    )
    assert fetch.status_code == 401
    assert messages_of(console) == before
    assert console.ticket(ticket_id).assignee is None


# -- signing in ------------------------------------------------------------------------------


def test_sign_in_sets_an_http_only_same_site_cookie(client: TestClient, ticket_id: int) -> None:
    form = client.get(LOGIN)
    done = client.post(
        LOGIN, data={"username": "alice", "password": PASSWORD, "csrf": csrf_of(form.text)}
    )
    assert done.status_code == 303 and done.headers["location"] == "/staff/"
    cookie = next(c for c in done.headers.get_list("set-cookie") if c.startswith("mb_staff="))
    attributes = {a.strip().lower() for a in cookie.split(";")[1:]}
    assert {"httponly", "samesite=lax", "path=/"} <= attributes
    assert "secure" not in attributes  # plain http (a laptop): browsers would drop it
    assert client.get("/staff/").status_code == 200


def test_over_https_the_cookies_are_secure_and_host_prefixed(console: Console) -> None:
    console.add("alice", "agent", "default")
    with TestClient(console.app, base_url="https://testserver", follow_redirects=False) as c:
        form = c.get(LOGIN)
        login_cookie = form.headers["set-cookie"]
        assert login_cookie.startswith("__Host-mb_staff_login=") and "Secure" in login_cookie
        done = c.post(
            LOGIN, data={"username": "alice", "password": PASSWORD, "csrf": csrf_of(form.text)}
        )
        session = [h for h in done.headers.get_list("set-cookie") if "__Host-mb_staff=" in h]
        assert len(session) == 1 and "Secure" in session[0] and "HttpOnly" in session[0]
        assert c.get("/staff/").status_code == 200


def test_a_wrong_password_shows_one_message_for_every_failure(
    client: TestClient, ticket_id: int
) -> None:
    form = client.get(LOGIN)
    token = csrf_of(form.text)
    wrong = client.post(LOGIN, data={"username": "alice", "password": "nope", "csrf": token})
    unknown = client.post(LOGIN, data={"username": "ghost", "password": "nope", "csrf": token})
    for response in (wrong, unknown):
        assert response.status_code == 401
        assert "Wrong username or password" in response.text
        assert "mb_staff=" not in response.headers.get("set-cookie", "")
    assert 'value="alice"' in wrong.text  # the username is kept, the password is not
    assert "nope" not in wrong.text


def test_the_sign_in_form_needs_its_csrf_token(client: TestClient, ticket_id: int) -> None:
    client.get(LOGIN)  # the cookie half of the token
    for token in ("", "A" * 43):
        response = client.post(
            LOGIN, data={"username": "alice", "password": PASSWORD, "csrf": token}
        )
        assert response.status_code == 403
    assert client.get("/staff/").status_code == 303  # not signed in


@pytest.mark.parametrize(
    ("next_url", "lands"),
    [
        ("/staff/tickets/1", "/staff/tickets/1"),
        ("/staff/?team=default&status=open", "/staff/?team=default&status=open"),
        ("https://evil.example/staff/", "/staff/"),
        ("//evil.example/staff/", "/staff/"),
        ("/staff//evil.example", "/staff/"),
        ("/other", "/staff/"),
    ],
)
def test_after_sign_in_only_console_pages_are_followed(
    client: TestClient, ticket_id: int, next_url: str, lands: str
) -> None:
    form = client.get(LOGIN, params={"next": next_url})
    done = client.post(
        LOGIN,
        data={
            "username": "alice",
            "password": PASSWORD,
            "csrf": csrf_of(form.text),
            "next": next_url,
        },
    )
    assert done.headers["location"] == lands


def test_a_signed_in_browser_skips_the_sign_in_form(client: TestClient, ticket_id: int) -> None:
    sign_in(client, "alice")
    assert client.get(LOGIN).headers["location"] == "/staff/"


def test_sign_out_needs_the_csrf_token_and_ends_the_session(
    client: TestClient, ticket_id: int
) -> None:
    csrf = sign_in(client, "alice")
    assert client.post("/staff/logout", data={"csrf": "forged" * 7}).status_code == 403
    assert client.get("/staff/").status_code == 200
    old = dict(client.cookies)
    out = client.post("/staff/logout", data={"csrf": csrf})
    assert out.status_code == 303 and out.headers["location"] == LOGIN
    assert 'mb_staff=""' in out.headers["set-cookie"] or "Max-Age=0" in out.headers["set-cookie"]
    client.cookies.update(old)  # a copied cookie is worthless now
    assert client.get("/staff/").status_code == 303


def test_an_expired_session_goes_back_to_sign_in(
    client: TestClient, console: Console, ticket_id: int
) -> None:
    from datetime import timedelta

    sign_in(client, "alice")
    console.clock.advance(timedelta(hours=12, minutes=1))
    assert client.get("/staff/").headers["location"].startswith(LOGIN)


# -- teams -----------------------------------------------------------------------------------


def test_another_teams_ticket_is_a_404_exactly_like_a_missing_one(
    client: TestClient, console: Console, ticket_id: int
) -> None:
    csrf = sign_in(client, "kim")  # Seoul team; the ticket is the default team's
    hidden = client.get(f"/staff/tickets/{ticket_id}")
    missing = client.get("/staff/tickets/999")
    assert hidden.status_code == missing.status_code == 404
    assert f"There is no ticket {ticket_id}." in hidden.text
    same = missing.text.replace("ticket 999", f"ticket {ticket_id}")
    assert hidden.text == same.replace("/tickets/999", f"/tickets/{ticket_id}")  # (language form)
    for path in (f"/staff/tickets/{ticket_id}/thread.json", "/staff/tickets/999/thread.json"):
        assert client.get(path).status_code == 404
    claim = client.post(f"/staff/tickets/{ticket_id}/claim", data={"csrf": csrf})
    reply = client.post(f"/staff/tickets/{ticket_id}/reply", data={"csrf": csrf, "text": "hi"})
    assert claim.status_code == reply.status_code == 404
    assert console.ticket(ticket_id).assignee is None
    assert "hi" not in messages_of(console)


def test_the_queue_lists_only_the_agents_teams(
    client: TestClient, console: Console, ticket_id: int
) -> None:
    korean = console.escalate("merchant-ko", "상담원 연결해 주세요").id
    sign_in(client, "kim")
    shown = ids_in(client.get("/staff/queue.json?team=default").json())
    assert shown == [korean]  # asking for another team's queue does not widen the view
    sign_in(client, "root")
    assert ids_in(client.get("/staff/queue.json").json()) == [ticket_id, korean]


def ids_in(data: dict[str, list[dict[str, int]]]) -> list[int]:
    return [t["id"] for t in data["tickets"]]


def test_a_disabled_account_is_sent_back_to_sign_in_at_once(
    client: TestClient, console: Console, ticket_id: int
) -> None:
    csrf = sign_in(client, "alice")
    assert client.get(f"/staff/tickets/{ticket_id}").status_code == 200
    run_disable(console, "alice")
    assert client.get(f"/staff/tickets/{ticket_id}").headers["location"].startswith(LOGIN)
    assert client.get("/staff/queue.json").status_code == 401
    reply = client.post(f"/staff/tickets/{ticket_id}/reply", data={"csrf": csrf, "text": "late"})
    assert reply.status_code == 303 and reply.headers["location"].startswith(LOGIN)
    assert "late" not in messages_of(console)


def run_disable(console: Console, username: str) -> None:
    from tests.conversing import run

    run(console.accounts.disable(username))


# -- CSRF ------------------------------------------------------------------------------------


@pytest.fixture
def alice(client: TestClient, ticket_id: int) -> Iterator[tuple[TestClient, str]]:
    yield client, sign_in(client, "alice")


@pytest.mark.parametrize(
    "data",
    [{"text": "hello"}, {"text": "hello", "csrf": ""}, {"text": "hello", "csrf": "A" * 43}],
    ids=["missing", "empty", "forged"],
)
def test_posts_without_the_sessions_csrf_token_are_refused(
    alice: tuple[TestClient, str], console: Console, ticket_id: int, data: dict[str, str]
) -> None:
    client, _ = alice
    response = client.post(f"/staff/tickets/{ticket_id}/reply", data=data)
    assert response.status_code == 403
    assert "security token" in response.text
    assert "hello" not in messages_of(console)


def test_another_sessions_csrf_token_is_refused(
    console: Console, alice: tuple[TestClient, str], ticket_id: int
) -> None:
    client, _ = alice
    with TestClient(console.app, follow_redirects=False) as other:
        roots = sign_in(other, "root")
    response = client.post(f"/staff/tickets/{ticket_id}/claim", data={"csrf": roots})
    assert response.status_code == 403
    assert console.ticket(ticket_id).assignee is None


def test_fetch_sends_the_token_in_a_header(
    alice: tuple[TestClient, str], console: Console, ticket_id: int
) -> None:
    client, csrf = alice
    headers = {"accept": "application/json", "x-csrf-token": "A" * 43}
    forged = client.post(f"/staff/tickets/{ticket_id}/note", data={"text": "n"}, headers=headers)
    assert forged.status_code == 403 and forged.json()["error"] == "csrf"
    headers["x-csrf-token"] = csrf
    ok = client.post(f"/staff/tickets/{ticket_id}/note", data={"text": "n"}, headers=headers)
    assert ok.status_code == 200 and ok.json() == {"ok": True}
    assert [e.action for e in console.events(ticket_id)][-1] == "note"


def test_forms_must_be_url_encoded_and_small(alice: tuple[TestClient, str], ticket_id: int) -> None:
    client, csrf = alice
    url = f"/staff/tickets/{ticket_id}/reply"
    as_json = client.post(url, json={"csrf": csrf, "text": "hi"})
    assert as_json.status_code == 415
    huge = client.post(url, data={"csrf": csrf, "text": "x" * 70_000})
    assert huge.status_code == 413
    assert client.post(f"/staff/tickets/{ticket_id}/dance", data={"csrf": csrf}).status_code == 404


# -- pages -----------------------------------------------------------------------------------


def test_pages_are_uncached_and_run_under_the_content_security_policy(
    alice: tuple[TestClient, str], ticket_id: int
) -> None:
    client, _ = alice
    with TestClient(client.app) as fresh:
        login = fresh.get(LOGIN)
    for response in (client.get("/staff/"), client.get(f"/staff/tickets/{ticket_id}"), login):
        assert response.status_code == 200
        assert response.headers["cache-control"] == "no-store"
        assert "script-src 'self'" in response.headers["content-security-policy"]
        assert "form-action 'self'" in response.headers["content-security-policy"]
        # Nothing inline that the policy would block: scripts and styles come from files.
        assert re.search(r"<script(?![^>]*\bsrc=)", response.text) is None
        assert " style=" not in response.text and "<style" not in response.text
        assert re.search(r"\son[a-z]+=", response.text) is None
    static = client.get("/staff/static/console.js")
    assert static.status_code == 200 and "javascript" in static.headers["content-type"]
