"""ACK_INTERVAL_SECONDS reaches the escalation through the composition root (issue 17): with 0
every message while a ticket is open is acknowledged; the default answers a burst only once."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from uuid import uuid4

import pytest
from pydantic import ValidationError
from starlette.testclient import TestClient

from bot.bootstrap import LateApp
from bot.core import texts
from bot.core.texts import t
from bot.settings import Settings
from tests.staff.conftest import late_app_with_agents

# None of these is an FAQ question or small talk: each is only relayed (and maybe acknowledged).
BURST = ("My payout is missing", "It was due on Monday", "Order 5521")


@contextmanager
def merchant(folder: Path, **settings: Any) -> Iterator[tuple[TestClient, LateApp]]:
    """A web-chat merchant of the bot built by bootstrap with ``settings``, and that bot."""
    late = late_app_with_agents(folder, {}, **settings)
    with TestClient(late) as client:
        client.get("/")  # the chat's cookie
        yield client, late


def say(client: TestClient, text: str) -> list[str]:
    """The texts the bot answers ``text`` with."""
    response = client.post("/api/chat", json={"type": "text", "text": text, "id": uuid4().hex})
    assert response.status_code == 200, response.text
    return [m["text"] for m in response.json()["messages"]]


def acks_for_a_burst(client: TestClient) -> list[list[str]]:
    """Hand over, then write ``BURST``: what each message of the burst was answered with."""
    handed = say(client, "I want to talk to a person")
    assert t("en", texts.HUMAN_REQUESTED) in handed
    return [say(client, text) for text in BURST]


def is_first_ack(answer: list[str]) -> bool:
    """True for the one-message acknowledgement naming the team and when it replies."""
    return len(answer) == 1 and answer[0].startswith(t("en", texts.ACK_FIRST, notice=""))


def test_zero_from_the_environment_acknowledges_every_message(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ACK_INTERVAL_SECONDS", "0")
    with merchant(tmp_path) as (client, late):
        assert late.settings.ack_interval_seconds == 0
        first, *later = acks_for_a_burst(client)
        assert is_first_ack(first)
        assert later == [[t("en", texts.ACK_ADDED)]] * len(later)


def test_the_default_acknowledges_a_burst_once(tmp_path: Path) -> None:
    with merchant(tmp_path) as (client, late):
        assert late.settings.ack_interval_seconds == 300
        first, *later = acks_for_a_burst(client)
        assert is_first_ack(first)
        assert later == [[]] * len(later)  # relayed to staff, no bot text in between


@pytest.mark.parametrize("seconds", [-1, 86401])
def test_an_interval_outside_zero_to_a_day_is_refused(seconds: int) -> None:
    with pytest.raises(ValidationError, match="ack_interval_seconds"):
        Settings(database_url="sqlite+aiosqlite://", ack_interval_seconds=seconds)
    day = Settings(database_url="sqlite+aiosqlite://", ack_interval_seconds=86400)
    assert day.ack_interval_seconds == 86400
