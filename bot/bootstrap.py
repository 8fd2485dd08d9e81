"""The composition root: settings (and any parts a test hands in) -> services -> the web app.

``build`` makes the services: FAQ, centres, macros, storage, the conversation service, the
desk, delivery of staff replies, and every configured channel (``channels_from``); ``app``
makes the HTTP app around them (web chat, staff console, the channels' routes, the background
work as its lifespan). ``merchant-bot serve`` and the end-to-end tests build through both.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bot.centres.holder import CentresHolder
from bot.centres.model import Centres
from bot.channels.smtp import smtp_from
from bot.channels.telegram import telegram_from
from bot.content.problems import errors
from bot.core.alerts import TeamMail
from bot.core.centre_teams import CentreTeams
from bot.core.channel import Channel, ChannelConfigError, ChannelFactory, ChannelParts
from bot.core.clock import Clock, system_clock
from bot.core.conversation import ConversationService
from bot.core.delivery import Deliverer
from bot.core.desk import Desk
from bot.core.escalation import Escalation, Policy
from bot.core.feedback import FeedbackPrompts
from bot.core.files import Files
from bot.core.images import strip_metadata
from bot.core.metrics import NO_METRICS, Metrics, gauges
from bot.core.notify import TicketListener
from bot.core.outbound import Outbound
from bot.core.ports import Store
from bot.core.rollups import LEAD as ROLLUP_LEAD
from bot.core.rollups import RollupJob
from bot.core.shared import Leadership, Shared
from bot.core.teams import TeamDirectory
from bot.faq.engine import semantics_for
from bot.faq.reloader import FaqHolder
from bot.settings import Settings
from bot.shared.redis_store import shared_from
from bot.staff.macros import MACROS_FILE, MacroHolder
from bot.staff.throttle import SharedWindow
from bot.storage.files import file_store_from
from bot.storage.leader import elect_for
from bot.storage.migrate import upgrade
from bot.storage.privacy import TextRetention
from bot.storage.uow import SqlStore
from bot.web.channel import web_chat
from bot.web.metrics import PrometheusMetrics, parse_networks

if TYPE_CHECKING:
    from starlette.applications import Starlette
    from starlette.routing import BaseRoute
    from starlette.types import Receive, Scope, Send

    from bot.web.staff import AdminParts

log = logging.getLogger(__name__)
METRICS_LEAD = "metrics:fleet-gauges"  # the advisory lock of the replica reporting the backlog


class StartupError(Exception):
    """The bot cannot start; the message says why in one line."""


def channels_from(settings: Settings) -> list[ChannelFactory | None]:
    """Every channel the bot can serve: a factory each, None where its settings are missing.

    A new channel is a package under ``bot/channels/`` with a ``<name>_from(settings)`` and
    one more entry here.
    """
    return [web_chat, wechat_from(settings), telegram_from(settings)]


def wechat_from(settings: Settings) -> ChannelFactory | None:
    """The WeChat channel's factory; its package (and its crypto) is imported only when
    WECHAT_TOKEN is set, so that a bot without WeChat does not carry it."""
    if not settings.wechat_token:
        log.info("channel off: settings missing", extra={"channel": "wechat"})
        return None
    from bot.channels.wechat import wechat_from as factory

    return factory(settings)


@dataclass
class Services:
    """Everything a running bot holds, built once per process."""

    settings: Settings
    faq: FaqHolder
    centres: CentresHolder
    macros: MacroHolder  # the staff console's canned replies
    store: Store
    conversation: ConversationService
    desk: Desk
    deliverer: Deliverer
    teams: TeamDirectory
    clock: Clock = system_clock  # the one clock: the store, the core and the console read it
    channels: list[Channel] = field(default_factory=list)  # started, in the order configured
    routes: list[object] = field(default_factory=list)  # the channels' HTTP endpoints
    listeners: list[TicketListener] = field(default_factory=list)  # mirrors of tickets
    metrics: Metrics = NO_METRICS  # Prometheus (GET /metrics) unless METRICS_ENABLED=false
    mail: TeamMail | None = None  # e-mail to teams (SMTP_URL), sent in the background
    shared: Shared | None = None  # state the replicas share (REDIS_URL), None: in memory
    files: Files | None = None  # images and PDFs both ways (FILES_DIR or S3), old ones purged
    rollups: RollupJob | None = None  # the insights' daily roll-ups (INSIGHTS_ROLLUP_MINUTES)
    metrics_lead: Leadership | None = None  # the one replica exporting fleet-wide gauges

    async def health(self) -> dict[str, Any]:
        """Status for /healthz: ``ok`` while the bot answers, ``degraded`` what needs a look."""
        try:
            await self.store.ping()
            database: dict[str, Any] = {"ok": True}
        except Exception as exc:  # any failure to reach the database is "not ok", not a crash
            database = {"ok": False, "error": type(exc).__name__}
        state = self.faq.state
        matcher = state.matcher_status()
        faq: dict[str, Any] = {
            "ok": state.ok,
            "entries": state.entries,
            "problems": [str(p) for p in errors(state.problems)],
            "matcher": matcher,
        }
        faq["from_snapshot"] = state.from_snapshot
        centres = self.centres.state.as_dict()
        # Down (503) only when the bot cannot answer; broken content files on disk (the last
        # good version serves), a lexical-only matcher or a missing centres file are
        # "up, degraded": a container is kept, and the list says what to fix.
        ok = bool(database["ok"]) and state.entries > 0
        # each channel's own health ("unreachable, retrying"): one channel down is "degraded"
        channels = {channel.name: dict(channel.status()) for channel in self.channels}
        # where files' bytes live (a folder, a bucket): unreachable is "degraded", since text
        # still flows; the store reuses its answer a while, so probes never hammer a bucket
        files: dict[str, Any] = {"ok": True}
        if self.files is not None:
            try:
                files = dict(await self.files.store.health())
            except Exception as exc:  # a store's own check failing is its problem, not /healthz's
                files = {"ok": False, "problem": type(exc).__name__}
        degraded = [
            name
            for name, fine in (
                ("faq", faq["ok"]),
                ("matcher", not matcher["degraded"]),
                ("centres", centres["ok"] is True),
                ("files", bool(files["ok"])),
                *((name, bool(st["ok"])) for name, st in channels.items()),
            )
            if not fine
        ]
        return {
            "ok": ok,
            "degraded": degraded,
            "database": database,
            "faq": faq,
            "centres": centres,
            "files": files,
            "channels": channels,
        }


def snapshot_path(root: Path, kind: str, source: Path) -> Path:
    """Where the last good copy of one content folder lives: another folder has its own."""
    digest = hashlib.sha1(str(source.resolve()).encode("utf-8")).hexdigest()[:12]
    return root / f"{kind}-{digest}"


async def build(
    settings: Settings,
    *,
    store: Store | None = None,
    clock: Clock | None = None,
    channels: Sequence[ChannelFactory | None] | None = None,
    outbounds: Mapping[str, Outbound] | None = None,
    teams: TeamDirectory | None = None,
) -> Services:
    """Load the content, prepare the database, wire the core, start the channels.

    Every part has a default from ``settings``; a test hands in its own:
    ``store`` (default: ``SqlStore(DATABASE_URL)``, SQLite upgraded first; a store handed in
    is used as it is, on the root's clock), ``clock`` (the service's one clock: every time the
    service stores or compares, from stored messages to tickets, delivery, files and the
    console; default: the store's, else the machine's), ``channels``
    (factories; default ``channels_from(settings)``), ``outbounds`` (by channel name, in place
    of a channel's own: a test's flaky one) and ``teams`` (default: the centres' teams).
    Raises StartupError (one line) when the bot cannot start.
    """
    try:
        factories = channels_from(settings) if channels is None else list(channels)
    except ChannelConfigError as exc:
        raise StartupError(str(exc)) from None
    if store is not None and clock is not None:
        store.clock = clock  # one clock: the store stamps its rows with the root's
    clock = clock or (store.clock if store is not None else system_clock)
    faq = FaqHolder(
        settings.faq_dir,
        partial(semantics_for, settings.matcher_encoder, settings.vector_cache_dir),
        snapshot=snapshot_path(settings.snapshot_dir, "faq", settings.faq_dir),
    )
    await asyncio.to_thread(faq.reload)
    if faq.state.entries == 0:  # broken files and no last good copy: the root cause, first
        first = next(iter(errors(faq.state.problems)), None)
        raise StartupError(f"no valid FAQ in {settings.faq_dir}: {first or 'no entries'}")
    if store is None and settings.database_url.startswith("sqlite"):
        await upgrade(settings.database_url)
    centres = CentresHolder(
        settings.centres_path,
        clock=clock,  # "open now" is on the service's clock too
        snapshot=snapshot_path(settings.snapshot_dir, "centres", settings.centres_path),
    )
    if not await asyncio.to_thread(centres.reload):  # the bot still answers without centres
        log.error("no valid centres file", extra={"file": str(settings.centres_path)})
    await asyncio.to_thread(centres.warm)  # the gazetteer now, not on the first message
    macros_file = settings.faq_dir / MACROS_FILE
    macros = MacroHolder(macros_file, snapshot_path(settings.snapshot_dir, "macros", macros_file))
    await asyncio.to_thread(macros.reload)  # a broken file is logged; a last good copy serves

    def current_centres() -> Centres | None:
        try:
            return centres.finder().centres
        except RuntimeError:
            return None

    store = store or SqlStore(
        settings.database_url,
        pool_size=settings.database_pool_size,
        max_overflow=settings.database_max_overflow,
        clock=clock,
    )
    metrics: Metrics = PrometheusMetrics() if settings.metrics_enabled else NO_METRICS
    directory: TeamDirectory = teams or CentreTeams(current_centres)
    policy = Policy(
        first_response=timedelta(minutes=settings.first_response_minutes),
        ack_interval=timedelta(seconds=settings.ack_interval_seconds),
    )
    files = Files(
        file_store_from(settings, clock),  # its files' times for the retention sweep
        store.uow,
        max_bytes=settings.file_max_bytes,
        per_channel=settings.file_max_bytes_by_channel,
        retention_days=settings.file_retention_days,
        clean=strip_metadata,
        clock=clock,
    )
    deliverer = Deliverer(
        store.uow,
        {},
        clock=clock,
        lease=timedelta(seconds=settings.outbox_lease_seconds),
        metrics=metrics,
        files=files,  # staff attachments go out with their reply
    )
    listeners: list[TicketListener] = []  # channels add theirs (the Telegram staff group)
    conversation = ConversationService(
        faq.matcher,
        store.uow,
        escalation=Escalation(lambda: directory, policy, clock=clock),
        prompts=FeedbackPrompts(timedelta(minutes=settings.feedback_prompt_minutes), clock),
        listeners=listeners,
        centres=centres.finder,
        metrics=metrics,
        files=files,
        wake=deliverer.wake,  # answers a channel queued (WeChat's late ones) go out at once
    )
    desk = Desk(
        store.uow,
        lambda: directory,
        policy=policy,
        clock=clock,
        wake=deliverer.wake,
        listeners=listeners,
        files=files,
    )
    services = Services(
        settings, faq, centres, macros, store, conversation, desk, deliverer, directory, clock
    )
    services.listeners = listeners
    services.metrics = metrics
    services.files = files
    services.rollups = rollup_job(settings, store, clock)
    services.mail = team_mail(settings, store, lambda: directory, policy.first_response, clock)
    if services.mail is not None:
        listeners.append(services.mail)  # a new ticket is queued for its team's address
    services.shared = shared_from(settings.redis_url)  # Redis: what replicas share (issue 16)
    if services.shared is not None and not await services.shared.ping():
        raise StartupError("REDIS_URL: Redis does not answer")
    parts = ChannelParts(
        conversation,
        desk,
        store.uow,
        conversation.delivery_failed,
        metrics,
        shared=services.shared,
        elect=elect_for(settings.database_url),  # one Telegram poller
    )
    try:
        for factory in factories:
            if factory is not None:
                await _start(services, factory(parts))
    except BaseException:
        await _stop(services.channels)  # the ones started before
        raise
    for name, outbound in (outbounds or {}).items():
        deliverer.outbounds[name] = outbound
    return services


def rollup_job(
    settings: Settings, store: Store, clock: Clock
) -> RollupJob | None:
    """The insights' roll-ups, refreshed by one replica (the advisory lock on PostgreSQL);
    None when ``INSIGHTS_ROLLUP_MINUTES`` is 0 or the store is not SQL."""
    from bot.storage.rollups import SqlRollups

    minutes = settings.insights_rollup_minutes
    if minutes == 0 or not isinstance(store, SqlStore):
        return None
    elect = elect_for(settings.database_url)
    return RollupJob(
        SqlRollups(store.engine),
        every=minutes * 60,
        clock=clock,
        lead=elect(ROLLUP_LEAD) if elect is not None else None,
    )


def team_mail(
    settings: Settings,
    store: Store,
    directory: Callable[[], TeamDirectory],
    target: timedelta,
    clock: Clock,
) -> TeamMail | None:
    """E-mail to the teams with an address in the centres file; None without ``SMTP_URL``."""
    mailer = smtp_from(settings)
    if mailer is None:
        return None
    if not isinstance(store, SqlStore):  # the alerts' outbox is a table
        log.warning("team e-mail is off: it needs the SQL store")
        return None
    return TeamMail(store.uow, directory, mailer, target, clock=clock)


async def _start(services: Services, channel: Channel) -> None:
    """Start one channel and wire it: outbound, routes, ticket listeners, health, stop."""
    try:  # Telegram checks the token, then polls or sets the webhook; an unreachable Bot API
        await channel.start()  # is retried in the background while the rest serves
        services.channels.append(channel)  # stopped again if start-up fails from here on
        routes = channel.routes()
    except ChannelConfigError as exc:
        raise StartupError(str(exc)) from None
    services.deliverer.outbounds[channel.name] = channel.outbound
    services.routes += routes
    services.listeners += channel.listeners
    renders = channel.renders
    if renders.files and services.files is not None:  # staff may attach files on its tickets
        services.files.allow(channel.name, renders.file_kinds, renders.file_max_bytes)
    log.info(
        "channel on",
        extra={"channel": channel.name, "buttons": renders.buttons, "venue": renders.venue},
    )


async def _stop(channels: Sequence[Channel]) -> None:
    """Stop channels, the last started first; one failing must not keep the others open."""
    for channel in reversed(channels):
        try:
            await channel.stop()
        except Exception:
            log.exception("closing a channel failed", extra={"channel": channel.name})


@contextlib.asynccontextmanager
async def running(services: Services) -> AsyncIterator[None]:
    """Background work while the server runs: content watchers, delivery of staff replies."""
    every = services.settings.faq_reload_seconds
    tasks = [
        asyncio.create_task(services.faq.watch(every)),
        asyncio.create_task(services.centres.watch(every)),
        asyncio.create_task(services.macros.watch(every)),
        asyncio.create_task(services.deliverer.run()),  # staff replies, also those queued before
    ]
    if services.mail is not None:  # team e-mail: new tickets, passed first-response targets
        tasks.append(asyncio.create_task(services.mail.run()))
    if services.files is not None and services.files.retention_days > 0:
        tasks.append(asyncio.create_task(services.files.run()))  # FILE_RETENTION_DAYS
    if services.rollups is not None:  # closed days of the insights, built once
        tasks.append(asyncio.create_task(services.rollups.run()))
    retention = services.settings.message_retention_days
    if retention > 0 and isinstance(services.store, SqlStore):  # MESSAGE_RETENTION_DAYS
        sweep = TextRetention(services.store.sessions, retention, services.clock)
        tasks.append(asyncio.create_task(sweep.run()))
    try:
        yield
    finally:
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        await _stop(services.channels)
        if services.metrics_lead is not None:
            await services.metrics_lead.resign()
        await services.store.close()
        if services.shared is not None:
            await services.shared.close()


def admin_parts(services: Services) -> AdminParts:
    """What the console's admin pages need: the FAQ in service and its folder, the bot's
    replies, the numbered rendering, and the SQL aggregates (when the store is SQL)."""
    from bot.channels import numbered
    from bot.core.responder import Responder
    from bot.storage.insights import SqlInsights
    from bot.web.staff import AdminParts

    store = services.store
    return AdminParts(
        uow=store.uow,
        matcher=services.faq.matcher,
        faq_folder=services.settings.faq_dir,
        reload=services.faq.reload,
        responder=Responder(services.faq.matcher, centres=services.centres.finder),
        numbered=numbered.render,
        insights=SqlInsights(store.engine) if isinstance(store, SqlStore) else None,
    )


def app(services: Services) -> Starlette:
    """The HTTP app around built services: the web chat, /healthz, /metrics, the staff console
    and the channels' routes; its lifespan runs the background work and stops the channels."""
    from starlette.middleware import Middleware
    from starlette.routing import BaseRoute

    from bot.web.app import create_app
    from bot.web.metrics import HttpTimer, metrics_route
    from bot.web.staff import console_routes

    routes: list[BaseRoute] = []
    for route in services.routes:
        if not isinstance(route, BaseRoute):
            raise TypeError(f"a channel's route is not a Starlette route: {route!r}")
        routes.append(route)
    console = console_routes(
        services.store.uow,
        services.desk,
        lambda: services.teams,
        services.macros,
        clock=services.clock,
        admin=admin_parts(services),
        # REDIS_URL: one sign-in limit per address for the fleet, not one per replica
        limiter=SharedWindow(services.shared) if services.shared is not None else None,
    )
    middleware: list[Middleware] = []
    metrics = services.metrics
    if isinstance(metrics, PrometheusMetrics):
        allow = parse_networks(services.settings.metrics_allow)
        gauged = partial(gauges, services.store.uow)
        elect = elect_for(services.settings.database_url)  # PostgreSQL: one replica reports
        lead = services.metrics_lead = elect(METRICS_LEAD) if elect is not None else None
        reports = lead.try_lead if lead is not None else None
        route = metrics_route(metrics, gauged, allow=allow, clock=services.clock, lead=reports)
        routes.append(route)
        middleware.append(Middleware(HttpTimer, metrics=metrics))
    return create_app(
        services.conversation,
        services.health,
        files=services.files,
        clock=services.clock,
        routes=[*console, *routes],
        lifespan=lambda app: running(services),
        middleware=middleware,
    )


class LateApp:
    """The app built inside the server's own event loop, when its lifespan starts (the
    database engine and the channels' tasks belong to that loop): for a server that some
    other code starts, a test's uvicorn thread. ``merchant-bot serve`` builds first instead,
    so that a refused start-up is one line and exit code 1.
    """

    def __init__(self, settings: Settings, **parts: Any) -> None:
        self.settings, self.parts = settings, parts
        self.services: Services | None = None
        self._app: Starlette | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            startup = await receive()  # "lifespan.startup": build, then let the app answer it
            try:
                self.services = await build(self.settings, **self.parts)
            except Exception as exc:
                log.exception("start-up failed")
                await send({"type": "lifespan.startup.failed", "message": str(exc)})
                return
            self._app = app(self.services)
            replay = [startup]

            async def receive_again() -> Any:
                return replay.pop() if replay else await receive()

            await self._app(scope, receive_again, send)
            return
        if self._app is None:
            raise RuntimeError("the app is built when the server's lifespan starts")
        await self._app(scope, receive, send)
