"""The send loop and retry rule shared by staff replies (Deliverer) and team e-mail (TeamMail)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest

from bot.core.alerts import TeamMail
from bot.core.delivery import Deliverer
from bot.core.outbound import DeliveryError
from bot.core.sending import Sending

NOW = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


@dataclass(frozen=True)
class Item:
    status: str = "sending"
    attempts: int = 0
    error: str = ""
    next_attempt_at: datetime = NOW


class Queue(Sending):
    """A sender whose pass fails once, then counts; stops the test's loop on the third."""

    def __init__(self) -> None:
        super().__init__(
            clock=lambda: NOW, max_attempts=4, first_wait=timedelta(seconds=3), lease=timedelta(1)
        )
        self.passes = 0
        self.third = asyncio.Event()

    def failed(self, item: Item, exc: DeliveryError) -> tuple[Item, bool]:
        return self._after_failure(item, exc)

    async def step(self) -> None:
        self.passes += 1
        if self.passes == 1:
            raise RuntimeError("database hiccup")
        if self.passes == 3:
            self.third.set()

    async def run(self) -> None:
        await self._loop(self.step, 3600, logging.getLogger("test.sending"), "pass failed")


def test_waits_double_until_the_last_attempt() -> None:
    queue = Queue()
    item, made = Item(), []
    for _ in range(4):
        item, final = queue.failed(item, DeliveryError("timeout " * 100))
        made.append((item.status, item.attempts, item.next_attempt_at - NOW, final))
    assert made == [
        ("pending", 1, timedelta(seconds=3), False),
        ("pending", 2, timedelta(seconds=6), False),
        ("pending", 3, timedelta(seconds=12), False),
        ("failed", 4, timedelta(seconds=24), True),
    ]
    assert len(item.error) == 500  # what is kept of the reason


def test_a_permanent_failure_is_final_at_once() -> None:
    item, final = Queue().failed(Item(), DeliveryError("blocked", permanent=True))
    assert final and (item.status, item.attempts, item.error) == ("failed", 1, "blocked")


def test_the_loop_outlives_a_failed_pass_and_runs_again_when_woken(
    caplog: pytest.LogCaptureFixture,
) -> None:
    async def scenario() -> int:
        queue = Queue()
        task = asyncio.create_task(queue.run())
        while queue.passes < 2:  # the failed pass, then a second one on a wake
            queue.wake()
            await asyncio.sleep(0)
        queue.wake()
        await queue.third.wait()
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        return queue.passes

    assert asyncio.run(scenario()) == 3
    assert [r.getMessage() for r in caplog.records] == ["pass failed"]


def test_both_outboxes_are_senders() -> None:
    assert issubclass(Deliverer, Sending) and issubclass(TeamMail, Sending)


@pytest.mark.parametrize("steps_before_cancel", range(4))
def test_a_shutdown_right_after_a_wake_stops_the_loop(steps_before_cancel: int) -> None:
    """A cancel that lands while the loop is being woken must end it (Python 3.11's wait_for
    swallowed such a cancel, and shutdown then waited for ever)."""

    class Idle(Queue):
        async def step(self) -> None:
            self.passes += 1

    async def scenario() -> bool:
        queue = Idle()
        task = asyncio.create_task(queue.run())
        while queue.passes < 1:
            await asyncio.sleep(0)
        queue.wake()
        for _ in range(steps_before_cancel):
            await asyncio.sleep(0)
        task.cancel()
        for _ in range(20):  # event-loop turns, not time: a stopping task needs two or three
            if task.done():
                break
            await asyncio.sleep(0)
        stopped = task.done()
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        return stopped

    assert asyncio.run(scenario())
