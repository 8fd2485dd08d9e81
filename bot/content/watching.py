"""What every hot-reloaded content file shares: polling for edits and reporting a bad one."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from bot.content.problems import Problem, errors

log = logging.getLogger(__name__)


def report_rejected(what: str, problems: list[Problem]) -> None:
    """Log each error of a rejected edit (file:line) and that the last good one still serves."""
    for problem in errors(problems):
        log.error(f"{what} problem", extra={"problem": str(problem)})
    log.error(f"{what} not reloaded; still serving the last good version")


async def watch(reload: Callable[[], object], every: float, what: str) -> None:
    """Call ``reload`` in a thread every ``every`` seconds, forever; a failure never escapes."""
    while True:
        await asyncio.sleep(every)
        try:
            await asyncio.to_thread(reload)
        except Exception:  # a bad edit must never take the bot down
            log.exception(f"{what} reload failed; still serving the last good version")
