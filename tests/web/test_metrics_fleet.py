"""GET /metrics on two replicas of the real app sharing one PostgreSQL database (issue 16).

Prometheus scrapes every replica: counters are each process's own, but the outbox backlog and
the open tickets are read from the shared database, so one replica (the holder of an advisory
lock) exports them, and another takes over when it leaves.
"""

from __future__ import annotations

import contextlib
import os
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from bot.bootstrap import LateApp
from bot.settings import Settings
from bot.storage.migrate import upgrade
from tests.storage.conftest import create_pg_database, drop_pg_database, run_in_thread
from tests.web.test_observability import PERSON, ROOT, scrape, value

FLEET_WIDE = (
    "merchantbot_outbox_pending",
    "merchantbot_outbox_oldest_age_seconds",
    "merchantbot_open_tickets",
)
Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


@pytest.fixture
def fleet_db() -> Iterator[str]:
    """A migrated PostgreSQL database of this test's own (its advisory locks are its own)."""
    url = create_pg_database("merchant_bot_metrics")
    try:
        run_in_thread(upgrade(url))
        yield url
    finally:
        drop_pg_database(url)


def replica(url: str, tmp_path: Path, name: str) -> TestClient:
    settings = Settings(
        database_url=url,
        faq_dir=ROOT / "faq",
        snapshot_dir=tmp_path / name,
        matcher_encoder="none",
    )
    return TestClient(LateApp(settings))


def fleet_wide(samples: Samples) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    return {key: v for key, v in samples.items() if key[0] in FLEET_WIDE}


def reports(samples: Samples) -> bool:
    return value(samples, "merchantbot_fleet_gauges_reporter") == 1


def test_the_fleet_wide_gauges_come_from_one_replica_and_move_on_when_it_leaves(
    fleet_db: str, tmp_path: Path
) -> None:
    with contextlib.ExitStack() as stack_a, contextlib.ExitStack() as stack_b:
        a = stack_a.enter_context(replica(fleet_db, tmp_path, "a"))
        b = stack_b.enter_context(replica(fleet_db, tmp_path, "b"))
        assert a.post("/api/chat", json={"type": "text", "text": PERSON}).status_code == 200
        scraped: dict[str, Samples] = {}
        for _ in range(2):  # the same one on every scrape while it is there
            scraped = {"a": scrape(a), "b": scrape(b)}
            assert sorted(reports(s) for s in scraped.values()) == [False, True]
        reporter = "a" if reports(scraped["a"]) else "b"
        other = "b" if reporter == "a" else "a"
        tickets = [v for (n, _), v in scraped[reporter].items() if n == "merchantbot_open_tickets"]
        assert sum(tickets) == 1  # the hand-over's ticket, counted once for the fleet
        assert ("merchantbot_outbox_pending", frozenset()) in scraped[reporter]
        assert fleet_wide(scraped[other]) == {}
        me = f"{socket.gethostname()}:{os.getpid()}"  # both replicas are this test's process
        for samples in scraped.values():
            info = [dict(k) for (n, k), _ in samples.items() if n == "merchantbot_replica_info"]
            assert info == [{"replica": me}]
        # each replica counts its own traffic: the chat message went to "a" only
        assert value(scraped["a"], "merchantbot_messages_in_total", channel="web") == 1
        assert value(scraped["b"], "merchantbot_messages_in_total", channel="web") == 0

        (stack_a if reporter == "a" else stack_b).close()  # the reporter shuts down
        remaining = b if reporter == "a" else a
        taken = scrape(remaining)
        assert reports(taken)
        assert sum(v for (n, _), v in taken.items() if n == "merchantbot_open_tickets") == 1
