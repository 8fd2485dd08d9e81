"""The composition root: settings -> FAQ, storage, conversation service, web app."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from datetime import timedelta
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bot.centres.holder import CentresHolder
from bot.centres.model import Centres
from bot.content.problems import errors
from bot.core.centre_teams import CentreTeams
from bot.core.conversation import ConversationService
from bot.core.delivery import Deliverer
from bot.core.desk import Desk
from bot.core.escalation import Escalation, Policy
from bot.core.notify import TicketListener
from bot.core.teams import TeamDirectory
from bot.faq.engine import semantics_for
from bot.faq.reloader import FaqHolder
from bot.settings import Settings
from bot.staff.macros import MACROS_FILE, MacroHolder
from bot.storage.migrate import upgrade
from bot.storage.uow import SqlStore
from bot.web.outbound import WebOutbound

if TYPE_CHECKING:
    from starlette.routing import BaseRoute

log = logging.getLogger(__name__)


class StartupError(Exception):
    """The bot cannot start; the message says why in one line."""


@dataclass
class Services:
    """Everything a running bot holds, built once per process."""

    settings: Settings
    faq: FaqHolder
    centres: CentresHolder
    macros: MacroHolder  # the staff console's canned replies
    store: SqlStore
    conversation: ConversationService
    desk: Desk
    deliverer: Deliverer
    teams: TeamDirectory
    routes: list[BaseRoute] = field(default_factory=list)  # the channels' HTTP endpoints
    closers: list[Callable[[], Awaitable[None]]] = field(default_factory=list)
    channels: list[str] = field(default_factory=list)  # the channels switched on
    listeners: list[TicketListener] = field(default_factory=list)  # mirrors of tickets
    # each channel's own health ("unreachable, retrying"): one channel down is "degraded"
    channel_status: dict[str, Callable[[], dict[str, Any]]] = field(default_factory=dict)

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
        channels = {name: status() for name, status in self.channel_status.items()}
        degraded = [
            name
            for name, fine in (
                ("faq", faq["ok"]),
                ("matcher", not matcher["degraded"]),
                ("centres", centres["ok"] is True),
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
            "channels": channels,
        }


def snapshot_path(root: Path, kind: str, source: Path) -> Path:
    """Where the last good copy of one content folder lives: another folder has its own."""
    digest = hashlib.sha1(str(source.resolve()).encode("utf-8")).hexdigest()[:12]
    return root / f"{kind}-{digest}"


async def build(settings: Settings) -> Services:
    """Load the FAQ, prepare the database (SQLite is upgraded here), wire the core."""
    faq = FaqHolder(
        settings.faq_dir,
        partial(semantics_for, settings.matcher_encoder, settings.vector_cache_dir),
        snapshot=snapshot_path(settings.snapshot_dir, "faq", settings.faq_dir),
    )
    await asyncio.to_thread(faq.reload)
    if faq.state.entries == 0:  # broken files and no last good copy: the root cause, first
        first = next(iter(errors(faq.state.problems)), None)
        raise StartupError(f"no valid FAQ in {settings.faq_dir}: {first or 'no entries'}")
    if settings.database_url.startswith("sqlite"):
        await upgrade(settings.database_url)
    centres = CentresHolder(
        settings.centres_path,
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

    store = SqlStore(settings.database_url)
    teams: TeamDirectory = CentreTeams(current_centres)
    policy = Policy(
        first_response=timedelta(minutes=settings.first_response_minutes),
        ack_interval=timedelta(seconds=settings.ack_interval_seconds),
    )
    deliverer = Deliverer(store.uow, {"web": WebOutbound()})
    listeners: list[TicketListener] = []  # channels add theirs (the Telegram staff group)
    conversation = ConversationService(
        faq.matcher,
        store.uow,
        escalation=Escalation(lambda: teams, policy),
        listeners=listeners,
        centres=centres.finder,
    )
    desk = Desk(store.uow, lambda: teams, policy=policy, wake=deliverer.wake, listeners=listeners)
    services = Services(settings, faq, centres, macros, store, conversation, desk, deliverer, teams)
    services.listeners = listeners
    _wechat(services)
    await _telegram(services)
    return services


async def _telegram(services: Services) -> None:
    """The Telegram channel, when TELEGRAM_BOT_TOKEN is set (only its framework is imported)."""
    from bot.channels.telegram import (
        FailedDelivery,
        TelegramConfigError,
        build_channel,
        config_from,
    )

    try:
        config = config_from(services.settings)
    except TelegramConfigError as exc:
        raise StartupError(str(exc)) from None
    if config is None:
        return

    async def undelivered(failed: FailedDelivery) -> None:
        if failed.merchant is not None:  # staff see it on the merchant's ticket, with Retry
            await services.conversation.delivery_failed(
                failed.merchant, failed.texts, failed.reason
            )

    telegram = build_channel(
        config,
        services.conversation,
        on_failure=undelivered,
        desk=services.desk,  # staff act on tickets from the staff chat's topics
        uow=services.store.uow,
    )
    try:  # checks the token (getMe), then polls or sets the webhook; an unreachable Bot API
        await telegram.start()  # is retried in the background while the rest serves
    except TelegramConfigError as exc:
        raise StartupError(str(exc)) from None
    services.channel_status["telegram"] = telegram.status
    services.deliverer.outbounds["telegram"] = telegram.outbound
    services.routes += telegram.routes()
    services.closers.append(telegram.stop)
    services.channels.append("telegram")
    if telegram.staff is not None:  # TELEGRAM_STAFF_CHAT_ID: every ticket gets a forum topic
        services.listeners.append(telegram.staff)


def _wechat(services: Services) -> None:
    """The WeChat endpoint, when WECHAT_TOKEN is set."""
    from bot.channels.wechat import ConfigError, WechatConfig, build_channel

    try:
        config = WechatConfig.from_settings(services.settings)
    except ConfigError as exc:
        raise StartupError(str(exc)) from None
    if config is None:
        return
    wechat = build_channel(services.conversation, config)
    services.deliverer.outbounds["wechat"] = wechat.outbound
    services.routes += wechat.routes()
    services.closers.append(wechat.aclose)
    services.channels.append("wechat")


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
    try:
        yield
    finally:
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        for close in services.closers:
            try:
                await close()
            except Exception:  # one channel failing to close must not keep the others open
                log.exception("closing a channel failed")
        await services.store.close()
