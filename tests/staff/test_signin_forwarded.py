"""Behind the compose file's proxy the sign-in limit counts the forwarded client's address:
uvicorn configured as ``merchant-bot serve`` configures it, with the compose file's
FORWARDED_ALLOW_IPS, in front of the real console."""

from __future__ import annotations

from typing import Any

import pytest
import uvicorn
from starlette.testclient import TestClient

from tests.staff.conftest import PASSWORD, Console
from tests.staff.test_signin_limits import attempt
from tests.test_deploy import compose

PROXY = ("172.18.0.5", 41000)  # Caddy, as Docker numbers a compose network


def served(console: Console, monkeypatch: pytest.MonkeyPatch) -> Any:
    """The console as uvicorn serves it in a replica of deploy/compose.yaml."""
    environment = compose()["services"]["bot"]["environment"]
    if "FORWARDED_ALLOW_IPS" in environment:
        monkeypatch.setenv("FORWARDED_ALLOW_IPS", str(environment["FORWARDED_ALLOW_IPS"]))
    else:  # uvicorn's default then: 127.0.0.1 and ::1
        monkeypatch.delenv("FORWARDED_ALLOW_IPS", raising=False)
    config = uvicorn.Config(console.app, proxy_headers=True, log_config=None)  # as serve's
    config.load()
    return config.loaded_app


def via_proxy(app: Any, client: str) -> TestClient:
    """A browser at ``client``, its requests passed on by the proxy."""
    return TestClient(
        app, follow_redirects=False, client=PROXY, headers={"X-Forwarded-For": client}
    )


def test_one_client_flooding_through_the_proxy_does_not_lock_out_another(
    console: Console, monkeypatch: pytest.MonkeyPatch
) -> None:
    through_proxy = served(console, monkeypatch)
    console.add("alice", "agent", "default")
    with via_proxy(through_proxy, "198.51.100.7") as attacker:
        for i in range(10):
            assert attempt(attacker, "nobody", f"guess number {i}")[0] == 401
        assert attempt(attacker, "nobody", "guess number 10")[0] == 429
    with via_proxy(through_proxy, "203.0.113.20") as colleague:
        assert attempt(colleague, "alice", PASSWORD)[0] == 303
