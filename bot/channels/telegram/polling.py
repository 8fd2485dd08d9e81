"""getUpdates in our own loop: the offset moves past an update only once it is answered.

Neither framework's built-in polling does that (both advance the offset as soon as an update
is handed to a handler), so the loop is here and uses only the framework's client. A batch is
processed chat by chat in parallel, each chat in order; the next call's offset confirms the
updates up to the first one that could not be stored, or whose answer has not gone out yet
(``Intake.process``'s future), so Telegram sends those again after a crash. Polling goes on
while answers go out (paced): updates fetched again because their answers are still on their
way are skipped, and only new ones are processed; when a call brings nothing new, the loop
waits a little (or until those answers are out) before the next.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from bot.channels.telegram.api import ALLOWED_UPDATES, BotApi, TgApiError
from bot.channels.telegram.intake import Answered, Intake
from bot.channels.telegram.mapping import chat_of
from bot.channels.telegram.ordering import by_chat
from bot.channels.telegram.sender import RetryPolicy
from bot.channels.telegram.updates import TgUpdate

log = logging.getLogger(__name__)

BATCH = 100  # the Bot API's maximum
IN_WORK_PAUSE = 0.5  # seconds between calls that bring only updates whose answers are going out
CONFIRM_RETRY = 0.5  # seconds before the shutdown's confirmation is tried a second time
# Seconds a stop spends confirming the offset, both tries: the HTTP clients' own timeouts
# (aiogram: 10 s a call) would let two tries outlast what a shutdown may take.
CONFIRM_SECONDS = 5.0
DRAIN = 10.0  # seconds ``run`` waits at a stop for answers to go out before confirming


class Poller:
    """Runs the getUpdates loop until ``stop()``, then confirms what was answered."""

    def __init__(
        self,
        api: BotApi,
        intake: Intake,
        timeout: int = 30,
        retry: RetryPolicy | None = None,
        drain: float = DRAIN,
        confirm_within: float = CONFIRM_SECONDS,
    ):
        self._api = api
        self._intake = intake
        self._timeout = timeout
        self._retry = retry or RetryPolicy()
        self._drain = drain
        self._confirm_within = confirm_within
        self.offset: int | None = None  # None: start from whatever Telegram still holds
        self._stored: int | None = None  # every update below it stored (maybe not answered)
        # Updates processed at or above the offset, by update_id: their answers going out (or
        # out, or none: done); fetched again meanwhile, they are skipped.
        self._answering: dict[int, Answered] = {}
        self._stopping = asyncio.Event()
        self._fetch: asyncio.Task[list[TgUpdate]] | None = None
        self.failing = False  # the last getUpdates failed (health reports it)
        self.last_error = ""

    async def run(self) -> None:
        """Fetch, store and answer, confirm; back off on errors; return when stopped."""
        failures = 0
        while not self._stopping.is_set():
            self._advance()
            updates = await self._next_batch()
            if updates is None:  # stopped while waiting
                break
            self.failing = isinstance(updates, TgApiError)
            if isinstance(updates, TgApiError):
                self.last_error = str(updates)
                failures += 1
                await self._pause(updates.retry_after or self._retry.wait(failures))
                continue
            fresh = [u for u in updates if u.update_id not in self._answering]
            if updates and not fresh:  # only answers still going out: poll again shortly
                await self._settle(IN_WORK_PAUSE)
                continue
            first_failed = await self._process(fresh)
            if first_failed is None:
                failures = 0
                if updates:
                    self._stored = max([self._stored or 0, *(u.update_id + 1 for u in updates)])
            else:
                failures += 1
                self._stored = first_failed
                await self._pause(self._retry.wait(failures))
        await self._settle(self._drain)  # answers on their way: let them go out, briefly
        self._advance()
        await self._confirm()

    def stop(self) -> None:
        """Make ``run`` return: an open long poll is abandoned, a batch in work is finished."""
        self._stopping.set()
        if self._fetch is not None:
            self._fetch.cancel()

    def _advance(self) -> None:
        """Move the offset up to the first update not stored or not answered yet."""
        if self._stored is None:
            return
        waiting = [i for i, answered in self._answering.items() if not answered.done()]
        self.offset = min([self._stored, *waiting])
        offset = self.offset
        self._answering = {i: a for i, a in self._answering.items() if i >= offset}

    async def _settle(self, timeout: float) -> None:
        """Wait until every answer on its way is out, or ``timeout`` passes, or (unless it is
        the stop's own wait) ``stop()`` is called."""
        waiting = [a for a in self._answering.values() if not a.done()]
        if not waiting:
            return
        tasks: list[asyncio.Future[object]] = [  # cancelling it cancels no answer
            asyncio.ensure_future(asyncio.wait(waiting))
        ]
        if not self._stopping.is_set():
            tasks.append(asyncio.ensure_future(self._stopping.wait()))
        try:
            await asyncio.wait(tasks, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

    async def _confirm(self) -> None:
        """Tell Telegram what was answered: a zero-timeout getUpdates, tried twice, given up
        after ``confirm_within`` seconds (the updates are then resent, as repeats)."""
        if self.offset is None:
            return
        reason = ""
        try:
            async with asyncio.timeout(self._confirm_within):
                for attempt in (1, 2):  # the abandoned long poll may still hold the connection
                    try:
                        await self._api.get_updates(self.offset, 0, 1, ALLOWED_UPDATES)
                        return
                    except TgApiError as exc:
                        reason = str(exc)
                        if attempt == 1:
                            await asyncio.sleep(CONFIRM_RETRY)
        except TimeoutError:
            reason = f"no answer in {self._confirm_within:g} s"
        log.warning(
            "telegram: offset not confirmed at shutdown; Telegram will resend "
            "(repeats are recognised)",
            extra={"reason": reason},
        )

    async def _next_batch(self) -> list[TgUpdate] | TgApiError | None:
        self._fetch = asyncio.create_task(
            self._api.get_updates(self.offset, self._timeout, BATCH, ALLOWED_UPDATES)
        )
        try:
            return await self._fetch
        except asyncio.CancelledError:
            if self._stopping.is_set():
                return None
            raise
        except TgApiError as exc:
            log.warning("telegram: getUpdates failed", extra={"reason": str(exc)})
            return exc
        except Exception as exc:  # a bug must not end polling quietly: log, back off, go on
            log.exception("telegram: getUpdates crashed")
            return TgApiError(0, type(exc).__name__)
        finally:
            self._fetch = None

    async def _process(self, updates: list[TgUpdate]) -> int | None:
        """Process a batch; the id of the first update that was not stored, or None."""
        failed: list[int] = []

        async def one_chat(group: list[TgUpdate]) -> None:
            for update in group:
                try:
                    answered = await self._intake.process(update)
                except Exception:  # the core could not store it: Telegram must send it again
                    log.exception(
                        "telegram: update not stored", extra={"update_id": update.update_id}
                    )
                    failed.append(update.update_id)
                    return  # the chat's later updates wait too, or they would overtake it
                if answered is None:  # nothing to send: done (and not processed again)
                    answered = asyncio.get_running_loop().create_future()
                    answered.set_result(None)
                self._answering[update.update_id] = answered

        await asyncio.gather(*(one_chat(g) for g in by_chat(updates, chat_of)))
        return min(failed, default=None)

    async def _pause(self, seconds: float) -> None:
        # asyncio.timeout, not wait_for: on Python 3.11 wait_for swallows a cancellation that
        # arrives just as the event is set, and the task would run on
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(seconds):
                await self._stopping.wait()
