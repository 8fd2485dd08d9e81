"""POST /staff/login under a flood: 429 with Retry-After per address, 429 when the gate is full."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from starlette.requests import Request
from starlette.testclient import TestClient

from bot.web.staff.signin import BUSY, client_address
from tests.conversing import run
from tests.staff.conftest import PASSWORD, Console, csrf_of

LOGIN = "/staff/login"


@pytest.fixture
def alice(console: Console) -> str:
    console.add("alice", "agent", "default")
    return "alice"


def browser(console: Console, address: str) -> TestClient:
    return TestClient(console.app, follow_redirects=False, client=(address, 50000))


def attempt(client: TestClient, username: str, password: str) -> tuple[int, str, str | None]:
    """One sign-in through the form (with its CSRF token): status, page, Retry-After."""
    form = client.get(LOGIN)
    response = client.post(
        LOGIN, data={"username": username, "password": password, "csrf": csrf_of(form.text)}
    )
    return response.status_code, response.text, response.headers.get("retry-after")


def failed_logins(console: Console, username: str) -> int:
    async def get() -> int:
        async with console.store.uow() as uow:
            account = await uow.staff.get(username)
        assert account is not None
        return account.failed_logins

    return run(get())


@pytest.fixture
def attacker(console: Console) -> Iterator[TestClient]:
    with browser(console, "198.51.100.7") as client:
        yield client


def test_the_eleventh_attempt_in_a_minute_from_one_address_is_refused_with_retry_after(
    console: Console, attacker: TestClient, alice: str
) -> None:
    for i in range(10):
        assert attempt(attacker, "nobody", f"guess number {i}")[0] == 401
        console.ticker.advance(1)
    status, page, retry = attempt(attacker, alice, PASSWORD)  # even the right password
    assert (status, retry) == (429, "50")
    assert "Too many sign-in attempts" in page and "Try again in 50 seconds." in page
    assert 'name="csrf"' in page  # the form is still there, ready for later
    console.ticker.advance(50)
    assert attempt(attacker, alice, PASSWORD)[0] == 303


def test_another_address_is_not_held_up_by_an_attacker(
    console: Console, attacker: TestClient, alice: str
) -> None:
    for i in range(10):
        attempt(attacker, alice, f"guess number {i}")
    assert attempt(attacker, alice, "guess number 10")[0] == 429
    with browser(console, "203.0.113.20") as colleague:
        assert attempt(colleague, "nobody", "a typo")[0] == 401
        # (alice was locked by the attacker's first five guesses: that is the lock-out's job)
        console.add("bob", "agent", "default")
        assert attempt(colleague, "bob", PASSWORD)[0] == 303


def test_refused_attempts_check_no_password_and_count_no_failure(
    console: Console, attacker: TestClient, alice: str
) -> None:
    for _ in range(10):
        console.ticker.advance(6)  # one every 6 s: always allowed
        assert attempt(attacker, "nobody", "a wrong guess")[0] == 401
    for _ in range(20):  # ten more at once: refused, with the wait of the oldest
        assert attempt(attacker, alice, "a wrong guess")[:3:2] == (429, "6")
    assert console.gate.admitted == 0
    assert failed_logins(console, alice) == 0  # alice was never tried: not locked


def test_a_full_hash_gate_answers_429_at_once(
    console: Console, attacker: TestClient, alice: str
) -> None:
    release = threading.Event()
    held = [console.gate.submit(lambda: release.wait(30)) for _ in range(10)]  # 2 run, 8 wait
    try:
        status, page, retry = attempt(attacker, alice, PASSWORD)
        assert (status, retry) == (429, "2")
        assert BUSY in page
        assert failed_logins(console, alice) == 0
    finally:
        release.set()
    for future in held:
        assert future.result(timeout=30) is True
    assert attempt(attacker, alice, PASSWORD)[0] == 303


def test_expired_forms_are_not_counted_as_attempts(
    console: Console, attacker: TestClient, alice: str
) -> None:
    for _ in range(20):
        data = {"username": alice, "password": PASSWORD, "csrf": "x" * 43}
        assert attacker.post(LOGIN, data=data).status_code == 403
    assert attempt(attacker, alice, PASSWORD)[0] == 303


def request_from(host: str) -> Request:
    return Request({"type": "http", "method": "POST", "headers": [], "client": (host, 1)})


@pytest.mark.parametrize(
    ("host", "key"),
    [
        ("198.51.100.7", "198.51.100.7"),
        ("2001:db8:1:2:aaaa::1", "2001:db8:1:2::/64"),
        ("2001:db8:1:2:ffff:ffff:ffff:ffff", "2001:db8:1:2::/64"),  # same /64: same allowance
        ("2001:db8:1:3::1", "2001:db8:1:3::/64"),
        ("::ffff:198.51.100.7", "198.51.100.7"),  # IPv4 over an IPv6 socket
        ("testclient", "testclient"),
        ("", "unknown"),
    ],
)
def test_attempts_are_counted_per_ip_and_per_ipv6_64(host: str, key: str) -> None:
    assert client_address(request_from(host)) == key
