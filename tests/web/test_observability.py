"""Observability through the real app (the composition root): GET /metrics after a chat and a
hand-over, its switches, and one request id on every log line of a request."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from prometheus_client.parser import text_string_to_metric_families
from starlette.testclient import TestClient

from bot import logs
from bot.bootstrap import LateApp
from bot.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
QUESTION = "How much is the security deposit?"
PERSON = "I want to talk to a person"


def settings(tmp_path: Path, **more: Any) -> Settings:
    return Settings(
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}",
        faq_dir=ROOT / "faq",
        snapshot_dir=tmp_path / "snapshots",
        matcher_encoder="none",
        **more,
    )


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    with TestClient(LateApp(settings(tmp_path))) as c:
        yield c


def scrape(client: TestClient) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    response = client.get("/metrics")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain")
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(response.text)
        for sample in family.samples
    }


def value(samples: dict[tuple[str, frozenset[tuple[str, str]]], float], name: str,
          **labels: str) -> float:  # fmt: skip
    return samples.get((name, frozenset(labels.items())), 0.0)


def test_metrics_move_with_a_chat_message_and_a_hand_over(client: TestClient) -> None:
    before = scrape(client)
    assert value(before, "merchantbot_messages_in_total", channel="web") == 0
    assert value(before, "merchantbot_outbox_pending") == 0

    answered = client.post("/api/chat", json={"type": "text", "text": QUESTION})
    assert answered.status_code == 200 and "500" in answered.text
    handed = client.post("/api/chat", json={"type": "text", "text": PERSON})
    assert handed.status_code == 200

    after = scrape(client)
    assert value(after, "merchantbot_messages_in_total", channel="web") == 2
    assert value(after, "merchantbot_messages_out_total", channel="web") >= 2
    assert value(after, "merchantbot_decisions_total", action="answer") == 1
    handovers = value(after, "merchantbot_decisions_total", action="escalate") + value(
        after, "merchantbot_decisions_total", action="handover"
    )
    assert handovers == 1
    assert value(after, "merchantbot_handle_seconds_count", channel="web") == 2
    chat = {"method": "POST", "route": "/api/chat", "status": "200"}
    assert value(after, "merchantbot_http_request_seconds_count", **chat) == 2
    open_tickets = {
        dict(labels)["team"]: v
        for (name, labels), v in after.items()
        if name == "merchantbot_open_tickets"
    }
    assert sum(open_tickets.values()) == 1, open_tickets  # the hand-over's ticket
    assert value(after, "merchantbot_outbox_pending") == 0
    assert value(after, "merchantbot_outbox_oldest_age_seconds") == 0
    assert value(after, "merchantbot_telegram_429_total") == 0
    assert value(after, "merchantbot_delivery_failures_total", channel="web") == 0


def test_metrics_can_be_turned_off_or_limited(tmp_path: Path) -> None:
    with TestClient(LateApp(settings(tmp_path, metrics_enabled=False))) as off:
        assert off.get("/metrics").status_code == 404
    # the test client's address is "testclient", which no network holds
    limited = settings(tmp_path, metrics_allow="10.0.0.0/8, 127.0.0.1")
    with TestClient(LateApp(limited)) as c:
        assert c.get("/metrics").status_code == 404
        assert c.get("/healthz").status_code == 200


def test_a_bad_metrics_allow_is_refused() -> None:
    with pytest.raises(ValueError, match="does not appear to be an IPv4 or IPv6"):
        Settings(metrics_allow="10.0.0.0/8 not-an-address")


@pytest.fixture
def log_lines() -> Iterator[io.StringIO]:
    """Every record as a JSON line (``bot.logs.configure``); the root logger restored after."""
    root = logging.getLogger()
    saved = root.handlers[:], root.level
    stream = io.StringIO()
    logs.configure("DEBUG", "json", stream)
    try:
        yield stream
    finally:
        root.handlers[:], level = saved
        root.setLevel(level)


def test_one_request_id_from_the_channel_to_the_core(
    client: TestClient, log_lines: io.StringIO
) -> None:
    response = client.post("/api/chat", json={"type": "text", "text": QUESTION})
    request_id = response.headers["x-request-id"]
    assert len(request_id) == 32
    lines = [json.loads(line) for line in log_lines.getvalue().splitlines()]
    mine = [line for line in lines if line.get("request_id") == request_id]
    loggers = {line["logger"] for line in mine}
    assert {"bot.web.app", "bot.core.conversation"} <= loggers, lines
    assert {line["event"] for line in mine} >= {"web chat: message in", "message received"}

    again = client.post("/api/chat", json={"type": "text", "text": QUESTION})
    assert again.headers["x-request-id"] != request_id  # one per request


def test_a_callers_request_id_is_kept_and_logged_as_text(client: TestClient) -> None:
    root = logging.getLogger()
    saved = root.handlers[:], root.level
    stream = io.StringIO()
    logs.configure("INFO", "text", stream)
    try:
        given = client.post(
            "/api/chat",
            json={"type": "text", "text": QUESTION},
            headers={"X-Request-ID": "proxy-7f3a"},
        )
        forged = client.get("/healthz", headers={"X-Request-ID": 'bad "id" with spaces'})
    finally:
        root.handlers[:], level = saved
        root.setLevel(level)
    assert given.headers["x-request-id"] == "proxy-7f3a"
    assert forged.headers["x-request-id"] != 'bad "id" with spaces'
    received = [line for line in stream.getvalue().splitlines() if "message received" in line]
    assert received and all("request_id=proxy-7f3a" in line for line in received)


def test_no_request_id_outside_a_request() -> None:
    record = logging.makeLogRecord({"msg": "background"})
    assert logs.RequestIdFilter().filter(record) and not hasattr(record, "request_id")
    with logs.request_scope("abc") as value:
        record = logging.makeLogRecord({"msg": "inside"})
        logs.RequestIdFilter().filter(record)
    assert value == "abc" and record.request_id == "abc"
    assert logs.current_request_id() == ""
