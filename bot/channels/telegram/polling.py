"""getUpdates in our own loop: the offset moves past an update only once it is stored.

Neither framework's built-in polling does that (both advance the offset as soon as an update
is handed to a handler), so the loop is here and uses only the framework's client. A batch is
processed chat by chat in parallel, each chat in order; the next call's offset confirms the
batch up to the first update that could not be stored, which Telegram then sends again (the
ones after it that were stored are recognised as repeats by the core).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from bot.channels.telegram.api import ALLOWED_UPDATES, BotApi, TgApiError
from bot.channels.telegram.intake import Intake
from bot.channels.telegram.mapping import chat_of
from bot.channels.telegram.ordering import by_chat
from bot.channels.telegram.sender import RetryPolicy
from bot.channels.telegram.updates import TgUpdate

log = logging.getLogger(__name__)

BATCH = 100  # the Bot API's maximum


class Poller:
    """Runs the getUpdates loop until ``stop()``, then confirms what was stored."""

    def __init__(
        self, api: BotApi, intake: Intake, timeout: int = 30, retry: RetryPolicy | None = None
    ):
        self._api = api
        self._intake = intake
        self._timeout = timeout
        self._retry = retry or RetryPolicy()
        self.offset: int | None = None  # None: start from whatever Telegram still holds
        self._stopping = asyncio.Event()
        self._fetch: asyncio.Task[list[TgUpdate]] | None = None
        self.failing = False  # the last getUpdates failed (health reports it)
        self.last_error = ""

    async def run(self) -> None:
        """Fetch, store and answer, confirm; back off on errors; return when stopped."""
        failures = 0
        while not self._stopping.is_set():
            updates = await self._next_batch()
            if updates is None:  # stopped while waiting
                break
            self.failing = isinstance(updates, TgApiError)
            if isinstance(updates, TgApiError):
                self.last_error = str(updates)
                failures += 1
                await self._pause(updates.retry_after or self._retry.wait(failures))
                continue
            first_failed = await self._process(updates)
            if first_failed is None:
                failures = 0
                if updates:
                    self.offset = max(u.update_id for u in updates) + 1
            else:
                failures += 1
                self.offset = first_failed
                await self._pause(self._retry.wait(failures))
        await self._confirm()

    def stop(self) -> None:
        """Make ``run`` return: an open long poll is abandoned, a batch in work is finished."""
        self._stopping.set()
        if self._fetch is not None:
            self._fetch.cancel()

    async def _confirm(self) -> None:
        if self.offset is not None:
            try:  # a zero-timeout call only to tell Telegram what we have
                await self._api.get_updates(self.offset, 0, 1, ALLOWED_UPDATES)
            except TgApiError as exc:
                log.warning(
                    "telegram: offset not confirmed at shutdown; Telegram will resend "
                    "(repeats are recognised)",
                    extra={"reason": str(exc)},
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
                    await self._intake.process(update)
                except Exception:  # the core could not store it: Telegram must send it again
                    log.exception(
                        "telegram: update not stored", extra={"update_id": update.update_id}
                    )
                    failed.append(update.update_id)
                    return  # the chat's later updates wait too, or they would overtake it

        await asyncio.gather(*(one_chat(g) for g in by_chat(updates, chat_of)))
        return min(failed, default=None)

    async def _pause(self, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._stopping.wait(), seconds)
