"""What the two outboxes share (staff replies: ``Deliverer``; team e-mail: ``TeamMail``).

Each sends from a queue in the database, woken when something is queued or every poll; each
claims what is due for a lease (so replicas never send one item twice), and retries a failed
send with doubling waits until the failure is permanent or the attempts run out.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from dataclasses import Field, replace
from datetime import datetime, timedelta
from typing import Any, ClassVar, Protocol, TypeVar

from bot.core.outbound import DeliveryError


class Queued(Protocol):
    """A queued item: a frozen dataclass with a status, the attempts so far, the last error and
    when it is due (``OutboxItem``, ``TeamAlert``)."""

    __dataclass_fields__: ClassVar[dict[str, Field[Any]]]

    @property
    def attempts(self) -> int:
        """Send attempts made so far."""
        ...


Item = TypeVar("Item", bound=Queued)


class Sending:
    """The send loop and the retry rule; a subclass claims and sends its own items."""

    def __init__(
        self,
        *,
        clock: Callable[[], datetime],
        max_attempts: int,
        first_wait: timedelta,
        lease: timedelta,
    ) -> None:
        self._clock = clock
        self._max_attempts = max_attempts
        self._first_wait = first_wait
        self._lease = lease
        self._event = asyncio.Event()
        self._lock = asyncio.Lock()  # one pass at a time in this process (others claim apart)

    def wake(self) -> None:
        """Something was queued: send it now rather than at the next poll."""
        self._event.set()

    async def _loop(
        self,
        step: Callable[[], Awaitable[object]],
        poll_seconds: float,
        log: logging.Logger,
        failed: str,
    ) -> None:
        """Run ``step`` until cancelled, on ``wake()`` or every ``poll_seconds``; an error is
        logged (``failed``) and the loop goes on: it must outlive a database hiccup."""
        while True:
            try:
                await step()
            except Exception:
                log.exception(failed)
            # asyncio.timeout, not wait_for: on Python 3.11 wait_for swallows a cancel that
            # lands just after the event is set, and the loop then never stops (seen as a
            # hung shutdown about once in 100 restarts).
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(poll_seconds):
                    await self._event.wait()
            self._event.clear()

    def _after_failure(self, item: Item, exc: DeliveryError) -> tuple[Item, bool]:
        """The item after a failed send, and whether that was its last attempt: pending again
        after doubling waits from the first, failed after a permanent failure or the last try."""
        made = item.attempts + 1
        final = exc.permanent or made >= self._max_attempts
        wait = self._first_wait * (2 ** (made - 1))
        after = replace(
            item,
            status="failed" if final else "pending",
            attempts=made,
            error=exc.reason[:500],
            next_attempt_at=self._clock() + wait,
        )
        return after, final
