"""One update in: stored and answered by the core, the reply queued; repeats handled once.

``process`` returns only after the core has committed the merchant's message, so the webhook's
2xx and the polling offset can follow it. A repeat delivery (same message or button press) is
recognised by the core through the delivery key and is not answered again.
"""

from __future__ import annotations

import logging

from bot.channels.telegram.api import BotApi, TgApiError
from bot.channels.telegram.mapping import sender_of, to_inbound, to_requests
from bot.channels.telegram.ordering import ChatLocks
from bot.channels.telegram.sender import Sender
from bot.channels.telegram.staff_input import StaffInput
from bot.channels.telegram.topics import Names
from bot.channels.telegram.updates import TgUpdate
from bot.core.ports import Conversation

log = logging.getLogger(__name__)


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
    ):
        self._api = api
        self._conversation = conversation
        self._sender = sender
        self._bot_id = bot_id
        self._staff = staff
        self._names = names or Names()
        self._locks = ChatLocks()

    async def process(self, update: TgUpdate) -> None:
        """Store and answer one update; raises when the core could not store it."""
        if self._staff is not None and self._staff.handles(update):
            async with self._locks.hold(self._staff.chat_id):  # one staff action at a time
                await self._staff.process(update)
            return
        inbound = to_inbound(update, self._bot_id)
        if inbound is None:
            log.debug("telegram: update ignored", extra={"update_id": update.update_id})
            return
        user = sender_of(update)
        if user is not None:  # staff see who opened a ticket by a (masked) name
            self._names.seen(user.id, user.name)
        async with self._locks.hold(inbound.chat_id):
            reply = await self._conversation.handle(inbound.event)
            if not reply.duplicate:  # queued under the lock: the chat's replies keep its order
                self._sender.post(inbound.chat_id, to_requests(inbound.chat_id, reply.messages))
        if reply.duplicate:  # replies=0: unanswered by design (open ticket) or by a crash
            log.info(
                "telegram: repeated update not answered again",
                extra={
                    "chat": inbound.chat_id,
                    "update_id": update.update_id,
                    "replies": len(reply.messages),
                },
            )
        elif inbound.callback_id is not None:
            await self._acknowledge(inbound.callback_id, inbound.chat_id)

    async def _acknowledge(self, callback_id: str, chat_id: int) -> None:
        try:
            await self._api.answer_callback(callback_id)
        except TgApiError as exc:  # e.g. "query is too old": the spinner has stopped anyway
            log.warning(
                "telegram: answerCallbackQuery failed", extra={"chat": chat_id, "reason": str(exc)}
            )
