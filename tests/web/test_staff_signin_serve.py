"""``merchant-bot serve``'s staff sign-in under a burst: the real wiring of the limits."""

from __future__ import annotations

import re
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from tests.web.serving import free_port, start_server, stop

CSRF_RE = re.compile(r'name="csrf" value="([^"]+)"')


def sign_in_form(port: int) -> tuple[str, str]:
    """A fresh browser's sign-in form: its cookie and CSRF token."""
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/staff/login", timeout=10) as r:
        cookie = r.headers["set-cookie"].split(";")[0]
        found = CSRF_RE.search(r.read().decode())
    assert found is not None
    return cookie, found.group(1)


def post_sign_in(port: int, form: tuple[str, str], forwarded_for: str = "") -> tuple[int, str]:
    """A wrong sign-in: the status and Retry-After."""
    cookie, csrf = form
    body = urllib.parse.urlencode({"username": "nobody", "password": "guess", "csrf": csrf})
    headers = {"cookie": cookie, "content-type": "application/x-www-form-urlencoded"}
    if forwarded_for:  # as a reverse proxy on this machine would (uvicorn trusts 127.0.0.1)
        headers["x-forwarded-for"] = forwarded_for
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/staff/login", data=body.encode(), headers=headers
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as r:
            return r.status, r.headers.get("retry-after", "")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers.get("retry-after", "")


def test_eleven_sign_ins_at_once_from_one_address_the_eleventh_is_429(tmp_path: Path) -> None:
    port = free_port()
    proc = start_server(tmp_path, port)
    try:
        forms = [sign_in_form(port) for _ in range(11)]
        with ThreadPoolExecutor(11) as pool:
            answers = list(pool.map(lambda form: post_sign_in(port, form), forms))
        assert Counter(status for status, _ in answers) == {401: 10, 429: 1}
        [retry] = [retry for status, retry in answers if status == 429]
        assert 0 < int(retry) <= 60  # seconds until the oldest of the ten leaves the minute
        # A client behind the (trusted, local) proxy is counted by its own address.
        assert post_sign_in(port, forms[0], forwarded_for="203.0.113.5")[0] == 401
        assert post_sign_in(port, forms[0])[0] == 429
    finally:
        stop(proc)
