"""The sign-in limits on their own: the hash gate's bound, the per-address sliding window."""

from __future__ import annotations

import asyncio
import threading

import pytest

from bot.staff.throttle import Busy, HashGate, SlidingWindow
from tests.staff.conftest import Ticker


def window(
    limit: int = 10, seconds: float = 60, max_keys: int = 4096
) -> tuple[SlidingWindow, Ticker]:
    ticker = Ticker()
    return SlidingWindow(limit, seconds, max_keys=max_keys, clock=ticker), ticker


def test_ten_attempts_a_minute_then_the_wait_until_the_oldest_expires() -> None:
    limiter, ticker = window()
    for _ in range(10):
        assert limiter.attempt("198.51.100.7") is None
        ticker.advance(1)
    assert limiter.attempt("198.51.100.7") == 50  # the first was 10 s ago
    ticker.advance(49.5)
    assert limiter.attempt("198.51.100.7") == 1  # rounded up: never "0 seconds"
    ticker.advance(0.5)
    assert limiter.attempt("198.51.100.7") is None  # the first one has left the window
    assert limiter.attempt("198.51.100.7") == 1  # and the second leaves a second later


def test_the_window_slides_rather_than_resetting_each_minute() -> None:
    limiter, ticker = window()
    for _ in range(5):
        assert limiter.attempt("a") is None
    ticker.advance(30)
    for _ in range(5):
        assert limiter.attempt("a") is None
    ticker.advance(31)  # a fixed minute would have started afresh at 60 s
    for _ in range(5):
        assert limiter.attempt("a") is None
    assert limiter.attempt("a") == 29  # the five from 30 s still count until 90 s


def test_refused_attempts_do_not_extend_the_wait() -> None:
    limiter, ticker = window(limit=2)
    assert limiter.attempt("a") is None and limiter.attempt("a") is None
    for _ in range(100):
        assert limiter.attempt("a") == 60
    ticker.advance(60)
    assert limiter.attempt("a") is None


def test_each_address_has_its_own_allowance() -> None:
    limiter, _ = window(limit=1)
    assert limiter.attempt("a") is None
    assert limiter.attempt("a") == 60
    assert limiter.attempt("b") is None


def test_a_flood_of_distinct_addresses_cannot_grow_the_table() -> None:
    limiter, ticker = window(limit=3, max_keys=100)
    for i in range(10_000):
        limiter.attempt(f"10.0.{i // 256}.{i % 256}")
        ticker.advance(0.001)
        assert len(limiter) <= 100
    assert len(limiter) == 100


def test_the_address_forgotten_is_the_one_seen_least_recently() -> None:
    limiter, _ = window(limit=1, max_keys=2)
    assert limiter.attempt("old") is None
    assert limiter.attempt("busy") is None
    assert limiter.attempt("old") == 60  # "old" is now the more recent of the two
    assert limiter.attempt("new") is None  # evicts "busy", the least recently seen
    assert limiter.attempt("old") == 60  # still limited
    assert limiter.attempt("busy") is None  # forgotten


@pytest.mark.parametrize(
    "args", [{"limit": 0}, {"window": 0}, {"max_keys": 0}], ids=["limit", "window", "keys"]
)
def test_a_window_needs_positive_sizes(args: dict[str, float]) -> None:
    with pytest.raises(ValueError):
        SlidingWindow(**args)  # type: ignore[arg-type]


async def test_a_check_counts_until_its_thread_finishes_not_until_its_caller_leaves() -> None:
    gate = HashGate(running=1, waiting=0)
    release, started, finished = threading.Event(), threading.Event(), threading.Event()

    def work() -> str:
        started.set()
        release.wait(timeout=30)
        return "done"

    future = gate.submit(work)
    future.add_done_callback(lambda _: finished.set())  # runs after the gate's own callback
    caller = asyncio.wrap_future(future)  # what ``gate.run`` awaits
    assert await asyncio.to_thread(started.wait, 30)
    caller.cancel()  # the client hung up; argon2 cannot be interrupted
    with pytest.raises(asyncio.CancelledError):
        await caller
    assert gate.admitted == 1
    with pytest.raises(Busy):  # its memory is still taken: no second check starts
        gate.submit(lambda: "more")
    release.set()
    assert await asyncio.to_thread(finished.wait, 30)
    assert gate.admitted == 0
    assert await gate.run(lambda: "next") == "next"


async def test_a_queued_check_whose_caller_leaves_never_runs() -> None:
    gate = HashGate(running=1, waiting=1)
    release, started = threading.Event(), threading.Event()
    ran: list[str] = []

    def block() -> None:
        started.set()
        release.wait(timeout=30)

    first = gate.submit(block)
    assert await asyncio.to_thread(started.wait, 30)
    queued = asyncio.create_task(gate.run(lambda: ran.append("queued")))
    await asyncio.sleep(0)
    assert gate.admitted == 2
    queued.cancel()
    with pytest.raises(asyncio.CancelledError):
        await queued
    assert gate.admitted == 1  # cancelled before it started: its place is free at once
    release.set()
    await asyncio.wrap_future(first)
    assert ran == []


def test_a_gate_needs_a_thread() -> None:
    with pytest.raises(ValueError):
        HashGate(running=0)
