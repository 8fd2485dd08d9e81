"""Staff writing in a ticket's topic: a message goes to the merchant, commands act on the ticket.

Only members of the staff chat act (getChatMember, cached a few minutes); anyone else is
refused in the topic. A Telegram staff member acts as the staff account ``tg-<user id>``,
created on first use as an admin (membership of the staff chat is the authorisation) with a
password hash that matches no password, so it can never sign in to the web console; an
admin can disable it there. The desk's answers (claimed, resolved, ...) reach the topic
through the ticket listener (``staff.StaffGroup``); refusals are answered here.
"""

from __future__ import annotations

import logging
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from bot.channels.telegram.api import BotApi, TgApiError
from bot.channels.telegram.downloads import Downloads
from bot.channels.telegram.mapping import delivery_key
from bot.channels.telegram.sender import Sender
from bot.channels.telegram.sends import SendText
from bot.channels.telegram.staff import TELEGRAM_STAFF
from bot.channels.telegram.topics import COMMANDS_HINT, SYSTEM, Names, topic_ref
from bot.channels.telegram.updates import TgMessage, TgUpdate, TgUser
from bot.core.accounts import StaffAccount
from bot.core.desk import Desk, NotFound, Refused
from bot.core.files import FileRefused
from bot.core.ports import UnitOfWork

log = logging.getLogger(__name__)

STAFF_STATUSES = frozenset({"creator", "administrator", "member"})
ANONYMOUS_ADMIN = 1087968824  # GroupAnonymousBot: an admin posting as the group
MEMBER_SECONDS = 300.0  # how long a membership answer is trusted
NOT_MEMBER_SECONDS = 60.0
NO_LOGIN = "!"  # not an argon2 hash: no password ever verifies against it
DELIVERIES = "telegram-staff"  # the delivery-key channel of staff messages
SEEN = 10_000  # staff updates remembered as handled in this process

REFUSED_OUTSIDER = "⛔ Only members of this staff chat can act on tickets."
REFUSED_ANONYMOUS = "⛔ Anonymous admins cannot act on tickets: turn off “Remain anonymous”."
REFUSED_CONTENT = "⛔ Only text, images and PDFs reach the merchant; this was not sent."


@dataclass(frozen=True)
class _Member:
    staff: bool
    until: float


class Members:
    """Whether a user is a member of the staff chat, asked of Telegram and cached."""

    def __init__(
        self, api: BotApi, chat_id: int, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._api = api
        self._chat_id = chat_id
        self._clock = clock
        self._known: dict[int, _Member] = {}

    async def is_staff(self, user_id: int) -> bool:
        """True for the creator, administrators and members; raises when Telegram is down."""
        now = self._clock()
        known = self._known.get(user_id)
        if known is not None and known.until > now:
            return known.staff
        try:
            status = await self._api.get_chat_member(self._chat_id, user_id)
        except TgApiError as exc:
            if not exc.permanent:
                raise  # unknown for now: the update is taken again later
            status = "unknown"  # e.g. "user not found": not one of ours
        staff = status in STAFF_STATUSES
        ttl = MEMBER_SECONDS if staff else NOT_MEMBER_SECONDS
        if len(self._known) > SEEN:
            self._known = {k: v for k, v in self._known.items() if v.until > now}
        self._known[user_id] = _Member(staff, now + ttl)
        return staff


class StaffInput:
    """Handles the staff chat's updates (the intake sends them here, in order)."""

    def __init__(
        self,
        api: BotApi,
        chat_id: int,
        bot_id: str,
        desk: Desk,
        uow: Callable[[], UnitOfWork],
        sender: Sender,
        names: Names,
        members: Members | None = None,
        downloads: Downloads | None = None,
    ) -> None:
        self.chat_id = chat_id
        self._downloads = downloads  # a photo or document posted in a topic: a reply's file
        self._bot_id = bot_id
        self._desk = desk
        self._uow = uow
        self._sender = sender
        self._names = names
        self.members = members or Members(api, chat_id)
        self._seen: OrderedDict[str, None] = OrderedDict()

    def handles(self, update: TgUpdate) -> bool:
        """Whether the update comes from the staff chat."""
        if update.message is not None:
            return update.message.chat_id == self.chat_id
        return update.callback is not None and update.callback.chat_id == self.chat_id

    async def process(self, update: TgUpdate) -> None:
        """Act on one staff update; raises when it could not be handled (it comes again)."""
        m, user = update.message, update.message.user if update.message else None
        if m is None or user is None or m.thread_id is None:
            return  # a button, a service message, the General topic: nothing to do
        if user.is_bot and user.id != ANONYMOUS_ADMIN:
            return
        ticket_id = await self._ticket(m.thread_id)
        if ticket_id is None:
            return  # a topic of the staff's own, not a ticket's
        key = delivery_key(self._bot_id, update)
        if key in self._seen or await self._handled(key):
            log.info("telegram: repeated staff update ignored", extra={"ticket": ticket_id})
            return
        await self._act(m, user, ticket_id, key)
        self._seen[key] = None
        if len(self._seen) > SEEN:
            self._seen.popitem(last=False)

    async def _act(self, m: TgMessage, user: TgUser, ticket_id: int, key: str) -> None:
        thread = m.thread_id
        assert thread is not None
        if user.id == ANONYMOUS_ADMIN:
            self._answer(thread, REFUSED_ANONYMOUS)
            return
        if not await self.members.is_staff(user.id):
            log.warning("telegram: outsider refused", extra={"ticket": ticket_id, "user": user.id})
            self._answer(thread, REFUSED_OUTSIDER)
            return
        account = await self._account(user)
        if account.disabled:
            self._answer(thread, f"⛔ The staff account {account.username} is disabled.")
            return
        try:
            await self._command(m, account, ticket_id, key)
        except (Refused, FileRefused) as exc:
            self._answer(thread, f"⛔ {exc}")
        except NotFound:
            self._answer(thread, f"⛔ Ticket #{ticket_id} was not found.")

    async def _command(self, m: TgMessage, staff: StaffAccount, ticket_id: int, key: str) -> None:
        assert m.thread_id is not None
        if m.command in ("claim", "resolve", "close", "note"):
            rest = (m.text or "").split(maxsplit=1)
            if m.command == "claim":
                await self._desk.claim(staff, ticket_id)
            elif m.command == "note":
                await self._desk.note(staff, ticket_id, rest[1] if len(rest) > 1 else "")
            else:
                await self._desk.resolve(staff, ticket_id)
        elif m.command is not None:
            self._answer(m.thread_id, COMMANDS_HINT)
        elif m.file is not None and self._downloads is not None:
            upload = await self._downloads.upload(m.file)  # checked by the desk, like the console's
            text = m.caption or ""
            await self._desk.reply(
                staff, ticket_id, text, delivery=(DELIVERIES, key), upload=upload
            )
        elif m.text is None:
            self._answer(m.thread_id, REFUSED_CONTENT)
        else:
            # The key is claimed in the reply's own transaction: a repeat never sends it twice.
            await self._desk.reply(staff, ticket_id, m.text, delivery=(DELIVERIES, key))

    async def _ticket(self, thread: int) -> int | None:
        async with self._uow() as uow:
            return await uow.ticket_refs.ticket_for(SYSTEM, topic_ref(self.chat_id, thread))

    async def _handled(self, key: str) -> bool:
        async with self._uow() as uow:
            return await uow.deliveries.message_for(DELIVERIES, key) is not None

    async def _account(self, user: TgUser) -> StaffAccount:
        """The account of a Telegram staff member, created on first use."""
        username = f"{TELEGRAM_STAFF}{user.id}"
        self._names.seen(username, user.name)
        async with self._uow() as uow:
            account = await uow.staff.get(username)
            if account is None:
                account = StaffAccount(username, "admin", NO_LOGIN, created_at=uow.clock())
                await uow.staff.add(account)
                await uow.commit()
                log.info("telegram: staff account created", extra={"staff": username})
        return account

    def _answer(self, thread: int, text: str) -> None:
        self._sender.post(self.chat_id, [SendText(self.chat_id, text, (), thread)])
