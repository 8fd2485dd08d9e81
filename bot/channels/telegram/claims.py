"""Webhook updates answered once across the fleet: the replica answering one claims it.

Telegram re-delivers an update whose webhook request did not get its 2xx in time, and behind
one URL the retry may land on another replica while the first is still answering. That
replica's core would see a repeat whose answer is not yet recorded as sent and send it again.
So the replica that takes an update claims its delivery key in ``Shared`` (Redis with
REDIS_URL) on a lease it renews while the answer is in work, and releases it once the answer
went out and was recorded: a retry elsewhere meanwhile is refused (the webhook's 503, Telegram
tries again later), a retry after finds the answer stored and sent. A replica that dies
leaves its lease to lapse, and a later retry takes the update over (the core then sends the
stored answer if it was never recorded as sent). A repeat arriving on the replica that holds
the claim joins the answer in work there (``Intake`` waits for the same one).
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Awaitable, Callable

from bot.channels.telegram.mapping import delivery_key
from bot.channels.telegram.updates import TgUpdate
from bot.core.shared import Shared

log = logging.getLogger(__name__)

# A claim lives this long unless its replica renews it (every CLAIM_RENEW_SECONDS while the
# answer is in work): a dead replica's update is taken over by the first retry after it.
CLAIM_SECONDS = 10.0
CLAIM_RENEW_SECONDS = 3.0


def claim_key(key: str) -> str:
    """The shared key a replica claims to answer a delivery."""
    return f"telegram:claim:{key}"


class Claims:
    """This replica's claims on the updates it answers; ``lease``/``renew_every`` in seconds."""

    def __init__(
        self,
        shared: Shared,
        bot_id: str,
        *,
        lease: float = CLAIM_SECONDS,
        renew_every: float = CLAIM_RENEW_SECONDS,
    ) -> None:
        if not 0 < renew_every < lease:
            raise ValueError("a claim must be renewed before its lease runs out")
        self._shared, self._bot_id = shared, bot_id
        self._lease, self._renew_every = lease, renew_every
        self._working: dict[str, asyncio.Task[None]] = {}  # by delivery key: answers in work
        self._keeping: set[asyncio.Task[None]] = set()  # renewals (kept from the collector)

    async def run(self, update: TgUpdate, work: Callable[[], Awaitable[None]]) -> bool:
        """Do ``work`` holding the update's claim; False (nothing done) when another replica
        holds it. Raises what ``work`` raised."""
        key = delivery_key(self._bot_id, update)
        if key in self._working:  # this replica answers it: the repeat joins (Intake dedups)
            await work()
            return True
        token = uuid.uuid4().hex
        try:
            won = await self._shared.claim(claim_key(key), self._lease, token)
        except Exception as exc:  # better a rare second answer than none: the core dedups
            log.warning("telegram: claiming an update failed", extra={"reason": repr(exc)})
            won = True
        if not won:
            log.info(
                "telegram: update being answered by another replica",
                extra={"update_id": update.update_id},
            )
            return False
        task = asyncio.create_task(_call(work))
        self._working[key] = task
        keeper = asyncio.create_task(self._keep(key, token, task))
        self._keeping.add(keeper)
        keeper.add_done_callback(self._keeping.discard)
        # shielded: a request that goes away (Telegram timed out) leaves the answer and its
        # claim running to the end, so no retry elsewhere sends it meanwhile; the keeper, not
        # the task: the claim is released before Telegram hears that the update is done
        await asyncio.shield(keeper)
        task.result()  # raises what ``work`` raised
        return True

    async def _keep(self, key: str, token: str, task: asyncio.Task[None]) -> None:
        """Renew the claim while ``task`` runs, then release it (not when cancelled: a dead
        replica's claim lapses instead)."""
        shared_key, renewing = claim_key(key), True
        while not task.done():
            await asyncio.wait({task}, timeout=self._renew_every)
            if task.done() or not renewing:
                continue
            try:
                renewing = await self._shared.renew(shared_key, token, self._lease)
            except Exception as exc:  # tried again next time; meanwhile the lease may lapse
                log.warning("telegram: renewing a claim failed", extra={"reason": repr(exc)})
                continue
            if not renewing:  # this replica stalled past its lease and a retry took over
                log.warning("telegram: another replica took an update over")
        if self._working.get(key) is task:
            del self._working[key]
        if not task.cancelled():
            task.exception()  # the request reports it; seen here too, when it went away
        try:
            await self._shared.delete(shared_key, token)  # only while it is still ours
        except Exception as exc:  # then it lapses after the lease
            log.warning("telegram: releasing a claim failed", extra={"reason": repr(exc)})


async def _call(work: Callable[[], Awaitable[None]]) -> None:
    """``work`` as a coroutine (a task of its own)."""
    await work()
