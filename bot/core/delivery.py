"""Delivers queued staff messages through each merchant's channel, retrying until it can't;
and the bot's answers a channel queued rather than sent itself (WeChat's late answers).

Items live in the database (the outbox), so a reply written just before a restart still goes
out after it. A transient failure is retried with growing waits; a permanent one, or too many
attempts, marks the item failed: the agent sees it in the thread and can send it again.

Several deliverers (replicas of the server) may share the outbox: each item is claimed
atomically for a lease before it is sent (``OutboxRepository.claim``), so no two send it;
a merchant's items are claimed one at a time, in order; an item whose deliverer died while it
was sending is claimed again when its lease runs out. Every claim is a recorded send attempt.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import replace
from datetime import datetime, timedelta

from bot.core.files import Files, StoredFile
from bot.core.metrics import NO_METRICS, Metrics
from bot.core.outbound import DeliveryError, Outbound
from bot.core.ports import StoredMessage, UnitOfWork
from bot.core.sending import Sending
from bot.core.tickets import AttemptResult, OutboxItem, utcnow
from bot.core.types import Attachment, Outgoing

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
FIRST_WAIT = timedelta(seconds=2)
CHANNEL_DOWN_WAIT = timedelta(seconds=5)  # how often a message for a channel that is down retries
# How long a claimed item is left to its deliverer: far longer than any send takes (the
# channels time out well before), and how long a reply waits when its deliverer died mid-send.
LEASE = timedelta(minutes=2)
# Items claimed at once under one lease: few enough that sending them all (a WeChat API call may
# take seconds) ends well within the lease, or another replica would send them again.
BATCH = 5


class Deliverer(Sending):
    """Sends due outbox items; ``wake()`` after queueing, ``run()`` as a background task."""

    def __init__(
        self,
        uow: Callable[[], UnitOfWork],
        outbounds: Mapping[str, Outbound],
        *,
        clock: Callable[[], datetime] = utcnow,
        max_attempts: int = MAX_ATTEMPTS,
        first_wait: timedelta = FIRST_WAIT,
        lease: timedelta = LEASE,
        metrics: Metrics = NO_METRICS,
        files: Files | None = None,
    ) -> None:
        super().__init__(
            clock=clock, max_attempts=max_attempts, first_wait=first_wait, lease=lease
        )
        self._uow = uow
        self.files = files  # a staff reply's attachment is read from here at each attempt
        self.metrics = metrics
        self.outbounds = dict(outbounds)

    async def run(self, poll_seconds: float = 1.0) -> None:
        """Deliver until cancelled, waking on ``wake()`` or every ``poll_seconds``."""
        await self._loop(self.deliver_due, poll_seconds, log, "delivery pass failed")

    async def deliver_due(self) -> int:
        """Claim and send due items until a round sends nothing; returns how many were sent.

        A claim takes the oldest open item of each merchant, so a merchant's next item comes in
        the next round, once the earlier one is sent (a failed one keeps the rest waiting).
        """
        async with self._lock:  # one pass at a time in this process (others claim apart)
            sent = 0
            while True:
                async with self._uow() as uow:
                    items = await uow.outbox.claim(self._clock(), self._lease, BATCH)
                    await uow.commit()
                delivered = [await self._deliver(item) for item in items]
                sent += sum(delivered)
                if not any(delivered):
                    return sent

    async def _deliver(self, item: OutboxItem) -> bool:
        async with self._uow() as uow:
            message = await uow.messages.get(item.message_id)
            merchant = await uow.merchants.get(item.merchant_id)
            replies: list[StoredMessage] = []
            found: dict[int, StoredFile] = {}
            if message is not None and message.direction == "out" and message.reply_to:
                # a bot answer its channel queued (``queue_answer``): all of it, in one send
                replies = await uow.messages.replies_to(message.reply_to)
            elif self.files is not None:
                found = await uow.files.for_messages([item.message_id])
        outbound = self.outbounds.get(item.channel)
        if message is None or merchant is None:
            await self._save(replace(item, status="failed", error="message gone"), "failed")
            return False
        if outbound is None:
            return await self._failed(item, DeliveryError(f"channel {item.channel} is off"))
        attachment = None
        record = found.get(item.message_id)
        if record is not None and self.files is not None:
            # The bytes are read per attempt rather than kept in the outbox: the row stays small
            # and the stored file (metadata stripped) is the one source.
            data = await self.files.read(record)
            if data is None:
                return await self._failed(item, DeliveryError("file gone", permanent=True))
            attachment = Attachment(record.kind, data, record.name)
        outgoing = [Outgoing(message.text, message.buttons, attachment=attachment)]
        locale = message.locale or "en"
        if replies:  # the whole answer in one send, as the channel would have sent it itself
            outgoing = [Outgoing(m.text, m.buttons, m.venue) for m in replies]
            locale = replies[0].locale or locale
        try:
            await outbound.send(merchant.key, outgoing, locale)
        except DeliveryError as exc:
            return await self._failed(item, exc)
        except Exception as exc:  # an adapter bug must not lose the message either
            log.exception("outbound %s raised", item.channel)
            return await self._failed(item, DeliveryError(type(exc).__name__))
        await self._save(replace(item, status="sent", attempts=item.attempts + 1, error=""), "sent")
        if not replies:  # an answer was counted when the conversation gave it
            self.metrics.message_out(item.channel)
        return True

    async def _failed(self, item: OutboxItem, exc: DeliveryError) -> bool:
        if exc.unavailable:  # the channel is down, not this message: wait for it, in order
            retry = self._clock() + CHANNEL_DOWN_WAIT
            await self._save(
                replace(item, status="pending", error=exc.reason[:500], next_attempt_at=retry),
                "unavailable",
            )
            return False
        self.metrics.delivery_failed(item.channel)
        after, final = self._after_failure(item, exc)
        await self._save(after, "failed")
        log.warning(
            "delivery failed",
            extra={"item": item.id, "channel": item.channel, "final": final, "error": exc.reason},
        )
        return False

    async def _save(self, item: OutboxItem, result: AttemptResult) -> None:
        """Store the item's new state (its lease ends) and how its send attempt ended."""
        async with self._uow() as uow:
            await uow.outbox.save(replace(item, lease_until=None))
            if item.attempt:
                await uow.outbox.finish_attempt(item, result, item.error, self._clock())
            await uow.commit()
