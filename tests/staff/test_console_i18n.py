"""The console in the agent's language: chosen in the console, remembered in a cookie, the
browser's Accept-Language until then; Babel dates and durations; the locked account's message."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from markupsafe import escape
from starlette.testclient import TestClient

from bot.i18n import UI_LOCALES
from tests.conversing import run
from tests.staff.conftest import PASSWORD, Console, csrf_of, sign_in

# Per locale: the queue's heading, the ticket page's heading, a summary label, "3 hours" (Babel)
# and the sign-in button; none of them English outside "en".
SEEN = {
    "en": ("Queue", "Ticket #{n}", "Assignee", "3 hours", "Sign in"),
    "ko": ("대기열", "티켓 #{n}", "담당자", "3시간", "로그인"),
    "zh_Hans": ("队列", "工单 #{n}", "负责人", "3小时", "登录"),
    "zh_Hant": ("佇列", "工單 #{n}", "負責人", "3 小時", "登入"),
}
HTML_LANG = {"en": "en", "ko": "ko", "zh_Hans": "zh-Hans", "zh_Hant": "zh-Hant"}
ENGLISH_LABELS = ("Sign out", "Assigned to me", "Last message", "Internal note", "Send reply")


@pytest.fixture
def staffed(console: Console) -> Console:
    console.add("alice", "agent", "default")
    console.add("root", "admin")
    return console


def choose(client: TestClient, locale: str, csrf: str, back: str = "/staff/") -> Any:
    return client.post("/staff/language", data={"lang": locale, "csrf": csrf, "next": back})


@pytest.mark.parametrize("locale", UI_LOCALES)
def test_every_console_page_in_the_agent_s_language(
    staffed: Console, client: TestClient, locale: str
) -> None:
    ticket = staffed.escalate("m-en").id
    staffed.clock.advance(timedelta(hours=3))
    csrf = sign_in(client, "alice")
    chosen = choose(client, locale, csrf, f"/staff/tickets/{ticket}")
    assert chosen.status_code == 303 and chosen.headers["location"] == f"/staff/tickets/{ticket}"
    queue_title, ticket_title, label, waited, sign_in_label = SEEN[locale]

    page = client.get("/staff/")
    assert page.headers["content-language"] == HTML_LANG[locale]
    assert f'<html lang="{HTML_LANG[locale]}">' in page.text
    assert f"<h1>{queue_title} " in page.text
    row = client.get("/staff/queue.json").json()["tickets"][0]
    assert row["waiting"] == waited and row["overdue"]

    page = client.get(f"/staff/tickets/{ticket}")
    assert ticket_title.format(n=ticket) in page.text and f"<dt>{label}</dt>" in page.text
    data = client.get(f"/staff/tickets/{ticket}/thread.json").json()
    assert label in data["html"]["summary"]
    if locale != "en":
        for english in ENGLISH_LABELS:
            assert english not in page.text, english
    # the selector shows every language by its own name, the chosen one selected
    assert re.search(rf'<option value="{locale}"[^>]*selected>', page.text)

    client.post("/staff/logout", data={"csrf": csrf})
    assert f">{sign_in_label}</button>" in client.get("/staff/login").text


def test_dates_and_times_are_babel_s_in_the_agent_s_locale(
    staffed: Console, client: TestClient
) -> None:
    ticket = staffed.escalate("m-en").id
    staffed.clock.advance(timedelta(days=3))
    csrf = sign_in(client, "alice")
    choose(client, "zh_Hans", csrf)
    client.cookies.set("mb_staff_tz", "Asia/Shanghai")
    opened = staffed.ticket(ticket).created_at
    page = client.get(f"/staff/tickets/{ticket}").text
    from bot.formatting import when

    assert when(opened, "zh_Hans", "Asia/Shanghai") in page  # "2026年11月25日 17:05:00"
    assert when(opened, "en", "Asia/Shanghai") not in page
    assert "3天" in client.get("/staff/queue.json").json()["tickets"][0]["waiting"]


def test_the_browser_s_language_is_the_default_until_the_agent_chooses(
    staffed: Console, client: TestClient
) -> None:
    client.headers["accept-language"] = "ko-KR,ko;q=0.9,en;q=0.5"
    form = client.get("/staff/login")
    assert ">로그인</button>" in form.text and '<html lang="ko">' in form.text
    # chosen on the sign-in page already (its form's CSRF token), kept after signing in
    assert choose(client, "zh_Hant", csrf_of(form.text), "/staff/login").status_code == 303
    assert ">登入</button>" in client.get("/staff/login").text
    done = client.post(
        "/staff/login",
        data={"username": "alice", "password": PASSWORD, "csrf": csrf_of(form.text)},
    )
    assert done.status_code == 303
    assert "<h1>佇列 " in client.get("/staff/").text


def test_choosing_a_language_needs_the_form_s_token(staffed: Console, client: TestClient) -> None:
    sign_in(client, "alice")
    refused = choose(client, "ko", "forged")
    assert refused.status_code == 403
    assert "<h1>Queue " in client.get("/staff/").text
    unknown = choose(client, "fr", csrf_of(client.get("/staff/").text))
    assert unknown.status_code == 303 and "<h1>Queue " in client.get("/staff/").text


def test_errors_and_refusals_are_in_the_agent_s_language(
    staffed: Console, client: TestClient
) -> None:
    ticket = staffed.escalate("m-en").id
    csrf = sign_in(client, "alice")
    choose(client, "ko", csrf)
    empty = client.post(
        f"/staff/tickets/{ticket}/reply",
        data={"csrf": csrf, "text": "   "},
        headers={"accept": "application/json"},
    )
    assert empty.status_code == 409 and empty.json()["message"] == "답장이 비어 있습니다"
    missing = client.get("/staff/tickets/999")
    assert missing.status_code == 404 and "999번 티켓이 없습니다." in missing.text
    assert (
        client.get("/staff/tickets/999/thread.json").json()["message"] == "999번 티켓이 없습니다."
    )


# -- a locked account is told so; an unknown name is not told anything new ---------------------


def attempt(client: TestClient, username: str, password: str) -> tuple[int, str]:
    """One sign-in from a fresh browser (each test client is its own address: the tests keep
    under the ten a minute)."""
    client.cookies.clear()
    form = client.get("/staff/login")
    csrf = csrf_of(form.text)
    done = client.post(
        "/staff/login", data={"username": username, "password": password, "csrf": csrf}
    )
    return done.status_code, done.text


WRONG = "Wrong username or password. After 5 failed attempts an account is locked for 15 minutes."


def test_a_locked_account_is_told_until_when_and_for_how_long(
    staffed: Console, client: TestClient
) -> None:
    for i in range(4):
        status, page = attempt(client, "alice", f"wrong {i}")
        assert status == 401 and str(escape(WRONG)) in page
    status, page = attempt(client, "alice", "wrong 5")  # the fifth locks it
    assert status == 401 and "This account is locked" in page
    until = run(staffed.auth.locked_until("alice"))
    assert until is not None
    from bot.formatting import clock

    for password in (PASSWORD, "still wrong"):  # the right password too
        status, page = attempt(client, "alice", password)
        assert status == 401
        expected = (
            "This account is locked after too many failed sign-ins. "
            f"Try again at {clock(until, 'en')} (in 15 minutes)."
        )
        assert str(escape(expected)) in page
    staffed.clock.advance(timedelta(minutes=5))
    staffed.ticker.advance(60)  # (the address's sign-in allowance)
    assert "(in 10 minutes)" in attempt(client, "alice", PASSWORD)[1]
    staffed.clock.advance(timedelta(minutes=10, seconds=1))
    assert attempt(client, "alice", PASSWORD)[0] == 303


def test_an_unknown_name_gets_the_same_answer_as_a_wrong_password(
    staffed: Console, client: TestClient
) -> None:
    unknown = attempt(client, "nobody", PASSWORD)
    wrong = attempt(client, "alice", "wrong")
    assert unknown[0] == wrong[0] == 401
    assert str(escape(WRONG)) in unknown[1]
    assert unknown[1].replace("nobody", "alice") == wrong[1].replace(
        csrf_of(wrong[1]), csrf_of(unknown[1])
    )  # the same page but for the name typed (and the form's fresh token)
    for _ in range(7):  # however often: an unknown name is never "locked"
        status, page = attempt(client, "nobody", "x")
        assert status == 401 and "locked after" not in page and str(escape(WRONG)) in page


def test_the_locked_message_in_traditional_chinese(staffed: Console, client: TestClient) -> None:
    client.headers["accept-language"] = "zh-TW"
    for i in range(5):
        attempt(client, "alice", f"wrong {i}")
    status, page = attempt(client, "alice", PASSWORD)
    assert status == 401
    assert "登入失敗次數過多，此帳號已被鎖定。" in page and "15 分鐘" in page
    assert "使用者名稱或密碼錯誤" in attempt(client, "nobody", PASSWORD)[1]


def test_a_disabled_account_is_not_told_it_is_locked(staffed: Console, client: TestClient) -> None:
    for i in range(5):
        attempt(client, "alice", f"wrong {i}")
    run(staffed.accounts.disable("alice"))
    status, page = attempt(client, "alice", PASSWORD)
    assert status == 401 and "locked after" not in page and str(escape(WRONG)) in page
