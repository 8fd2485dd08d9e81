"""A Telegram stop always ends, and a malformed name never breaks an update."""

from __future__ import annotations

import asyncio

from bot.channels.telegram.channel import _bounded_stop
from bot.channels.telegram.updates import full_name


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


def test_a_number_given_as_a_name_is_shown_as_text() -> None:
    assert full_name(123, None) == "123"  # type: ignore[arg-type]
    assert full_name("Mei", "Lin") == "Mei Lin"
