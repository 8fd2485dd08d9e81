"""The staff chat as a mirror of tickets: one forum topic per ticket, kept up to date.

``ticket_changed`` (the core's TicketListener) only queues and returns, so neither a merchant's
reply nor a staff action waits for Telegram. One worker posts the queue in order through the
channel's sender, which keeps the group within its pace (about 20 messages a minute, topic
creation included) and waits out 429s. A post that fails for a while is tried again later,
never dropped; a topic that was deleted is created again and the post goes on there. What is
still queued at shutdown is posted at the next start (the topic remembers its last event).

Across replicas (``shared``: Redis with REDIS_URL) each replica mirrors the changes made on it,
so two may find the same ticket without a topic at once. A topic is created by the replica
that claims ``tg-topic:<chat>:<ticket>`` (a lease it renews while Telegram is slow); after
winning it reads the ticket's topic again (the other may have just made it), and a replica
that lost waits for the winner's topic and posts there. The start-up catch-up runs in one
replica at a time: the one holding ``tg-catch-up:<chat>`` until its catch-up posts are out.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import logging
import uuid
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field

from bot.channels.telegram.api import TgApiError
from bot.channels.telegram.sender import RetryPolicy, Sender
from bot.channels.telegram.sends import MAX_PHOTO, MAX_TEXT, CreateTopic, SendFile, SendText
from bot.channels.telegram.split import size, split_text
from bot.channels.telegram.topics import (
    SYSTEM,
    Names,
    header,
    thread_of,
    topic_gone,
    topic_name,
    topic_ref,
    who,
)
from bot.core.desk import Desk
from bot.core.files import IMAGE_KINDS, Files, StoredFile
from bot.core.ports import StoredMessage, UnitOfWork
from bot.core.shared import Shared
from bot.core.tickets import Ticket, TicketEvent, TicketFilter

log = logging.getLogger(__name__)

TELEGRAM_STAFF = "tg-"  # usernames of staff acting from the group (see staff_input)
# The last ticket event mirrored in the ticket's topic, kept beside the topic's reference: posts
# still queued at shutdown are events past it, and the next start posts them.
POSTED = "telegram-topic-posted"
CATCH_UP_MESSAGES = 3  # merchant messages shown in a topic made after the fact
# A topic's claim lives this long unless its replica renews it (every third of it while the
# creation waits on the pace or on 429s): a replica that dies mid-creation frees it soon.
TOPIC_CLAIM_SECONDS = 15.0
TOPIC_POLL_SECONDS = 0.1  # a replica that lost the claim reads the ticket's topic this often
# The catch-up's claim, renewed as its posts go out: a replica starting meanwhile leaves the
# catch-up to the holder (both would queue the same posts left from last time).
CATCH_UP_CLAIM_SECONDS = 300.0


@dataclass
class _Job:
    """One change to post; ``event`` None: a ticket still open that has no topic yet."""

    ticket: Ticket
    event: TicketEvent | None
    message: StoredMessage | None
    # what is left to post (texts, and the message's file), worked out on the first try
    pieces: list[str | StoredFile] | None = None
    failures: int = 0
    recreated: bool = False
    catch_up: bool = False  # queued by this replica's start-up catch-up


@dataclass
class _Context:
    label: str  # the merchant as staff see them
    thread: int | None  # the ticket's topic, if it has one
    said: list[str] = field(default_factory=list)  # catch-up: the merchant's latest messages


class StaffGroup:
    """A ``TicketListener`` that mirrors every ticket into its own topic of the staff chat."""

    def __init__(
        self,
        chat_id: int,
        sender: Sender,
        uow: Callable[[], UnitOfWork],
        desk: Desk,
        names: Names,
        retry: RetryPolicy | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        files: Files | None = None,
        shared: Shared | None = None,
    ) -> None:
        self.chat_id = chat_id
        # the fleet's claims (REDIS_URL); None: this replica is the only one
        self._shared = shared
        self._token = uuid.uuid4().hex  # what this replica's claims hold
        self._catch_up_left = 0  # catch-up posts still queued while holding its claim
        self._files = files  # a message's file is posted in the topic too (None: its name only)
        self._sender = sender
        self._uow = uow
        self._desk = desk
        self._names = names
        self._retry = retry or RetryPolicy()
        self._sleep = sleep
        self._jobs: deque[_Job] = deque()
        self._worker: asyncio.Task[None] | None = None
        self._catch_up = False
        self._closed = False

    # -- the listener ----------------------------------------------------------------------

    async def ticket_changed(
        self, ticket: Ticket, event: TicketEvent, message: StoredMessage | None
    ) -> None:
        """Queue the change for the ticket's topic and return at once."""
        if self._closed:
            log.warning("telegram: staff chat off, change not posted", extra={"ticket": ticket.id})
            return
        self._jobs.append(_Job(copy.copy(ticket), event, message))
        self._wake()

    def start(self) -> None:
        """Begin with a catch-up: open tickets without a topic (opened while away) get one."""
        self._catch_up = True
        self._wake()

    async def stop(self, timeout: float) -> None:
        """Let queued posts go out (up to ``timeout``); what is left is logged as not sent."""
        self._closed = True
        if self._worker is not None:
            await asyncio.wait([self._worker], timeout=timeout)
        if self._worker is not None:
            self._worker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._worker
        if self._catch_up_left:  # another replica (or the next start) may catch up now
            self._catch_up_left = 0
            await self._release(self._catch_up_key())
        if self._jobs:
            tickets = sorted({j.ticket.id for j in self._jobs})
            log.error(
                "telegram: staff-chat posts left at shutdown; the next start posts them",
                extra={"posts": len(self._jobs), "tickets": tickets},
            )

    # -- the worker ------------------------------------------------------------------------

    def _wake(self) -> None:
        if self._worker is None:
            self._worker = asyncio.create_task(self._work())

    async def _work(self) -> None:
        try:
            if self._catch_up:
                self._catch_up = False
                await self._start_catch_up()
            while self._jobs:
                job = self._jobs[0]
                if await self._attempt(job):
                    self._jobs.popleft()
                    if job.catch_up:
                        await self._caught_up_one()
        finally:
            self._worker = None

    async def _attempt(self, job: _Job) -> bool:
        """Run a job; True when it is done (posted, or given up as hopeless)."""
        try:
            await self._run(job)
            await self._posted(job)
            return True
        except TgApiError as exc:
            if exc.permanent:  # the bot was removed, the chat is gone: retrying cannot help
                log.error(
                    "telegram: staff-chat post refused",
                    extra={"ticket": job.ticket.id, "reason": str(exc)},
                )
                return True
            reason = str(exc)  # Telegram is unreachable or busy: keep the post, try later
        except Exception as exc:
            log.exception("telegram: staff-chat post crashed", extra={"ticket": job.ticket.id})
            if job.failures + 1 >= self._retry.attempts:
                return True
            reason = type(exc).__name__
        job.failures += 1
        log.warning(
            "telegram: staff-chat post failed, trying again",
            extra={"ticket": job.ticket.id, "reason": reason, "attempt": job.failures},
        )
        await self._sleep(self._retry.wait(job.failures))
        return False

    async def _run(self, job: _Job) -> None:
        ticket = job.ticket
        context = await self._context(ticket, catch_up=job.pieces is None and job.event is None)
        if job.pieces is None:  # the first try: work out what to post
            if job.event is None and context.thread is not None:
                return  # it got its topic meanwhile
            lines = self._lines(job, context)
            job.pieces = [p for line in lines for p in split_text(line)]
            if lines and job.message is not None:
                job.pieces += await self._file_of(job.message)
        if not job.pieces:
            return
        thread = context.thread  # read each time: another job may have replaced the topic
        if thread is None:
            thread, made = await self._create(ticket, context.label)
            if not made and job.event is None:
                return  # another replica made it, with the catch-up's header and messages
            if made:
                _lead(job.pieces, self._header(ticket, context.label))
        while job.pieces:
            try:  # one piece at a time: a retry repeats none that went out
                await self._sender.deliver(self.chat_id, [await self._request(job, thread)])
            except TgApiError as exc:
                if not topic_gone(exc) or job.recreated:
                    raise
                job.recreated = True
                log.warning("telegram: ticket topic deleted, opening a new one",
                            extra={"ticket": ticket.id, "topic": thread})  # fmt: skip
                thread, made = await self._create(ticket, context.label, gone=thread)
                if made:
                    note = "the previous topic was deleted"
                    _lead(job.pieces, self._header(ticket, context.label, note))
                continue
            job.pieces.pop(0)

    async def _file_of(self, message: StoredMessage) -> list[StoredFile]:
        """The message's stored file, to post after its text (none when files are off)."""
        if self._files is None:
            return []
        if message.file is not None:
            return [message.file]
        async with self._uow() as uow:
            found = await uow.files.for_messages([message.id])
        return [found[message.id]] if message.id in found else []

    async def _request(self, job: _Job, thread: int) -> SendText | SendFile:
        """The next piece as a request: a text, or a file's bytes (metadata already stripped:
        the stored copy is sent, not the merchant's original)."""
        assert job.pieces
        piece = job.pieces[0]
        if isinstance(piece, str):
            return SendText(self.chat_id, piece, (), thread)
        data = await self._files.read(piece) if self._files is not None else None
        if data is None:  # deleted meanwhile (retention): its name was posted already
            return SendText(self.chat_id, f"(file {piece.name} is no longer kept)", (), thread)
        photo = piece.kind in IMAGE_KINDS and len(data) <= MAX_PHOTO
        return SendFile(self.chat_id, data, piece.name, photo, thread_id=thread)

    async def _create(
        self, ticket: Ticket, label: str, gone: int | None = None
    ) -> tuple[int, bool]:
        """The ticket's topic (replacing ``gone``, a deleted one), and whether this replica
        made it: across replicas only the holder of the topic's claim creates one, after
        reading the ticket's topic again; the others wait for its topic."""
        if self._shared is None:
            return await self._new_topic(ticket, label, gone)
        key = f"tg-topic:{self.chat_id}:{ticket.id}"
        while True:
            thread = await self._thread(ticket)
            if thread is not None and thread != gone:
                return thread, False
            if await self._shared.claim(key, TOPIC_CLAIM_SECONDS, self._token):
                break
            await asyncio.sleep(TOPIC_POLL_SECONDS)  # real time: another replica is at work
        async with self._holding(key):
            thread = await self._thread(ticket)  # made by the other replica just before
            if thread is not None and thread != gone:
                return thread, False
            return await self._new_topic(ticket, label, gone)

    async def _new_topic(self, ticket: Ticket, label: str, gone: int | None) -> tuple[int, bool]:
        """A new topic for the ticket, recorded before anything is posted in it (unless a
        replica that stalled past its claim recorded one meanwhile: that one is kept)."""
        request = CreateTopic(self.chat_id, topic_name(ticket, label))
        (thread,) = await self._sender.deliver(self.chat_id, [request])
        async with self._uow() as uow:
            other = thread_of(await uow.ticket_refs.get(ticket.id, SYSTEM), self.chat_id)
            if other is not None and other != gone:
                log.error("telegram: a second topic was made for the ticket; it stays empty",
                          extra={"ticket": ticket.id, "topic": thread, "kept": other})  # fmt: skip
                return other, False
            await uow.ticket_refs.set(ticket.id, SYSTEM, topic_ref(self.chat_id, thread))
            await uow.commit()
        log.info("telegram: ticket topic created", extra={"ticket": ticket.id, "topic": thread})
        return thread, True

    async def _thread(self, ticket: Ticket) -> int | None:
        """The ticket's topic as stored now (another replica may have made it)."""
        async with self._uow() as uow:
            return thread_of(await uow.ticket_refs.get(ticket.id, SYSTEM), self.chat_id)

    @contextlib.asynccontextmanager
    async def _holding(self, key: str) -> AsyncIterator[None]:
        """Keep this replica's claim on ``key`` alive while the body runs, then release it."""
        assert self._shared is not None
        shared = self._shared

        async def renew() -> None:
            while True:
                await asyncio.sleep(TOPIC_CLAIM_SECONDS / 3)
                try:
                    if await shared.renew(key, self._token, TOPIC_CLAIM_SECONDS):
                        continue
                    log.warning("telegram: topic claim taken over", extra={"key": key})
                except Exception:  # Redis is away: the claim may lapse, nothing else to do
                    log.exception("telegram: topic claim not renewed", extra={"key": key})
                return

        renewing = asyncio.create_task(renew())
        try:
            yield
        finally:
            renewing.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await renewing
            await self._release(key)

    async def _release(self, key: str) -> None:
        """Give up this replica's claim on ``key`` (a lost connection: it expires anyway)."""
        if self._shared is None:
            return
        try:
            await self._shared.delete(key, self._token)
        except Exception:
            log.exception("telegram: claim not released", extra={"key": key})

    async def _context(self, ticket: Ticket, catch_up: bool) -> _Context:
        async with self._uow() as uow:
            merchant = await uow.merchants.get(ticket.merchant_id)
            ref = await uow.ticket_refs.get(ticket.id, SYSTEM)
            context = _Context(who(ticket, merchant, self._names), thread_of(ref, self.chat_id))
            if catch_up and context.thread is None:
                events = await uow.tickets.events(ticket.id)
                first = next((e.message_id for e in events if e.message_id), 0)
                history = await uow.messages.history(ticket.merchant_id, 50)
                mine = [m for m in history if m.direction == "in" and m.id >= first]
                context.said = [_said(m) for m in mine[-CATCH_UP_MESSAGES:]]
        return context

    def _header(self, ticket: Ticket, label: str, note: str = "") -> str:
        try:
            team = self._desk.team_name(ticket.team)
        except Exception:  # a team renamed or removed meanwhile: its id will do
            team = ticket.team
        return header(ticket, label, team, note)

    def _lines(self, job: _Job, context: _Context) -> list[str]:
        """What the topic shows for a change (nothing for what staff wrote there themselves)."""
        event, message, label = job.event, job.message, context.label
        if event is None:
            said = [f"{label}: {s}" for s in context.said]
            return ["\n".join(["Opened before this topic existed.", *said])]
        actor, action = self._person(event.actor), event.action
        from_group = event.actor.startswith(TELEGRAM_STAFF)
        text = _said(message) if message is not None else ""
        if action == "opened":
            return [f"{label}: {text}" if text else "Opened."]
        if action == "reopened":
            return [f"Reopened by the merchant. {label}: {text}"]
        if action == "message":
            return [f"{label}: {text}"] if text else []
        if action == "replied":
            if from_group or message is None:
                return []
            clip = "📎 " if message.file is not None else ""  # the file is posted after it
            return [f"↪ {actor}: {clip}{message.text}"]
        if action == "note":
            return [] if from_group else [f"📝 {actor} (note, not sent): {event.detail}"]
        if action == "assigned":
            assignee = self._person(event.detail)
            return [f"Claimed by {actor}." if event.detail == event.actor
                    else f"Assigned to {assignee} by {actor}."]  # fmt: skip
        if action == "transferred":
            return [f"Transferred by {actor}: {event.detail}."]
        if action == "resolved":
            return [f"✅ Resolved by {actor}. The merchant is asked to rate the help."]
        if action == "rated":
            return [f"⭐ The merchant rated the help {event.detail}/5."]
        if action == "answered":
            answer = message.text if message is not None else ""
            return [f"🤖 The bot answered from the FAQ ({event.detail}): {answer}"]
        if action == "closed":
            return ["✅ The merchant closed the request."]
        if action == "acknowledged":  # the bot told the merchant the team has it: no news
            return []
        if action == "delivery_failed":
            return [f"⚠ The bot's answers did not reach the merchant: {event.detail}"]
        return [f"{action} by {actor}" + (f": {event.detail}" if event.detail else "")]

    def _person(self, username: str) -> str:
        """A staff username, with the Telegram name of those acting from the group."""
        name = self._names.get(username) if username.startswith(TELEGRAM_STAFF) else None
        return f"{name} ({username})" if name else username

    async def _posted(self, job: _Job) -> None:
        """Remember how far the topic is up to date (a topic made for an orphan: all of it)."""
        async with self._uow() as uow:
            if job.event is not None:
                last = job.event.id
            else:
                last = max((e.id for e in await uow.tickets.events(job.ticket.id)), default=0)
            before = await uow.ticket_refs.get(job.ticket.id, POSTED)
            if last and (before is None or int(before) < last):
                await uow.ticket_refs.set(job.ticket.id, POSTED, str(last))
                await uow.commit()

    def _catch_up_key(self) -> str:
        return f"tg-catch-up:{self.chat_id}"

    async def _start_catch_up(self) -> None:
        """Queue the catch-up, unless another replica is doing it (it holds the claim)."""
        key = self._catch_up_key()
        try:
            if self._shared is not None and not await self._shared.claim(
                key, CATCH_UP_CLAIM_SECONDS, self._token
            ):
                log.info("telegram: another replica catches up the staff chat")
                return
            self._catch_up_left = await self._queue_orphans()
        except Exception:  # the database blinked at start: the next start catches up
            log.exception("telegram: open tickets not checked for topics")
        if not self._catch_up_left:
            await self._release(key)

    async def _caught_up_one(self) -> None:
        """A catch-up post is out: keep the claim while others are queued, else release it."""
        self._catch_up_left -= 1
        key = self._catch_up_key()
        if self._catch_up_left > 0 and self._shared is not None:
            try:
                await self._shared.renew(key, self._token, CATCH_UP_CLAIM_SECONDS)
            except Exception:
                log.exception("telegram: catch-up claim not renewed", extra={"key": key})
        elif self._catch_up_left == 0:
            await self._release(key)

    async def _queue_orphans(self) -> int:
        """At start: topics for open tickets that have none, and posts left from last time;
        how many jobs were queued."""
        jobs: list[_Job] = []
        orphans = 0
        async with self._uow() as uow:
            for ticket in await uow.tickets.find(TicketFilter()):
                if thread_of(await uow.ticket_refs.get(ticket.id, SYSTEM), self.chat_id) is None:
                    jobs.append(_Job(ticket, None, None, catch_up=True))
                    orphans += 1
                    continue
                posted = await uow.ticket_refs.get(ticket.id, POSTED)
                if posted is None:
                    continue
                for event in await uow.tickets.events(ticket.id):
                    if event.id > int(posted):
                        said = event.message_id and await uow.messages.get(event.message_id)
                        jobs.append(_Job(ticket, event, said or None, catch_up=True))
        if jobs:
            log.info("telegram: catching up the staff chat",
                     extra={"topics": orphans, "posts": len(jobs) - orphans})  # fmt: skip
        self._jobs.extendleft(reversed(jobs))
        return len(jobs)


def _said(message: StoredMessage) -> str:
    """A merchant's message as one line of text."""
    if message.kind == "command":
        return f"/{message.text}"
    if message.kind == "location":
        return f"📍 {message.text}"
    if message.kind == "button":
        return f"(pressed {message.payload})"
    if message.kind == "file":
        return f"📎 {message.text}"
    return message.text


def _lead(pieces: list[str | StoredFile], header: str) -> None:
    """Put a topic's header first, in the first message when both fit in one."""
    first = pieces[0] if pieces else None
    if isinstance(first, str) and size(merged := f"{header}\n\n{first}") <= MAX_TEXT:
        pieces[0] = merged
    else:
        pieces[0:0] = split_text(header)
