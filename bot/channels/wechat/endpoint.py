"""GET/POST /wechat: URL verification and the message push of a WeChat Official Account.

Every POST is authenticated (``envelope``) before anything is parsed or stored. The answer goes
back in the HTTP reply when it is ready within the passive budget; otherwise WeChat gets
``success`` at once and the answer follows through the customer-service API (``flights``).
A delivery is answered by one replica: the one that claims it in ``Shared`` (Redis with
REDIS_URL); WeChat's retry on another replica gets the same passive text, or ``success``.
A replica that stalled past its claim and finds the message taken over on waking sends
nothing: the answer is published by a claim fenced on the flight's token (``flights``).
An image's download (``media``) is part of its answer: a slow one goes the same way.
With ``queue`` (the conversation's outbox, as served) a late answer is not sent from here but
queued, once the flight won it: leased, retried and sent by whichever replica claims it, so a
failed send or a replica's death after ``success`` does not lose it.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import BaseRoute, Route

from bot.channels import numbered as menu
from bot.channels.wechat import texts
from bot.channels.wechat.config import WechatConfig
from bot.channels.wechat.envelope import Envelope, Refused
from bot.channels.wechat.flights import (
    CLAIM_RENEW_SECONDS,
    CLAIM_SECONDS,
    KEEP_SECONDS,
    Flight,
    Flights,
    answer_key,
    claim_key,
    new_token,
)
from bot.channels.wechat.flights import Route as FlightRoute
from bot.channels.wechat.mapping import (
    DEFAULT_LOCALE,
    Media,
    chunks,
    media_of,
    render,
    to_incoming,
)
from bot.channels.wechat.media import InboundFiles
from bot.channels.wechat.outbound import WechatOutbound
from bot.channels.wechat.xml import MAX_XML_BYTES
from bot.core.outbound import DeliveryError
from bot.core.ports import Conversation
from bot.core.shared import Held, MemoryShared, Shared
from bot.core.texts import t
from bot.core.types import Incoming, Outgoing, Reply

PATH = "/wechat"
SHUTDOWN_SECONDS = 10.0
ELSEWHERE_POLL_SECONDS = 0.05  # how often a retry looks for another replica's answer

log = logging.getLogger(__name__)
# Queues the stored answer to an event in the outbox (``Conversation.queue_answer``).
Queue = Callable[[Incoming], Awaitable[bool]]


class NotYetAnswered(Exception):
    """Another replica claimed the message and has not said how it answers: let WeChat retry."""


class WechatEndpoint:
    """The HTTP side of the channel; ``routes()`` go into the app."""

    def __init__(
        self,
        service: Conversation,
        config: WechatConfig,
        outbound: WechatOutbound,
        *,
        clock: Callable[[], float] = time.time,
        shared: Shared | None = None,
        files: InboundFiles | None = None,
        queue: Queue | None = None,
    ) -> None:
        self._service, self._outbound = service, outbound
        self._queue = queue  # None: late answers are sent from this process (no outbox)
        self._files = files  # None: images stay "unsupported" (files off, or no API access)
        self._shared: Shared = shared or MemoryShared()  # default: this process alone
        self._claiming: dict[str, asyncio.Lock] = {}
        self._budget = config.passive_budget
        self._envelope = Envelope(config)
        self._clock = clock
        self._flights = Flights()
        self._late: set[asyncio.Task[object]] = set()

    def routes(self) -> list[BaseRoute]:
        """GET (verification) and POST (messages) on /wechat."""
        return [
            Route(PATH, self.verify, methods=["GET"]),
            Route(PATH, self.receive, methods=["POST"]),
        ]

    async def aclose(self, timeout: float = SHUTDOWN_SECONDS) -> None:
        """Let answers in work and late deliveries finish (up to ``timeout``)."""
        for _ in range(2):  # answers first, then the deliveries they started
            work = [*self._flights.pending(), *self._late]
            if work:
                await asyncio.wait(work, timeout=timeout)

    async def verify(self, request: Request) -> Response:
        """WeChat's URL check: echo ``echostr`` when the signature is right."""
        try:
            return PlainTextResponse(self._envelope.echo(request.query_params))
        except Refused as exc:
            return _refuse(exc)

    async def receive(self, request: Request) -> Response:
        """One pushed message or event: authenticate, parse, answer (or say ``success``)."""
        try:
            message = self._envelope.open(request.query_params, await _read(request))
        except Refused as exc:
            return _refuse(exc)
        if message.msg_type == "event" and message.event.lower() == "unsubscribe":
            await self._outbound.windows.close(message.from_user)
        event = to_incoming(message)
        media = media_of(message) if self._files is not None else None
        try:
            text = await self._answer(event, media) if event is not None else None
        except NotYetAnswered:  # another replica holds it: WeChat must try again, not stop
            return PlainTextResponse("answer in progress", status_code=503)
        if not text:
            return PlainTextResponse("success")
        xml = self._envelope.seal(message, text, int(self._clock()))
        return Response(xml, media_type="application/xml")

    async def _answer(self, event: Incoming, media: Media | None = None) -> str | None:
        """The text to send passively, or None when it goes (or went) out another way."""
        key = event.delivery_key or ""
        flight = await self._flight(key, event, media)
        if flight is None:  # another replica answers it (or did, or died doing it)
            taken = await self._elsewhere(key, event, media)
            if not isinstance(taken, Flight):
                return taken
            flight = taken
        if flight.late:
            return None  # a retry of a message answered through the API: never a second answer
        if flight.lost:
            return await self._winner(key)
        try:
            await asyncio.wait({flight.task}, timeout=self._budget)
        except asyncio.CancelledError:  # the connection went away: the API takes the answer
            self._hand_over(flight, event)
            raise
        if flight.route == "pending" and (not flight.task.done() or not _fits(flight.task)):
            self._hand_over(flight, event)
        if flight.late:
            return None
        if flight.lost:
            return await self._winner(key)
        if flight.task.exception() is not None:
            reply = Reply((Outgoing(t(DEFAULT_LOCALE, texts.SERVICE_FAILED)),), DEFAULT_LOCALE)
        else:
            reply = flight.task.result()
        text = render(reply.messages, reply.locale) if reply.messages else ""
        if flight.route == "pending":
            self._settle(flight, "passive", f"passive:{text}")
        if flight.settled is not None and not await asyncio.shield(flight.settled):
            return await self._winner(key)  # a replica that took the message over answers it
        return text or None

    async def _flight(self, key: str, event: Incoming, media: Media | None = None) -> Flight | None:
        """This process's flight for the key, started if the key's claim is won; None when
        another replica claimed it."""
        flight = self._flights.get(key)
        if flight is not None:
            return flight
        lock = self._claiming.setdefault(key, asyncio.Lock())
        async with lock:  # one claim per key in this process; later arrivals find the flight
            flight = self._flights.get(key)
            if flight is None:
                token = new_token()
                try:
                    answered = await self._shared.get(answer_key(key))
                    won = answered is None and await self._shared.claim(
                        claim_key(key), CLAIM_SECONDS, token
                    )
                except Exception as exc:  # better a rare second answer than none
                    log.warning("wechat: claim failed", extra={"reason": type(exc).__name__})
                    won = True
                if won:
                    await self._outbound.windows.opened(event.merchant.user_id)
                    flight = self._flights.start(key, self._handle(event, media), token)
                    self._renew(flight)
        if self._claiming.get(key) is lock and not lock.locked():
            del self._claiming[key]
        return flight

    def _renew(self, flight: Flight) -> None:
        """Keep the claim alive while the answer is in work, then as long as the answer; stop
        when another replica took it over (this one stalled past it)."""

        async def renew() -> None:
            key, token = claim_key(flight.key), flight.token
            until = asyncio.get_running_loop().time() + KEEP_SECONDS  # never renew for ever
            try:
                while (not flight.task.done() or flight.route == "pending") and (
                    asyncio.get_running_loop().time() < until
                ):
                    if not await self._shared.renew(key, token, CLAIM_SECONDS):
                        log.warning("wechat: another replica took a message over")
                        return
                    done = asyncio.ensure_future(asyncio.shield(flight.task))
                    await asyncio.wait({done}, timeout=CLAIM_RENEW_SECONDS)
                    if flight.task.done() and flight.route == "pending":
                        await asyncio.sleep(CLAIM_RENEW_SECONDS)  # its request is replying
                if not flight.lost:
                    await self._shared.renew(key, token, KEEP_SECONDS)
            except Exception as exc:  # the claim then runs out: a retry may take over
                log.warning("wechat: renewing a claim failed", extra={"reason": repr(exc)})

        task = asyncio.create_task(renew())
        self._late.add(task)
        task.add_done_callback(self._late.discard)

    async def _elsewhere(
        self, key: str, event: Incoming, media: Media | None = None
    ) -> str | Flight | None:
        """A delivery another replica claimed: its passive text when it gives one within the
        budget, None (``success``) when it answers through the API, this replica's own flight
        when the claim ran out with no answer (its replica died), else NotYetAnswered."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self._budget
        while True:
            try:
                held = await self._shared.get(answer_key(key))
                if held is not None:
                    return _published(held)
                if await self._shared.get(claim_key(key)) is None:  # nobody works on it
                    flight = await self._flight(key, event, media)
                    if flight is not None:
                        return flight
            except Exception as exc:
                reason = type(exc).__name__
                log.warning("wechat: reading an answer failed", extra={"reason": reason})
                return None
            if loop.time() >= deadline:
                raise NotYetAnswered(key)
            await asyncio.sleep(ELSEWHERE_POLL_SECONDS)

    async def _winner(self, key: str) -> str | None:
        """The answer of the replica that took this one's message over: its passive text, None
        (``success``) when it answers through the API, NotYetAnswered while it has not said
        within the budget."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self._budget
        while True:
            try:
                held = await self._shared.get(answer_key(key))
            except Exception as exc:
                reason = type(exc).__name__
                log.warning("wechat: reading an answer failed", extra={"reason": reason})
                return None
            if held is not None:
                return _published(held)
            if loop.time() >= deadline:
                raise NotYetAnswered(key)
            await asyncio.sleep(ELSEWHERE_POLL_SECONDS)

    def _settle(self, flight: Flight, route: FlightRoute, outcome: str) -> None:
        """Take the route now (so this replica's later requests follow it), and win the
        delivery's one answer in ``Shared`` in the background (``flight.settled``)."""
        flight.route = route
        flight.settled = asyncio.create_task(self._publish(flight, outcome))
        self._late.add(flight.settled)
        flight.settled.add_done_callback(self._late.discard)

    async def _publish(self, flight: Flight, outcome: str) -> bool:
        """Tell the other replicas how this one answers, if the answer is still its to give: no
        answer published yet, and the claim this flight's (or nobody's). False: lost."""
        try:
            won = await self._shared.claim_fenced(
                answer_key(flight.key),
                outcome,
                KEEP_SECONDS,
                fence=claim_key(flight.key),
                token=flight.token,
            )
        except Exception as exc:  # better a rare second answer than none
            log.warning("wechat: publishing an answer failed", extra={"reason": type(exc).__name__})
            return True
        if not won:
            flight.route = "lost"
            log.warning("wechat: another replica took the message over and answers it")
        return won

    async def _handle(self, event: Incoming, media: Media | None = None) -> Reply:
        if media is not None and self._files is not None:
            checked = await self._files.event(event, media)
            if isinstance(checked, Reply):  # refused: nothing stored, the merchant told why
                return checked
            event = checked
        if event.kind == "text" and menu.number(event.text) is not None:
            history = await self._service.history(event.merchant, menu.HISTORY_LIMIT)
            event = menu.choose(event, history)
        return await self._service.handle(event)

    def _hand_over(self, flight: Flight, event: Incoming) -> None:
        if flight.route != "pending":
            return
        self._settle(flight, "late", "late")
        task = asyncio.create_task(self._deliver_late(flight, event))
        self._late.add(task)
        task.add_done_callback(self._late.discard)

    async def _deliver_late(self, flight: Flight, event: Incoming) -> None:
        if flight.settled is None or not await flight.settled:
            return  # a replica that took the message over answers it: never a second answer
        try:
            reply = await flight.task
        except Exception:
            log.exception("wechat: the conversation service failed")
            return
        if not reply.messages:
            return
        if self._queue is not None:
            try:
                if await self._queue(event):
                    log.info("wechat: late answer queued for the customer-service API")
                    return
            except Exception:  # better sent from here, unretried, than not at all
                log.exception("wechat: queueing a late answer failed")
        try:
            await self._outbound.send(event.merchant, reply.messages, reply.locale)
        except DeliveryError as exc:
            log.warning(
                "wechat: late answer undeliverable",
                extra={"reason": exc.reason, "permanent": exc.permanent},
            )
        else:
            log.info("wechat: answered through the customer-service API")


def _published(held: Held) -> str | None:
    """What a retry answers once a replica published its answer: the passive text, or None."""
    route, _, text = held.value.partition(":")
    return text or None if route == "passive" else None


def _fits(task: asyncio.Task[Reply]) -> bool:
    """A passive reply is one message: a longer answer goes out in pieces through the API."""
    if task.exception() is not None:
        return True
    reply = task.result()
    return len(chunks(render(reply.messages, reply.locale))) <= 1


async def _read(request: Request) -> bytes:
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_XML_BYTES:
        raise Refused(413, f"larger than {MAX_XML_BYTES} bytes")
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_XML_BYTES:
            raise Refused(413, f"larger than {MAX_XML_BYTES} bytes")
    return bytes(body)


def _refuse(exc: Refused) -> Response:
    log.warning("wechat: request refused", extra={"status": exc.status, "reason": exc.reason})
    return PlainTextResponse(exc.reason, status_code=exc.status)
