"""One update in: stored and answered by the core, the reply queued; repeats handled once.

``process`` returns once the core has committed the merchant's message and the answer is
queued, with a future that ends when the answer has gone out and the core has recorded so
(``Conversation.sent``). The poller confirms the update's offset, and the webhook answers
Telegram, only after that: a process killed before it leaves the update with Telegram, which
delivers it again. A repeat delivery is recognised by the core through the delivery key; its
stored answer is sent again only when it was never recorded as sent (the process died in
between), so a crash can at worst repeat an answer whose send was in flight, never lose one.
An answer of several messages is recorded message by message as each send returns, with the
database connection taken before the send (``Conversation.recorder``); a repeat sends only the
messages not recorded (``Reply.parts_sent``), so a crash repeats one message at most.
"""

from __future__ import annotations

import asyncio
import logging
from collections import OrderedDict
from dataclasses import replace

from bot.channels.telegram.api import BotApi, TgApiError
from bot.channels.telegram.downloads import Downloads, merchant_locale
from bot.channels.telegram.mapping import Inbound, sender_of, to_inbound, to_requests
from bot.channels.telegram.ordering import ChatLocks
from bot.channels.telegram.sender import Sender, Tracked
from bot.channels.telegram.sends import SendText
from bot.channels.telegram.staff_input import StaffInput
from bot.channels.telegram.topics import Names
from bot.channels.telegram.updates import TgUpdate
from bot.core.files import FileRefused
from bot.core.ports import Conversation, SentRecording
from bot.core.types import Incoming
from bot.logs import current_request_id, request_scope

log = logging.getLogger(__name__)

REMEMBERED = 10_000  # delivery keys answered by this process, for repeats while it runs

Answered = asyncio.Future[None]  # done once the answer went out (or was reported undelivered)


class Intake:
    """Routes updates: merchants' private chats to the core, the staff chat to ``staff``."""

    def __init__(
        self,
        api: BotApi,
        conversation: Conversation,
        sender: Sender,
        bot_id: str,
        staff: StaffInput | None = None,
        names: Names | None = None,
        downloads: Downloads | None = None,
    ):
        self._api = api
        self._downloads = downloads  # None: files are off, a photo gets the "text only" reply
        self._conversation = conversation
        self._sender = sender
        self._bot_id = bot_id
        self._staff = staff
        self._names = names or Names()
        self._locks = ChatLocks()
        # Answers this process queued, by delivery key: a repeat while it runs (a webhook
        # retry, a re-fetched update) waits for the same answer instead of sending another.
        self._answers: OrderedDict[str, Answered] = OrderedDict()

    async def process(self, update: TgUpdate) -> Answered | None:
        """Store and answer one update; raises when the core could not store it.

        Returns what must end before Telegram may forget the update (the answer sent and
        recorded), or None when nothing is sent. Logged under one request id: the webhook's
        request's, or a fresh one per polled update.
        """
        with request_scope(current_request_id() or None):
            return await self._process(update)

    async def _process(self, update: TgUpdate) -> Answered | None:
        if self._staff is not None and self._staff.handles(update):
            async with self._locks.hold(self._staff.chat_id):  # one staff action at a time
                await self._staff.process(update)
            return None
        inbound = to_inbound(update, self._bot_id, files=self._downloads is not None)
        if inbound is None:
            log.debug("telegram: update ignored", extra={"update_id": update.update_id})
            return None
        user = sender_of(update)
        if user is not None:  # staff see who opened a ticket by a (masked) name
            self._names.seen(user.id, user.name)
        key, chat = inbound.event.delivery_key or "", inbound.chat_id
        async with self._locks.hold(chat):
            known = self._answers.get(key)
            if known is not None:  # answered by this process: sent, or still on its way
                log.info(
                    "telegram: repeated update already answered",
                    extra={"chat": chat, "update_id": update.update_id},
                )
                return known
            event = inbound.event
            if inbound.fetch is not None:  # downloaded under the lock: the chat keeps its order
                try:
                    event = await self._fetch(inbound)
                except FileRefused as exc:
                    refused = await self._refuse(inbound, exc)
                    self._remember(key, refused)
                    return refused
            reply = await self._conversation.handle(event)
            resend = reply.duplicate and not reply.sent and bool(reply.messages)
            answered: Answered | None = None
            skipped = 0
            if reply.messages and (resend or not reply.duplicate):
                requests = to_requests(chat, reply.messages)
                if resend:  # the messages recorded as gone out are not sent again
                    skipped = min(max(reply.parts_sent, 0), len(requests))
                marks = _Marks(self._conversation, event, len(requests), skipped)
                # queued under the lock: the chat's replies keep its order
                done = self._sender.post(chat, Tracked(requests[skipped:], marks))
                answered = asyncio.create_task(self._record(event, done, marks))
                self._remember(key, answered)
        if resend:
            log.warning(
                "telegram: repeated update whose answer was not recorded as sent; sending it",
                extra={
                    "chat": chat,
                    "update_id": update.update_id,
                    "replies": len(reply.messages),
                    "already_sent": skipped,
                },
            )
        elif reply.duplicate:  # replies=0: unanswered by design (open ticket) or by a crash
            log.info(
                "telegram: repeated update not answered again",
                extra={"chat": chat, "update_id": update.update_id, "replies": len(reply.messages)},
            )
        elif inbound.callback_id is not None:
            await self._acknowledge(inbound.callback_id, chat)
        return answered

    async def _fetch(self, inbound: Inbound) -> Incoming:
        """The "file" event with its attachment downloaded and checked (``FileRefused``)."""
        assert self._downloads is not None and inbound.fetch is not None
        attachment = await self._downloads.attachment(inbound.fetch)
        return replace(inbound.event, attachment=attachment)

    async def _refuse(self, inbound: Inbound, exc: FileRefused) -> Answered:
        """Say why the file was not taken, in the merchant's language; nothing is stored."""
        event, chat = inbound.event, inbound.chat_id
        log.info("telegram: file refused", extra={"chat": chat, "reason": exc.code})
        locale = await merchant_locale(self._conversation, event)
        done = self._sender.post(chat, [SendText(chat, exc.text(locale))])
        return asyncio.ensure_future(_ended(done))

    async def _record(self, event: Incoming, done: asyncio.Future[bool], marks: _Marks) -> None:
        """Wait for the answer's send; once it went out, make sure the core recorded it as sent
        (``marks`` did as the last message returned, unless that failed: tried again here).

        Never raises: an answer sent and not recorded is sent again only after a crash. One
        given up on is reported (``on_failure``) and not recorded, so a repeat tries again
        (the messages recorded as gone out excepted).
        """
        try:
            if await done and not marks.complete:
                await self._conversation.sent(event)
        except Exception:
            log.exception(
                "telegram: answer sent but not recorded as sent",
                extra={"merchant": event.merchant.user_id},
            )

    def _remember(self, key: str, answered: Answered) -> None:
        if not key:
            return
        self._answers[key] = answered
        while len(self._answers) > REMEMBERED:
            self._answers.popitem(last=False)

    async def _acknowledge(self, callback_id: str, chat_id: int) -> None:
        try:
            await self._api.answer_callback(callback_id)
        except TgApiError as exc:  # e.g. "query is too old": the spinner has stopped anyway
            log.warning(
                "telegram: answerCallbackQuery failed", extra={"chat": chat_id, "reason": str(exc)}
            )


class _Marks:
    """Records how far one answer went out, as the sender tells (``Progress``): before each
    message the core's recorder takes its database connection, and as the message returns it
    writes one mark, ``skipped + sent`` of ``total`` (the last: the answer is sent).

    A conversation without a recorder (a wrapper around the core) records only the whole
    answer, through ``sent``, as the last message returns.
    """

    def __init__(
        self, conversation: Conversation, event: Incoming, total: int, skipped: int = 0
    ) -> None:
        self._conversation, self._event = conversation, event
        self._total, self._skipped = total, skipped
        recorder = getattr(conversation, "recorder", None)
        self._recorder: SentRecording | None = recorder(event) if recorder is not None else None
        self.complete = False  # the whole answer was recorded as sent

    async def ready(self) -> None:
        if self._recorder is not None:
            await self._recorder.open()

    async def went_out(self, sent: int) -> None:
        count = self._skipped + sent
        if count < self._total:
            if self._recorder is not None:
                await self._recorder.record(count)
            return
        if self._recorder is not None:
            await self._recorder.record()
        else:
            await self._conversation.sent(self._event)
        self.complete = True

    async def not_sent(self) -> None:
        if self._recorder is not None:
            await self._recorder.close()


async def _ended(done: asyncio.Future[bool]) -> None:
    """Wait for a post to end (sent, or reported undelivered)."""
    await done
