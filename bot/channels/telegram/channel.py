"""The Telegram channel as the composition root sees it (``bot.core.channel.Channel``): start,
stop, routes, outbound, status and the staff chat's ticket listener."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import time
from collections.abc import Awaitable, Callable, Sequence
from typing import ClassVar, TypedDict, TypeVar, Unpack

from starlette.routing import BaseRoute

from bot.channels.telegram.api import ALLOWED_UPDATES, BotApi, TgApiError
from bot.channels.telegram.claims import Claims
from bot.channels.telegram.commands import register_commands
from bot.channels.telegram.config import (
    TelegramConfig,
    TelegramConfigError,
    check_webhook,
    config_from,
)
from bot.channels.telegram.downloads import Downloads
from bot.channels.telegram.intake import Intake
from bot.channels.telegram.outbound import TelegramOutbound
from bot.channels.telegram.pacing import RateLimiter
from bot.channels.telegram.polling import Poller
from bot.channels.telegram.sender import FailedDelivery, FailureHook, Sender
from bot.channels.telegram.sends import CreateTopic, Request
from bot.channels.telegram.staff import StaffGroup
from bot.channels.telegram.staff_input import STAFF_STATUSES, StaffInput
from bot.channels.telegram.topics import Names
from bot.channels.telegram.webhook import webhook_route
from bot.core.channel import ChannelFactory, ChannelParts, Rendering
from bot.core.desk import Desk
from bot.core.files import Files
from bot.core.metrics import NO_METRICS, Metrics
from bot.core.notify import TicketListener
from bot.core.ports import Conversation, UnitOfWork
from bot.core.shared import Leadership, Shared
from bot.settings import Settings

T = TypeVar("T")

log = logging.getLogger(__name__)

RECONNECT_FIRST_WAIT = 1.0  # seconds before the first retry of an unreachable Bot API
RECONNECT_MAX_WAIT = 60.0
LEAD_RETRY_SECONDS = 3.0  # a standby replica tries to take over polling this often
# A stop waits this long for polling to end: the poller's own stop is bounded (the long poll
# abandoned at once, answers drained 10 s, the offset confirmed within 5 s); this is the net.
STOP_POLLING_SECONDS = 20.0


class TelegramUnreachable(TelegramConfigError):
    """The Bot API did not answer (network error or 5xx): worth trying again later."""


def reconnect_wait(attempt: int, jitter: Callable[[], float] = random.random) -> float:
    """The pause before the n-th retry: doubling from 1 s to 60 s, less up to half at random
    (replicas that lost Telegram together do not all come back in the same second)."""
    ceiling = min(RECONNECT_FIRST_WAIT * 2 ** min(attempt - 1, 16), RECONNECT_MAX_WAIT)
    return float(ceiling * (1.0 - 0.5 * jitter()))


class TelegramChannel:
    """Merchants on Telegram, through one framework's client (``api``).

    With ``config.staff_chat_id``, a ``desk`` and a ``uow``, the staff side runs too:
    ``staff`` mirrors tickets into forum topics (add it to the core's ticket listeners) and
    staff messages in those topics act on the tickets.

    ``clock`` and ``sleep`` pace the sends (the rate limits, waits after 429s and failures);
    tests pass a clock they control.
    """

    name: ClassVar[str] = "telegram"
    renders: ClassVar[Rendering] = Rendering(buttons=True, venue=True, files=True)

    def __init__(
        self,
        config: TelegramConfig,
        api: BotApi,
        conversation: Conversation,
        on_failure: FailureHook | None = None,
        desk: Desk | None = None,
        uow: Callable[[], UnitOfWork] | None = None,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        metrics: Metrics = NO_METRICS,
        shared: Shared | None = None,
        leadership: Leadership | None = None,
        lead_retry: float = LEAD_RETRY_SECONDS,
        files: Files | None = None,
    ) -> None:
        self.config = config
        self.metrics = metrics  # counts Telegram's 429s
        self.api = api
        # ``shared`` (REDIS_URL): the pace is the fleet's; ``leadership``: only the replica
        # holding it polls getUpdates, the others retry every ``lead_retry`` seconds.
        self.leadership, self._lead_retry = leadership, lead_retry
        self.leading = leadership is None
        self._stopping = asyncio.Event()
        limiter = RateLimiter(config.limits, clock=clock, sleep=sleep, shared=shared)
        self.sender = Sender(self._perform, limiter, config.retry, on_failure, sleep=sleep)
        self.outbound = TelegramOutbound(self.sender, ready=lambda: self.connected)
        names = Names()
        # ``files``: photos and documents both ways (merchants' to the core, staff's to replies)
        downloads = Downloads(api, files) if files is not None else None
        self.staff: StaffGroup | None = None
        staff_input: StaffInput | None = None
        chat = config.staff_chat_id
        if chat is not None and desk is not None and uow is not None:
            # ``shared``: one topic per ticket and one start-up catch-up across the fleet
            self.staff = StaffGroup(
                chat, self.sender, uow, desk, names, config.retry, files=files, shared=shared
            )
            staff_input = StaffInput(
                api, chat, config.bot_id, desk, uow, self.sender, names, downloads=downloads
            )
        elif chat is not None:
            log.warning("telegram: TELEGRAM_STAFF_CHAT_ID set but no desk given; staff side off")
        self.intake = Intake(
            api, conversation, self.sender, config.bot_id, staff_input, names, downloads
        )
        # ``shared``: a webhook update is answered by the one replica that claims it
        self.claims = Claims(shared, config.bot_id) if shared is not None else None
        self.poller = self._new_poller()
        self._polling: asyncio.Task[None] | None = None
        self._connecting: asyncio.Task[None] | None = None
        self._sleep = sleep
        self.connected = False
        self.problem: str | None = None  # why the channel is not serving, for /healthz

    def _new_poller(self) -> Poller:
        config = self.config
        return Poller(
            self.api,
            self.intake,
            config.poll_timeout,
            config.retry,
            confirm_within=config.confirm_seconds,
        )

    @property
    def listeners(self) -> Sequence[TicketListener]:
        """The staff chat (TELEGRAM_STAFF_CHAT_ID): every ticket gets a forum topic."""
        return () if self.staff is None else (self.staff,)

    async def _perform(self, request: Request) -> int:
        """The sender's transport: a message, a venue, a file or a new topic."""
        try:
            if isinstance(request, CreateTopic):
                return await self.api.create_topic(request.chat_id, request.name)
            return await self.api.send(request)
        except TgApiError as exc:
            if exc.status == 429:
                self.metrics.telegram_flood()
            raise

    def routes(self) -> list[BaseRoute]:
        """POST /telegram/webhook in webhook mode; nothing when polling."""
        if self.config.mode != "webhook":
            return []
        check_webhook(self.config)
        return [webhook_route(self.api, self.intake, self.config.webhook_secret, self.claims)]

    async def start(self) -> None:
        """Check the token, set the command menu, then poll or register the webhook.

        Raises TelegramConfigError (one line, naming the setting) when Telegram refuses. When
        the Bot API cannot be reached, the channel keeps trying in the background with growing
        waits (``status()`` says so meanwhile) and every other channel goes on serving.
        """
        try:
            await self._connect()
        except TelegramUnreachable as exc:
            self.problem = str(exc)
            log.warning("telegram: Bot API unreachable; retrying", extra={"reason": str(exc)})
            self._connecting = asyncio.create_task(self._keep_connecting())
        except BaseException:
            await self.api.close()
            raise

    def status(self) -> dict[str, object]:
        """For /healthz: serving or not, and why not (unreachable, refused, polling failing)."""
        problem = self.problem or (None if self.connected else "not started")
        if problem is None and self.leading and self.poller.failing:
            problem = f"getUpdates failing: {self.poller.last_error}"
        status: dict[str, object] = {"ok": problem is None}
        if problem:
            status["problem"] = problem
        if self.leadership is not None and self.config.mode != "webhook":
            status["polling"] = "leader" if self.leading else "standby"  # one replica polls
        return status

    async def _keep_connecting(self) -> None:
        attempt = 0
        while not self.connected:
            attempt += 1
            await self._sleep(reconnect_wait(attempt))
            try:
                await self._connect()
            except TelegramUnreachable as exc:
                self.problem = str(exc)
            except TelegramConfigError as exc:  # reached, and refused: only a person can fix it
                self.problem = str(exc)
                log.error("telegram: refused after reconnecting", extra={"reason": str(exc)})
                return
            except Exception as exc:  # a bug must not end the retries quietly
                self.problem = type(exc).__name__
                log.exception("telegram: reconnecting failed")

    async def _connect(self) -> None:
        username = await _step("TELEGRAM_BOT_TOKEN", self.api.start())
        if self.staff is not None:
            await self._check_staff_chat(self.staff.chat_id)
        await register_commands(self.api)
        if self.config.mode == "webhook":
            await _step(
                "TELEGRAM_WEBHOOK_URL",
                self.api.set_webhook(
                    self.config.webhook_url, self.config.webhook_secret, ALLOWED_UPDATES
                ),
            )
        else:  # getUpdates is refused while a webhook is set
            await _step("TELEGRAM_MODE", self.api.delete_webhook())
            if self.leadership is None:
                self._polling = asyncio.create_task(self.poller.run())
            else:  # one replica of the fleet polls; the others stand by
                self._polling = asyncio.create_task(self._lead(self.leadership))
        if self.staff is not None:
            self.staff.start()
        self.connected, self.problem = True, None
        log.info(
            "telegram: channel on",
            extra={
                "bot": username,
                "mode": self.config.mode,
                "framework": self.config.framework,
                "staff_chat": self.staff is not None,
            },
        )

    async def _lead(self, leadership: Leadership) -> None:
        """Poll while this replica holds the lead; try to take it every ``lead_retry`` s."""
        first = True
        while not self._stopping.is_set():
            try:
                leading = await leadership.try_lead()
            except Exception as exc:  # the database away: try again later
                log.warning("telegram: lead not taken", extra={"reason": type(exc).__name__})
                leading = False
            if not leading:
                await self._pause(self._lead_retry)
                continue
            if self._stopping.is_set():
                break
            if not first:  # a poller runs once: a new term, a new one
                self.poller = self._new_poller()
            first = False
            self.leading = True
            log.info("telegram: polling (this replica leads)")
            polling = asyncio.create_task(self.poller.run())
            while not polling.done():
                await asyncio.wait({polling}, timeout=self._lead_retry)
                if polling.done() or self._stopping.is_set():
                    continue
                if not await leadership.still_leading():
                    log.warning("telegram: lead lost; polling stops")
                    self.poller.stop()
                    await polling
            self.leading = False
            await polling  # raises what the poller raised
        with contextlib.suppress(Exception):
            await leadership.resign()

    async def _pause(self, seconds: float) -> None:
        # not wait_for: on Python 3.11 it swallows a cancellation arriving as the event is set
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(seconds):
                await self._stopping.wait()

    async def _check_staff_chat(self, chat_id: int) -> None:
        """The bot must be an admin of the staff chat: it creates topics and reads messages."""
        status = await _step(
            "TELEGRAM_STAFF_CHAT_ID", self.api.get_chat_member(chat_id, int(self.config.bot_id))
        )
        if status not in STAFF_STATUSES - {"member"}:
            raise TelegramConfigError(
                f"TELEGRAM_STAFF_CHAT_ID: the bot is {status} there; make it an administrator "
                "with the right to manage topics"
            )

    async def _stop_polling(self) -> None:
        assert self._polling is not None
        await _bounded_stop(self._polling, STOP_POLLING_SECONDS)
        self._polling = None

    async def stop(self) -> None:
        """Stop taking updates, let queued replies go out (briefly), close the client."""
        try:
            if self._connecting is not None:
                self._connecting.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await self._connecting
                self._connecting = None
            if self._polling is not None:
                self._stopping.set()
                self.poller.stop()
                await self._stop_polling()
            if self.staff is not None:  # its posts go through the sender: stopped first
                await self.staff.stop(self.config.drain_seconds)
            await self.sender.drain(self.config.drain_seconds)
        finally:
            await self.api.close()


async def _bounded_stop(polling: asyncio.Task[None], within: float) -> None:
    """Wait for the polling task to end (raising what it raised); cancel it after ``within``
    seconds.

    The poller's stop is bounded by itself; this is the net for a bug there: a shutdown must
    end. Updates not confirmed are resent by Telegram and recognised as repeats.
    """
    await asyncio.wait({polling}, timeout=within)  # unlike wait_for, never eats a cancel
    if not polling.done():
        log.warning("telegram: polling did not stop in time; cancelled", extra={"s": within})
        polling.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await polling
        return
    await polling


async def _step(setting: str, call: Awaitable[T]) -> T:
    """A start-up call; Telegram's refusal becomes one line naming the setting to check."""
    try:
        return await call
    except TgApiError as exc:
        if exc.status == 0 or exc.status >= 500:
            raise TelegramUnreachable(
                f"TELEGRAM_API_URL: cannot reach the Bot API: {exc}"
            ) from None
        raise TelegramConfigError(f"{setting}: Telegram refused it: {exc}") from None


class ChannelOptions(TypedDict, total=False):
    """What ``build_channel`` hands on to ``TelegramChannel`` as it is (with its defaults)."""

    desk: Desk | None
    uow: Callable[[], UnitOfWork] | None
    clock: Callable[[], float]
    sleep: Callable[[float], Awaitable[None]]
    metrics: Metrics
    shared: Shared | None
    leadership: Leadership | None
    lead_retry: float
    files: Files | None


def build_channel(
    config: TelegramConfig,
    conversation: Conversation,
    on_failure: FailureHook | None = None,
    **options: Unpack[ChannelOptions],
) -> TelegramChannel:
    """The channel with the configured framework's client (only that framework is imported).

    ``files`` carries photos and documents both ways (without: "text only");
    ``desk`` and ``uow`` switch the staff side on when the config names a staff chat;
    ``clock`` and ``sleep`` pace the sends (tests pass a clock they control); ``shared`` makes
    the pace the fleet's and has one replica answer a webhook update, ``leadership`` lets
    only its holder poll getUpdates.
    """
    api: BotApi
    if config.framework == "ptb":
        from bot.channels.telegram.ptb_adapter import PtbApi

        api = PtbApi(config.token, config.api_url)
    else:
        from bot.channels.telegram.aiogram_adapter import AiogramApi

        api = AiogramApi(config.token, config.api_url)
    return TelegramChannel(config, api, conversation, on_failure, **options)


def telegram_from(settings: Settings) -> ChannelFactory | None:
    """The channel's factory when TELEGRAM_BOT_TOKEN is set (only its framework is imported);
    TelegramConfigError names a bad setting."""
    config = config_from(settings)
    if config is None:
        log.info("channel off: settings missing", extra={"channel": TelegramChannel.name})
        return None

    def build(parts: ChannelParts) -> TelegramChannel:
        # one replica polls getUpdates: the holder of this lock (PostgreSQL); None: this one
        leadership = None
        if config.mode == "polling" and parts.elect is not None:
            leadership = parts.elect(f"telegram-poller:{config.bot_id}")

        async def undelivered(failed: FailedDelivery) -> None:
            if failed.merchant is not None:  # staff see it on the merchant's ticket, with Retry
                await parts.undelivered(failed.merchant, failed.texts, failed.reason)

        return build_channel(
            config,
            parts.conversation,
            on_failure=undelivered,
            desk=parts.desk,  # staff act on tickets from the staff chat's topics
            uow=parts.uow,
            metrics=parts.metrics,
            shared=parts.shared,  # the fleet's pace (REDIS_URL)
            leadership=leadership,
            files=parts.desk.files,  # photos and documents both ways (FILE_MAX_BYTES, FILES_DIR)
        )

    return build
