"""A Telegram stop always ends, whatever the Bot API does, and a malformed name never breaks an
update.

A stop abandons the open long poll (the server sees the connection closed) and confirms the
offset with a zero-timeout call, itself given up after ``confirm_seconds``; the 20 s net
(``_bounded_stop``) is never what ends it. The waits on ``stop()`` are hang guards, not timings.
"""

from __future__ import annotations

import asyncio
import logging

import pytest

from bot.channels.telegram import TelegramChannel
from bot.channels.telegram.channel import _bounded_stop
from bot.channels.telegram.sender import RetryPolicy
from bot.channels.telegram.updates import full_name
from tests.telegram import builders as b
from tests.telegram.conftest import Harness
from tests.telegram.fake_api import Call

MERCHANT = 8101
GUARD = 60.0  # seconds: only so that a broken stop fails instead of hanging the suite
NET = "telegram: polling did not stop in time; cancelled"
UNCONFIRMED = "telegram: offset not confirmed at shutdown"


async def held_poll_past(h: Harness, channel: TelegramChannel) -> tuple[int, Call]:
    """A merchant's update answered; the long poll past it, open (the fake holds it)."""
    h.fake.hold_polls = True
    update = await h.fake.add_update(b.text(MERCHANT, "hello"))
    await h.fake.wait_until(lambda: len(h.fake.delivered(MERCHANT)) >= 1)
    offset = update["update_id"] + 1
    await h.fake.wait_until(lambda: _offset(h.fake.called("getUpdates")[-1]) == offset)
    held = h.fake.called("getUpdates")[-1]
    assert int(held.params["timeout"]) > 0 and "_ok" not in held.params
    return offset, held


async def test_a_stop_abandons_the_open_long_poll_and_confirms_the_offset(
    harness: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="bot.channels.telegram")
    channel = await harness.polling()
    offset, held = await held_poll_past(harness, channel)
    await asyncio.wait_for(harness.stop(channel), GUARD)
    await harness.fake.wait_until(lambda: held in harness.fake.abandoned())
    confirm = harness.fake.called("getUpdates")[-1]
    assert confirm is not held
    assert (_offset(confirm), int(confirm.params["timeout"])) == (offset, 0)
    assert confirm.params.get("_ok") and not harness.fake.pending
    # not ended by the client's own timeout ("getUpdates failed"), nor by the 20 s net
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING] == []


async def test_a_stop_gives_up_confirming_when_getupdates_never_answers(
    harness: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="bot.channels.telegram")
    channel = await harness.polling(confirm_seconds=0.2)
    offset, held = await held_poll_past(harness, channel)
    harness.fake.stall_updates = True  # from now on no getUpdates is answered
    await asyncio.wait_for(harness.stop(channel), GUARD)
    confirms = [c for c in harness.fake.called("getUpdates") if c.at > held.at]
    assert confirms and all(int(c.params["timeout"]) == 0 for c in confirms)
    assert all(_offset(c) == offset for c in confirms)
    await harness.fake.wait_until(
        lambda: all(c in harness.fake.abandoned() for c in [held, *confirms])
    )
    gave_up = [r for r in caplog.records if r.getMessage().startswith(UNCONFIRMED)]
    assert [getattr(r, "reason", "") for r in gave_up] == ["no answer in 0.2 s"]
    assert NET not in caplog.text  # the poller ended by itself


def _offset(call: Call) -> int:
    return int(call.params.get("offset") or 0)


async def test_a_polling_task_that_does_not_end_is_cancelled_by_the_stop() -> None:
    async def poll_never_abandoned() -> None:
        await asyncio.Event().wait()  # never set

    stuck = asyncio.create_task(poll_never_abandoned())
    await _bounded_stop(stuck, 0.01)
    assert stuck.cancelled()


async def test_a_polling_task_that_ends_is_left_to_end() -> None:
    done = asyncio.create_task(asyncio.sleep(0))
    await _bounded_stop(done, 30)
    assert done.done() and not done.cancelled()


async def test_what_the_polling_task_raised_reaches_the_stop() -> None:
    async def crashed() -> None:
        raise RuntimeError("bug")

    with pytest.raises(RuntimeError, match="bug"):
        await _bounded_stop(asyncio.create_task(crashed()), 30)


def test_the_wait_after_thousands_of_failed_polls_stays_at_the_maximum() -> None:
    policy = RetryPolicy(first_wait=0.5, max_wait=30.0)
    # getUpdates counts its failures for as long as Telegram is away: 2 ** 1100 is no float
    assert [policy.wait(n) for n in (1, 2, 7, 1100, 10**6)] == [0.5, 1.0, 30.0, 30.0, 30.0]


def test_a_number_given_as_a_name_is_shown_as_text() -> None:
    assert full_name(123, None) == "123"  # type: ignore[arg-type]
    assert full_name("Mei", "Lin") == "Mei Lin"
