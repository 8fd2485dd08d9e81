"""The conversation service: store the event, decide the reply, store the reply."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Sequence
from contextlib import AsyncExitStack

from bot.centres.finder import CentreFinder
from bot.core import payloads, texts
from bot.core.escalation import Escalation
from bot.core.feedback import FeedbackPrompts
from bot.core.files import Files, StoredFile
from bot.core.handover import wants_person
from bot.core.language import parse_locale
from bot.core.metrics import NO_METRICS, Metrics
from bot.core.notify import TicketListener, notify
from bot.core.ports import (
    MerchantRecord,
    NewMessage,
    StoredMessage,
    UnansweredQuestion,
    UnitOfWork,
)
from bot.core.report import unsure
from bot.core.responder import Outcome, Responder
from bot.core.smalltalk import is_small_talk
from bot.core.teams import DefaultTeamOnly
from bot.core.texts import t
from bot.core.tickets import Ticket, TicketEvent
from bot.core.types import Button, Incoming, MerchantKey, Outgoing, Reply, storable_event
from bot.faq.decision import Decision
from bot.faq.matcher import Matcher

log = logging.getLogger(__name__)

# A repeat delivery that arrives while the first is still being answered waits for that answer
# (WeChat retries after 5 s and must get the same reply), but not for ever.
REPLAY_WAIT_SECONDS = 3.0
REPLAY_POLL_SECONDS = 0.05


def sent_marks(channel: str) -> str:
    """The delivery-key namespace recording that a delivery's answer reached the merchant."""
    return f"{channel}:sent"


def queued_marks(channel: str) -> str:
    """The delivery-key namespace recording that a delivery's answer was queued in the outbox."""
    return f"{channel}:queued"


def part_marks(channel: str) -> str:
    """The delivery-key namespace recording that some of the channel's sends of a delivery's
    answer went out: one mark per count, keyed ``part_key(key, count)``."""
    return f"{channel}:part"


MAX_KEY = 255  # deliveries.key
MAX_PARTS = 100  # a repeat looks for at most this many part marks


def part_key(key: str, count: int) -> str | None:
    """The key of the mark saying ``count`` sends went out; None when it would not fit (that
    answer's progress is not recorded: a repeat sends all of it, as before)."""
    marked = f"{key}#{count}"
    return marked if len(marked) <= MAX_KEY else None


class SentRecorder:
    """Records how far the answer to one delivery went out (``SentRecording``).

    ``open`` takes the unit of work and finds the stored message before the channel's send;
    ``record`` after it claims one mark and commits: a crash between a send and its record
    (the send then repeated) has only that write as its window. Marks go beside the delivery
    key, in the deliveries table: ``sent_marks`` for the whole answer, ``part_marks`` per count
    of sends that went out.
    """

    def __init__(self, uow: Callable[[], UnitOfWork], channel: str, key: str) -> None:
        self._make, self._channel, self._key = uow, channel, key
        self._stack: AsyncExitStack | None = None
        self._uow: UnitOfWork | None = None
        self._message_id: int | None = None

    async def open(self) -> None:
        """Open the unit of work and find the stored message (nothing when already open)."""
        if self._stack is not None or not self._key:
            return
        stack = AsyncExitStack()
        try:
            uow = await stack.enter_async_context(self._make())
            self._message_id = await uow.deliveries.message_for(self._channel, self._key)
        except BaseException:
            await stack.aclose()
            raise
        self._stack, self._uow = stack, uow

    async def record(self, count: int | None = None) -> None:
        """``count`` sends went out (None: all of them): one mark, committed; then closed."""
        if not self._key:
            return
        try:
            await self.open()
            uow, message_id = self._uow, self._message_id
            if uow is None or message_id is None:
                return
            if count is None:
                channel, key = sent_marks(self._channel), self._key
            else:
                channel, marked = part_marks(self._channel), part_key(self._key, count)
                if marked is None:
                    return
                key = marked
            if await uow.deliveries.claim(channel, key, message_id):
                await uow.commit()
        finally:
            await self.close()

    async def close(self) -> None:
        """Close the unit of work (rolled back unless ``record`` committed)."""
        stack, self._stack, self._uow, self._message_id = self._stack, None, None, None
        if stack is not None:
            await stack.aclose()


class ConversationService:
    """One entry point for every channel: ``handle`` an event, read a merchant's ``history``."""

    def __init__(
        self,
        matcher: Callable[[], Matcher],
        uow: Callable[[], UnitOfWork],
        *,
        escalation: Escalation | None = None,
        listeners: Sequence[TicketListener] = (),
        centres: Callable[[], CentreFinder] | None = None,
        metrics: Metrics = NO_METRICS,
        files: Files | None = None,
        prompts: FeedbackPrompts | None = None,
        wake: Callable[[], None] = lambda: None,
    ) -> None:
        self._matcher = matcher
        self._wake = wake  # tells the delivery loop an answer was queued (``queue_answer``)
        self.files = files  # where "file" events keep their attachment (None: files are off)
        self.metrics = metrics
        self._uow = uow
        self._responder = Responder(matcher, centres=centres)
        self.escalation = escalation or Escalation(DefaultTeamOnly)
        # "Did this help?" once per burst, on the escalation's clock unless given its own
        self.prompts = prompts or FeedbackPrompts(clock=self.escalation.now)
        self.listeners = listeners
        self._answering: set[int] = set()  # inbound message ids this process is answering now

    async def history(self, key: MerchantKey, limit: int = 100) -> list[StoredMessage]:
        """A merchant's latest messages, oldest first (none for an unknown merchant)."""
        async with self._uow() as uow:
            merchant = await uow.merchants.get_or_create(key)
            return await self._with_files(uow, await uow.messages.history(merchant.id, limit))

    async def since(self, key: MerchantKey, after: int, limit: int = 100) -> list[StoredMessage]:
        """A merchant's messages committed after the cursor ``after`` (the web chat polls)."""
        async with self._uow() as uow:
            merchant = await uow.merchants.get_or_create(key)
            return await self._with_files(uow, await uow.messages.since(merchant.id, after, limit))

    async def file(self, key: MerchantKey, file_id: str) -> tuple[StoredFile, bytes] | None:
        """A file of this merchant's conversation, None for another's (or an unknown id)."""
        if self.files is None:
            return None
        async with self._uow() as uow:
            record = await uow.files.get(file_id)
            if record is None:
                return None
            merchant = await uow.merchants.get(record.merchant_id)
        if merchant is None or merchant.key != key:
            return None
        data = await self.files.read(record)
        return (record, data) if data is not None else None

    async def _with_files(
        self, uow: UnitOfWork, messages: list[StoredMessage]
    ) -> list[StoredMessage]:
        return await self.files.attach(uow, messages) if self.files is not None else messages

    async def sent(self, event: Incoming, count: int | None = None) -> None:
        """The answer to ``event`` reached the merchant (the channel sent it after ``handle``
        returned): recorded under the event's delivery key, so that a repeat delivery (after
        a crash) replays it with ``sent`` and the channel does not send it again. With
        ``count``: only that many of the channel's sends of it went out (``Reply.parts_sent``).
        """
        await self.recorder(event).record(count)

    def recorder(self, event: Incoming) -> SentRecorder:
        """Records how far the answer to ``event`` went out, send by send (``SentRecorder``)."""
        event = storable_event(event)
        return SentRecorder(self._uow, event.merchant.channel, event.delivery_key or "")

    async def queue_answer(self, event: Incoming) -> bool:
        """Queue the stored answer to ``event`` in the outbox, for a channel that sends it after
        ``handle`` returned and must not lose it (WeChat's late answers): leased, retried, sent
        by whichever replica claims it. Once per delivery key (committed with the item), so a
        second call queues nothing; True when the outbox has it, False when nothing is stored
        to send (the channel then sends what it has itself)."""
        event = storable_event(event)
        channel, key = event.merchant.channel, event.delivery_key
        if not key:
            return False
        async with self._uow() as uow:
            message_id = await uow.deliveries.message_for(channel, key)
            inbound = await uow.messages.get(message_id) if message_id is not None else None
            replies = await uow.messages.replies_to(inbound.id) if inbound is not None else []
            if inbound is None or not replies:
                return False
            if not await uow.deliveries.claim(queued_marks(channel), key, inbound.id):
                return True  # queued before: never a second item for one answer
            ticket = await uow.tickets.active_for(inbound.merchant_id)
            ticket_id = ticket.id if ticket is not None else None
            # The item names the answer's first message, not the question: a replica still on
            # the previous release sends that message as it would a staff reply, never the
            # merchant's own words back.
            await uow.outbox.add(replies[0].id, ticket_id, inbound.merchant_id, channel)
            await uow.commit()
        self._wake()
        return True

    async def delivery_failed(self, key: MerchantKey, texts: Sequence[str], reason: str) -> None:
        """Answers a channel gave up sending: kept as failed replies on a ticket staff see."""
        async with self._uow() as uow:
            merchant = await uow.merchants.get_or_create(key)
            ticket, event = await self.escalation.undelivered(uow, merchant, texts, reason)
            await uow.commit()
        log.warning("answer undelivered", extra={"merchant": merchant.id, "ticket": ticket.id})
        self.metrics.delivery_failed(key.channel)
        await notify(self.listeners, ticket, event)

    async def handle(self, event: Incoming) -> Reply:
        """Store the event (committed before anything is answered), reply, store the reply."""
        started = time.perf_counter()
        event = storable_event(event)
        channel, key = event.merchant.channel, event.delivery_key
        async with self._uow() as uow:
            merchant = await uow.merchants.get_or_create(event.merchant)
            if event.display_name and event.display_name != merchant.display_name:
                merchant.display_name = event.display_name[:128]
                await uow.merchants.update(merchant)  # committed with the inbound message
            earlier = await uow.deliveries.message_for(channel, key) if key else None
            if earlier is None:
                inbound = await uow.messages.add(self._inbound(merchant, event))
                if key and not await uow.deliveries.claim(channel, key, inbound.id):
                    await uow.rollback()  # a concurrent delivery of the same event won the race
                    earlier = await uow.deliveries.message_for(channel, key)
                elif event.attachment is not None:
                    await self._keep(uow, merchant, inbound, event)
            if earlier is None:
                self._answering.add(inbound.id)  # before the commit makes it visible to repeats
                try:
                    await uow.commit()
                    reply = await self._answer(uow, merchant, inbound, event)
                finally:
                    self._answering.discard(inbound.id)
                self.metrics.message_out(channel, len(reply.messages))
                self.metrics.handled(channel, time.perf_counter() - started)
                return reply
        reply = await self._replay(merchant, earlier, channel, key)
        if reply.messages or earlier is None:
            return reply
        return await self._recover(merchant, earlier, event) or reply

    async def _keep(
        self, uow: UnitOfWork, merchant: MerchantRecord, inbound: StoredMessage, event: Incoming
    ) -> None:
        """Store a file with its message (committed together, before any answer)."""
        if self.files is None or event.attachment is None:
            raise RuntimeError("files are off: a channel must not hand in a file")
        ticket = await uow.tickets.active_for(merchant.id)
        ticket_id = ticket.id if ticket is not None else None
        await self.files.keep(uow, event.attachment, merchant.id, inbound.id, ticket_id)

    async def _recover(
        self, merchant: MerchantRecord, message_id: int, event: Incoming
    ) -> Reply | None:
        """Answer a stored message whose first delivery died before its answer was stored.

        The message and its delivery key are committed first, the answer in a second
        transaction: a crash (or a failed commit, which the web chat answers with a 503 to
        retry) in between leaves a message that every repeat delivery would replay as nothing.
        When no answer is stored, nobody in this process is answering it, and it did not join
        a ticket (a relayed message may stay unanswered by design), the repeat answers it once.
        """
        if message_id in self._answering:
            return None  # still in work here (slow): the replay's wait was not long enough
        async with self._uow() as uow:
            inbound = await uow.messages.get(message_id)
            if inbound is None or inbound.merchant_id != merchant.id:
                return None  # another merchant's key (web ids are the client's): not ours
            if await uow.messages.replies_to(message_id) or await self._relayed(uow, inbound):
                return None
            self._answering.add(message_id)
            try:
                log.warning(
                    "answering a message whose first delivery was not answered",
                    extra={"merchant": merchant.id, "message_id": message_id},
                )
                return await self._answer(uow, merchant, inbound, event)
            finally:
                self._answering.discard(message_id)

    async def _relayed(self, uow: UnitOfWork, inbound: StoredMessage) -> bool:
        """Whether the message joined a ticket (stored with the answer, so it was handled)."""
        ticket = await uow.tickets.latest_for(inbound.merchant_id)
        if ticket is None:
            return False
        return any(e.message_id == inbound.id for e in await uow.tickets.events(ticket.id))

    async def _answer(
        self, uow: UnitOfWork, merchant: MerchantRecord, inbound: StoredMessage, event: Incoming
    ) -> Reply:
        log.info(
            "message received",
            extra={"merchant": merchant.id, "channel": event.merchant.channel, "kind": event.kind},
        )
        self.metrics.message_in(event.merchant.channel)
        ticket = await uow.tickets.active_for(merchant.id)
        closing = self._asks_to_close(event)
        if closing is not None:
            return await self._close(uow, merchant, ticket, inbound, event, closing)
        if ticket is not None and event.kind in ("text", "location", "file"):
            return await self._relay(uow, merchant, ticket, inbound, event)
        rated = await self._rating(uow, merchant, event)
        changed: tuple[Ticket, TicketEvent] | None = None
        if rated is not None:
            outcome, changed = rated
        elif event.kind == "file":  # kept for staff; the bot itself reads no files
            locale = self._responder.locale_for(merchant, event)
            person = Button(t(locale, texts.MENU_HUMAN), payloads.encode("human"))
            outcome = Outcome([Outgoing(t(locale, texts.FILE_KEPT), (person,))], locale)
        elif ticket is not None and wants_person(event):
            locale = parse_locale(merchant.locale or "") or "en"
            outcome = Outcome([Outgoing(t(locale, texts.ALREADY_WITH_PERSON))], locale)
        else:
            outcome = self._responder.respond(merchant, event, inbound.id)
            if outcome.feedback is not None and not outcome.feedback[1]:
                await self._offer_others(uow, merchant, outcome)
            if outcome.feedback is not None and self.prompts.answered(merchant):
                outcome.merchant_changed = True
            # a button pressed while people hold the thread (a related entry) asks nothing
            if self.prompts.apply(merchant, outcome.messages, held=ticket is not None):
                outcome.merchant_changed = True
        if ticket is None and changed is None:
            changed = await self._escalate(uow, merchant, inbound, outcome)
        await self._store(uow, merchant, inbound, outcome, event)
        await uow.commit()
        if changed is not None:
            await notify(self.listeners, *changed, inbound)
        d = outcome.decision
        action = d.action if d else "handover" if outcome.handover else event.kind
        self.metrics.decision(action)
        log.info(
            "reply sent",
            extra={
                "merchant": merchant.id,
                "action": action,
                "faq_id": d.faq_id if d else None,
            },
        )
        return Reply(tuple(outcome.messages), locale=outcome.locale)

    async def _relay(
        self,
        uow: UnitOfWork,
        merchant: MerchantRecord,
        ticket: Ticket,
        inbound: StoredMessage,
        event: Incoming,
    ) -> Reply:
        """People hold the thread: the message joins the ticket, and the merchant is never left
        in silence.

        A clear FAQ question (not a compliance one) is answered by the bot, and staff see that
        in the thread; the merchant hears that the team has the message (see
        ``Escalation.acknowledgement``: the team and when it replies first, then a short
        "added" at most every few minutes).
        """
        relayed = await self.escalation.relay(uow, ticket, inbound)
        changes: list[tuple[TicketEvent, StoredMessage]] = [(relayed, inbound)]
        heard = self._responder.hear(merchant, event)  # the message's language, detected once
        locale = heard.locale
        messages: list[Outgoing] = []
        centre = self._responder.centre_answer(event, heard)
        answer = None
        if centre is not None:  # a place and a centre question: the centre, whatever the FAQ says
            said_centre, centre_id = centre
            (stored_centre,) = await self._store(uow, merchant, inbound, said_centre, event)
            told = await self.escalation.answered(uow, ticket, f"centre {centre_id}", stored_centre)
            changes.append((told, stored_centre))
            messages += said_centre.messages
        else:
            answer = self._responder.faq_answer(merchant, event, inbound.id, heard)
        if answer is not None and not self._clear(answer):
            answer = None  # people hold the thread: only a sure answer beats waiting for them
        if answer is not None and answer.decision is not None and answer.decision.faq_id:
            locale = answer.locale
            self.prompts.apply(merchant, answer.messages, held=True)  # people hold the thread
            stored = await self._store(uow, merchant, inbound, answer, event)
            said = await self.escalation.answered(uow, ticket, answer.decision.faq_id, stored[0])
            changes.append((said, stored[0]))
            messages += answer.messages
        ack = await self.escalation.acknowledgement(uow, ticket, locale)
        if ack is not None:
            message, kind = ack
            (stored_ack,) = await self._store(uow, merchant, inbound, Outcome([message], locale))
            await self.escalation.acknowledged(uow, ticket, kind, stored_ack)
            messages.append(message)
        await uow.commit()
        for change, shown in changes:
            await notify(self.listeners, ticket, change, shown)
        self.metrics.decision("relayed")
        log.info(
            "reply sent",
            extra={
                "merchant": merchant.id,
                "action": "relayed",
                "faq_id": answer.decision.faq_id if answer and answer.decision else None,
                "ticket": ticket.id,
            },
        )
        return Reply(tuple(messages), locale=locale)

    def _asks_to_close(self, event: Incoming) -> str | None:
        """The ticket id a "close my request" button names, "" for /close; None otherwise."""
        if event.kind == "button":
            payload = payloads.decode(event.payload)
            return payload.arg if payload is not None and payload.action == "close" else None
        if event.kind == "command" and event.text.strip().lstrip("/").lower() == "close":
            return ""
        if event.kind == "text" and event.text.strip().lower() == "/close":  # web, WeChat
            return ""
        return None

    async def _close(
        self,
        uow: UnitOfWork,
        merchant: MerchantRecord,
        ticket: Ticket | None,
        inbound: StoredMessage,
        event: Incoming,
        named: str,
    ) -> Reply:
        """The merchant closes their own request; staff are told. A stale button closes none."""
        locale = parse_locale(merchant.locale or "") or self._responder.locale_for(merchant, event)
        closed: TicketEvent | None = None
        if ticket is not None and named in ("", str(ticket.id)):
            closed = await self.escalation.close(uow, ticket, inbound)
            text = texts.REQUEST_CLOSED
        else:
            text = texts.ALREADY_CLOSED if named else texts.NO_OPEN_REQUEST
        outcome = Outcome([Outgoing(t(locale, text))], locale)
        await self._store(uow, merchant, inbound, outcome)
        await uow.commit()
        if ticket is not None and closed is not None:
            await notify(self.listeners, ticket, closed, inbound)
        self.metrics.decision("close")
        return Reply(tuple(outcome.messages), locale=locale)

    async def _rating(
        self, uow: UnitOfWork, merchant: MerchantRecord, event: Incoming
    ) -> tuple[Outcome, tuple[Ticket, TicketEvent] | None] | None:
        """A press of a rating button (rate:<ticket>:<1-5>), or None for any other event."""
        payload = payloads.decode(event.payload) if event.kind == "button" else None
        if payload is None or payload.action != "rate":
            return None
        locale = parse_locale(merchant.locale or "") or "en"
        rated = await self.escalation.rate(uow, merchant, payload.arg, payload.extra)
        text = texts.RATING_THANKS if rated else texts.STALE_BUTTON
        return Outcome([Outgoing(t(locale, text))], locale), rated

    async def _offer_others(
        self, uow: UnitOfWork, merchant: MerchantRecord, outcome: Outcome
    ) -> None:
        """A 👎 on an answer: the next closest entries for that question, then a person."""
        assert outcome.feedback is not None
        question = await uow.messages.get(outcome.feedback[0])
        if question is None or question.merchant_id != merchant.id or not outcome.messages:
            return
        answered = {m.faq_id for m in await uow.messages.replies_to(question.id) if m.faq_id}
        others = self._responder.other_entries(outcome.locale, question.text, answered)
        if others:
            first = outcome.messages[0]
            outcome.messages[0] = Outgoing(first.text, (*others, *first.buttons), first.venue)

    async def _escalate(
        self, uow: UnitOfWork, merchant: MerchantRecord, inbound: StoredMessage, outcome: Outcome
    ) -> tuple[Ticket, TicketEvent] | None:
        """Open a ticket for a hand-over, or reopen one resolved in the last 7 days."""
        d = outcome.decision
        # Small talk ("thanks", "ok", "👍") after a resolution reopens nothing; a question does.
        unanswered = d is not None and d.action == "fallback"
        if unanswered and inbound.kind == "text" and is_small_talk(inbound.text):
            unanswered = False
        if not (outcome.handover or unanswered):
            return None
        latest = await uow.tickets.latest_for(merchant.id)
        if latest is not None and latest.reopenable(self.escalation.now()):
            event = await self.escalation.reopen(uow, latest, inbound)
            outcome.messages = [Outgoing(t(outcome.locale, texts.TICKET_REOPENED))]
            return latest, event
        if not outcome.handover:
            return None
        ticket, event, notice = await self.escalation.open(
            uow, merchant, outcome.reason, outcome.locale, inbound
        )
        outcome.messages.append(Outgoing(notice))
        return ticket, event

    def _inbound(self, merchant: MerchantRecord, event: Incoming) -> NewMessage:
        text = event.text
        if event.kind == "location" and event.location is not None:
            text = f"{event.location.lat:.6f},{event.location.lon:.6f}"
        if event.kind == "file" and event.attachment is not None and not text:
            text = event.attachment.name  # what staff and a mirror without files read
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
        event: Incoming | None = None,
    ) -> list[StoredMessage]:
        """Store the outcome's messages as replies to ``inbound`` (and what it changed)."""
        d = outcome.decision
        stored: list[StoredMessage] = []
        for message in outcome.messages:
            added = await uow.messages.add(
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
                    venue=message.venue,
                )
            )
            stored.append(added)
        if outcome.feedback is not None:
            question_id, helpful = outcome.feedback
            question = await uow.messages.get(question_id)
            if question is not None and question.merchant_id == merchant.id:
                await uow.feedback.record(question_id, merchant.id, helpful)
        if event is not None and d is not None and self._worth_logging(d):
            await uow.unanswered.add(
                UnansweredQuestion(
                    message_id=inbound.id,
                    text=event.text,
                    locale=outcome.locale,
                    action=d.action,
                    score=d.score,
                    candidates=tuple((c.faq_id, c.score) for c in d.candidates),
                    created_at=self.escalation.now(),  # the service's clock
                )
            )
        if outcome.merchant_changed:
            await uow.merchants.update(merchant)
        return stored

    def _clear(self, outcome: Outcome) -> bool:
        """An FAQ answer the matcher is sure of (not one logged as low-confidence)."""
        d = outcome.decision
        return d is not None and d.action == "answer" and not self._worth_logging(d)

    def _worth_logging(self, d: Decision) -> bool:
        return unsure(self._matcher(), d)

    async def _replay(
        self, merchant: MerchantRecord, message_id: int | None, channel: str, key: str | None
    ) -> Reply:
        """The answer already given to a repeated delivery (waiting briefly if still in work),
        and whether the channel said it was sent."""
        waited, sent, parts = 0.0, False, 0
        while True:
            async with self._uow() as uow:
                earlier = await uow.messages.replies_to(message_id) if message_id else []
                if earlier and key:
                    sent = await uow.deliveries.message_for(sent_marks(channel), key) is not None
                    if not sent:
                        parts = await self._parts_sent(uow, channel, key)
            if earlier or waited >= REPLAY_WAIT_SECONDS:
                break
            await asyncio.sleep(REPLAY_POLL_SECONDS)
            waited += REPLAY_POLL_SECONDS
        messages = tuple(Outgoing(m.text, m.buttons, m.venue) for m in earlier)
        return Reply(
            messages, locale=merchant.locale or "en", duplicate=True, sent=sent, parts_sent=parts
        )

    async def _parts_sent(self, uow: UnitOfWork, channel: str, key: str) -> int:
        """How many sends of the answer went out in an unbroken run of part marks from the
        first (a mark missing in between counts as not sent: sent again, never lost)."""
        parts = 0
        while parts < MAX_PARTS:
            marked = part_key(key, parts + 1)
            if marked is None:
                break
            if await uow.deliveries.message_for(part_marks(channel), marked) is None:
                break
            parts += 1
        return parts
