"""The service's one clock: every time the service stores or compares is read from it.

The composition root (``bot.bootstrap.build``) holds one ``Clock`` and hands it to the core
(escalation, desk, delivery, files, feedback prompts, the console) and to the store, whose units
of work stamp the rows they write with it; a test hands in a virtual one. Only durations that
never meet a stored time (pacing, TTLs, rate limits) use ``time.monotonic`` instead, and WeChat's
protocol times (its 48-hour reply window, signed reply timestamps) stay on the real clock.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Protocol


class Clock(Protocol):
    """Now, timezone-aware (UTC)."""

    def __call__(self) -> datetime:
        """The current time."""
        ...


def system_clock() -> datetime:
    """The machine's time in UTC: the clock when none is injected."""
    return datetime.now(UTC)
