"""Outgoing messages: one queue per chat (sent in order), paced, retried, never dropped silently.

Different chats are sent side by side (each chat has its own worker while it has messages);
the rate limiter keeps all of them within Telegram's limits. A 429 waits ``retry_after`` and
tries again; other transient failures are retried with growing waits. What still fails is
reported to ``on_failure`` (replies) or raised to the caller (``deliver``). ``post`` hands back
a future that says how a reply's job ended (sent, or reported), for whoever must know that the
merchant has it (the Telegram intake records it before Telegram may forget the update). Requests
posted as ``Tracked`` also tell their ``Progress`` as each one goes out, so that a reply of
several messages is recorded message by message (a crash then repeats one of them at most).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import deque
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from bot.channels.telegram.api import TgApiError
from bot.channels.telegram.mapping import merchant_key
from bot.channels.telegram.pacing import RateLimiter
from bot.channels.telegram.sends import Request, shown_text
from bot.core.types import MerchantKey

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RetryPolicy:
    """How hard to try: ``attempts`` for transient failures, ``flood_waits`` 429s per send."""

    attempts: int = 4
    first_wait: float = 0.5
    max_wait: float = 30.0
    flood_waits: int = 5

    def wait(self, failures: int) -> float:
        """The pause after the n-th failure: first_wait, doubling, capped."""
        # the exponent capped: 2 ** 1100 does not fit a float, and getUpdates counts failures
        # for as long as Telegram stays away (over 1,000 at 30 s apart: nine hours)
        return float(min(self.first_wait * 2 ** min(failures - 1, 64), self.max_wait))


@dataclass(frozen=True)
class FailedDelivery:
    """Messages that could not be delivered, for staff to see and act on."""

    chat_id: int
    merchant: MerchantKey | None  # None for group chats
    texts: tuple[str, ...]  # what was not delivered, in order
    reason: str
    permanent: bool


FailureHook = Callable[[FailedDelivery], Awaitable[None]]
Transport = Callable[[Request], Awaitable[int]]  # returns the message or topic id


class Progress(Protocol):
    """Told how a posted reply's requests go out, one at a time, and awaited each time (the
    next request waits): ``ready`` once a request holds its pace slot, just before it is made;
    then ``went_out`` with how many of the reply's requests have gone out, or ``not_sent`` when
    that attempt failed (it may be tried again). What these raise is logged, never a failure
    of the send."""

    async def ready(self) -> None: ...

    async def went_out(self, sent: int) -> None: ...

    async def not_sent(self) -> None: ...


class Tracked(list[Request]):
    """A reply's requests, with the ``Progress`` to tell as they go out (``post``); to anyone
    else, a plain list of them."""

    def __init__(self, requests: Iterable[Request], progress: Progress) -> None:
        super().__init__(requests)
        self.progress = progress


@dataclass
class _Job:
    requests: Sequence[Request]
    future: asyncio.Future[list[int]] | None  # None: failures go to the hook
    done: asyncio.Future[bool] | None = None  # a post's end: True sent, False reported failed
    sent: int = 0
    results: list[int] = field(default_factory=list)
    progress: Progress | None = None


class Sender:
    """Queues per chat; ``post`` for replies (fire and forget), ``deliver`` to await the result."""

    def __init__(
        self,
        transport: Transport,
        limiter: RateLimiter,
        retry: RetryPolicy | None = None,
        on_failure: FailureHook | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self._transport = transport
        self._limiter = limiter
        self._retry = retry or RetryPolicy()
        self._on_failure = on_failure
        self._sleep = sleep
        self._queues: dict[int, deque[_Job]] = {}
        self._workers: dict[int, asyncio.Task[None]] = {}

    def post(self, chat_id: int, requests: Sequence[Request]) -> asyncio.Future[bool]:
        """Queue requests for a chat; failures are reported to ``on_failure``.

        The future is True once every request was sent, False once they were given up on
        (and reported); it never raises, and nobody has to await it. ``Tracked`` requests tell
        their ``Progress`` as they go out (before the future ends).
        """
        done: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        if requests:
            progress = requests.progress if isinstance(requests, Tracked) else None
            self._enqueue(chat_id, _Job(requests, None, done, progress=progress))
        else:
            done.set_result(True)
        return done

    async def deliver(self, chat_id: int, requests: Sequence[Request]) -> list[int]:
        """Queue requests and wait until they are sent; their ids (message, topic), in order.

        Raises ``TgApiError`` if they cannot be sent.
        """
        if not requests:
            return []
        future: asyncio.Future[list[int]] = asyncio.get_running_loop().create_future()
        self._enqueue(chat_id, _Job(requests, future))
        return await future

    def pending(self) -> int:
        """Jobs queued or being sent."""
        return sum(len(q) for q in self._queues.values())

    async def drain(self, timeout: float) -> None:
        """Let queued messages go out (up to ``timeout``), then report what is left as failed."""
        workers = list(self._workers.values())
        if workers:
            await asyncio.wait(workers, timeout=timeout)
        for task in list(self._workers.values()):
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    def _enqueue(self, chat_id: int, job: _Job) -> None:
        self._queues.setdefault(chat_id, deque()).append(job)
        if chat_id not in self._workers:
            self._workers[chat_id] = asyncio.create_task(self._work(chat_id))

    async def _work(self, chat_id: int) -> None:
        queue = self._queues[chat_id]
        try:
            while queue:
                job = queue[0]
                await self._run(chat_id, job)
                queue.popleft()
        except asyncio.CancelledError:
            while queue:  # shutting down: what was not sent is a failure, not a silence
                await self._failed(chat_id, queue.popleft(), TgApiError(0, "not sent at shutdown"))
            raise
        finally:
            del self._queues[chat_id], self._workers[chat_id]

    async def _run(self, chat_id: int, job: _Job) -> None:
        try:
            for request in job.requests[job.sent :]:
                job.results.append(await self._send(chat_id, request, job.progress))
                job.sent += 1
                if job.progress is not None:  # recorded before the next request is made
                    await self._tell(chat_id, job.progress.went_out(job.sent))
        except TgApiError as exc:
            await self._failed(chat_id, job, exc)
        except Exception as exc:  # an adapter bug must not stop this chat's queue
            log.exception("telegram: send crashed", extra={"chat": chat_id})
            await self._failed(chat_id, job, TgApiError(0, type(exc).__name__))
        else:
            if job.future is not None and not job.future.done():
                job.future.set_result(job.results)
            if job.done is not None and not job.done.done():
                job.done.set_result(True)

    async def _send(self, chat_id: int, request: Request, progress: Progress | None = None) -> int:
        failures = floods = 0
        while True:
            try:
                async with self._limiter.slot(chat_id):  # counts from when the request ends
                    if progress is None:
                        return await self._transport(request)
                    await self._tell(chat_id, progress.ready())  # a wait here delays the send,
                    try:  # not the record of it: the window a crash repeats stays short
                        return await self._transport(request)
                    except BaseException:
                        await self._tell(chat_id, progress.not_sent())
                        raise
            except TgApiError as exc:
                if exc.retry_after is not None and floods < self._retry.flood_waits:
                    floods += 1
                    log.warning(
                        "telegram: flood control, waiting",
                        extra={"chat": chat_id, "retry_after": exc.retry_after},
                    )
                    await self._sleep(exc.retry_after)
                    continue
                failures += 1
                if exc.permanent or exc.retry_after is not None or failures >= self._retry.attempts:
                    raise
                log.warning(
                    "telegram: send failed, retrying",
                    extra={"chat": chat_id, "status": exc.status, "attempt": failures},
                )
                await self._sleep(self._retry.wait(failures))

    async def _tell(self, chat_id: int, told: Awaitable[None]) -> None:
        """Await a ``Progress`` call; what it raises is logged (the send goes on)."""
        try:
            await told
        except Exception:
            log.exception("telegram: a reply's progress was not recorded", extra={"chat": chat_id})

    async def _failed(self, chat_id: int, job: _Job, exc: TgApiError) -> None:
        try:
            await self._report(chat_id, job, exc)
        finally:
            if job.done is not None and not job.done.done():
                job.done.set_result(False)

    async def _report(self, chat_id: int, job: _Job, exc: TgApiError) -> None:
        if job.future is not None:
            if not job.future.done():
                job.future.set_exception(exc)
            return
        failure = FailedDelivery(
            chat_id=chat_id,
            merchant=merchant_key(chat_id) if chat_id > 0 else None,
            texts=tuple(shown_text(r) for r in job.requests[job.sent :]),
            reason=str(exc),
            permanent=exc.permanent,
        )
        log.error(
            "telegram: reply not delivered",
            extra={"chat": chat_id, "reason": failure.reason, "permanent": exc.permanent},
        )
        if self._on_failure is not None:
            try:
                await self._on_failure(failure)
            except Exception:
                log.exception("telegram: the delivery-failure hook failed", extra={"chat": chat_id})
