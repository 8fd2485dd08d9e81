"""The conversation service: store the event, decide the reply, store the reply."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from bot.core.ports import (
    MerchantRecord,
    NewMessage,
    StoredMessage,
    UnansweredQuestion,
    UnitOfWork,
)
from bot.core.responder import Outcome, Responder
from bot.core.types import Incoming, MerchantKey, Outgoing, Reply
from bot.faq.matcher import Matcher

log = logging.getLogger(__name__)

LOW_CONFIDENCE_MARGIN = 0.10  # answers this close to the answer threshold are logged for admins
# A repeat delivery that arrives while the first is still being answered waits for that answer
# (WeChat retries after 5 s and must get the same reply), but not for ever.
REPLAY_WAIT_SECONDS = 3.0
REPLAY_POLL_SECONDS = 0.05


class ConversationService:
    """One entry point for every channel: ``handle`` an event, read a merchant's ``history``."""

    def __init__(self, matcher: Callable[[], Matcher], uow: Callable[[], UnitOfWork]) -> None:
        self._matcher = matcher
        self._uow = uow
        self._responder = Responder(matcher)

    async def history(self, key: MerchantKey, limit: int = 100) -> list[StoredMessage]:
        """A merchant's latest messages, oldest first (none for an unknown merchant)."""
        async with self._uow() as uow:
            merchant = await uow.merchants.get_or_create(key)
            return await uow.messages.history(merchant.id, limit)

    async def handle(self, event: Incoming) -> Reply:
        """Store the event (committed before anything is answered), reply, store the reply."""
        channel, key = event.merchant.channel, event.delivery_key
        async with self._uow() as uow:
            merchant = await uow.merchants.get_or_create(event.merchant)
            earlier = await uow.deliveries.message_for(channel, key) if key else None
            if earlier is None:
                inbound = await uow.messages.add(self._inbound(merchant, event))
                if key and not await uow.deliveries.claim(channel, key, inbound.id):
                    await uow.rollback()  # a concurrent delivery of the same event won the race
                    earlier = await uow.deliveries.message_for(channel, key)
            if earlier is None:
                await uow.commit()
                return await self._answer(uow, merchant, inbound, event)
        return await self._replay(merchant, earlier)

    async def _answer(
        self, uow: UnitOfWork, merchant: MerchantRecord, inbound: StoredMessage, event: Incoming
    ) -> Reply:
        log.info(
            "message received",
            extra={"merchant": merchant.id, "channel": event.merchant.channel, "kind": event.kind},
        )
        outcome = self._responder.respond(merchant, event, inbound.id)
        await self._store(uow, merchant, inbound, outcome, event)
        await uow.commit()
        d = outcome.decision
        log.info(
            "reply sent",
            extra={
                "merchant": merchant.id,
                "action": d.action if d else event.kind,
                "faq_id": d.faq_id if d else None,
            },
        )
        return Reply(tuple(outcome.messages), locale=outcome.locale)

    def _inbound(self, merchant: MerchantRecord, event: Incoming) -> NewMessage:
        text = event.text
        if event.kind == "location" and event.location is not None:
            text = f"{event.location.lat:.6f},{event.location.lon:.6f}"
        return NewMessage(
            merchant_id=merchant.id,
            direction="in",
            kind=event.kind,
            text=text,
            payload=event.payload,
            channel_message_id=event.message_id,
            locale=merchant.locale,
        )

    async def _store(
        self,
        uow: UnitOfWork,
        merchant: MerchantRecord,
        inbound: StoredMessage,
        outcome: Outcome,
        event: Incoming,
    ) -> None:
        d = outcome.decision
        for message in outcome.messages:
            await uow.messages.add(
                NewMessage(
                    merchant_id=merchant.id,
                    direction="out",
                    kind="text",
                    text=message.text,
                    reply_to=inbound.id,
                    locale=outcome.locale,
                    action=d.action if d else None,
                    faq_id=d.faq_id if d else None,
                    score=d.score if d else None,
                    buttons=message.buttons,
                )
            )
        if outcome.feedback is not None:
            question_id, helpful = outcome.feedback
            question = await uow.messages.get(question_id)
            if question is not None and question.merchant_id == merchant.id:
                await uow.feedback.record(question_id, merchant.id, helpful)
        if d is not None and self._worth_logging(d.action, d.score):
            await uow.unanswered.add(
                UnansweredQuestion(
                    message_id=inbound.id,
                    text=event.text,
                    locale=outcome.locale,
                    action=d.action,
                    score=d.score,
                    candidates=tuple((c.faq_id, c.score) for c in d.candidates),
                )
            )
        if outcome.merchant_changed:
            await uow.merchants.update(merchant)

    def _worth_logging(self, action: str, score: float) -> bool:
        if action in ("fallback", "clarify"):
            return True
        answer = self._matcher().thresholds.answer
        return action == "answer" and score < answer + LOW_CONFIDENCE_MARGIN

    async def _replay(self, merchant: MerchantRecord, message_id: int | None) -> Reply:
        """The answer already given to a repeated delivery (waiting briefly if still in work)."""
        waited = 0.0
        while True:
            async with self._uow() as uow:
                earlier = await uow.messages.replies_to(message_id) if message_id else []
            if earlier or waited >= REPLAY_WAIT_SECONDS:
                break
            await asyncio.sleep(REPLAY_POLL_SECONDS)
            waited += REPLAY_POLL_SECONDS
        messages = tuple(Outgoing(m.text, m.buttons) for m in earlier)
        return Reply(messages, locale=merchant.locale or "en", duplicate=True)
