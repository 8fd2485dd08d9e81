"""The WeChat channel put together: API client, window, outbound and endpoint."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar

import httpx
from starlette.routing import BaseRoute

from bot.channels.wechat.api import CustomerServiceApi
from bot.channels.wechat.config import WechatConfig
from bot.channels.wechat.endpoint import Queue, WechatEndpoint
from bot.channels.wechat.mapping import STAFF_FILE_KINDS, STAFF_IMAGE_MAX_BYTES
from bot.channels.wechat.media import InboundFiles
from bot.channels.wechat.outbound import WechatOutbound
from bot.channels.wechat.window import Window
from bot.core.channel import ChannelFactory, ChannelParts, Rendering
from bot.core.files import Files
from bot.core.notify import TicketListener
from bot.core.ports import Conversation
from bot.core.shared import Shared
from bot.settings import Settings

log = logging.getLogger(__name__)


@dataclass
class WechatChannel:
    """The ``Channel`` for WeChat: the /wechat routes, the outbound, ``start`` and ``stop``."""

    config: WechatConfig
    outbound: WechatOutbound
    endpoint: WechatEndpoint
    name: ClassVar[str] = "wechat"
    renders: ClassVar[Rendering] = Rendering(  # numbered text; images only, no documents
        buttons=False,
        venue=False,
        files=True,
        file_kinds=STAFF_FILE_KINDS,
        file_max_bytes=STAFF_IMAGE_MAX_BYTES,
    )
    listeners: ClassVar[Sequence[TicketListener]] = ()

    def routes(self) -> list[BaseRoute]:
        """GET/POST /wechat."""
        return self.endpoint.routes()

    def status(self) -> dict[str, object]:
        """WeChat pushes to the endpoint: nothing to connect, nothing to watch."""
        return {"ok": True}

    async def start(self) -> None:
        """Nothing to connect: WeChat calls the endpoint; the API client opens on first use."""

    async def stop(self) -> None:
        """Finish answers in work, then close the API client."""
        await self.endpoint.aclose()
        if self.outbound.api is not None:
            await self.outbound.api.aclose()


def build_channel(
    service: Conversation,
    config: WechatConfig,
    *,
    transport: httpx.AsyncBaseTransport | None = None,
    shared: Shared | None = None,
    files: Files | None = None,
    queue: Queue | None = None,
) -> WechatChannel:
    """Wire the channel; without an app id and secret it answers passively only.

    ``shared`` (Redis with REDIS_URL) is what the replicas share: who answers a MsgId and how,
    the access token, the 48-hour window's counts; None: this process keeps them. ``files``:
    where images merchants send are checked and kept (fetching them needs the API too).
    ``queue``: where late answers go to be sent (the outbox); None: sent from this process."""
    api = (
        CustomerServiceApi(
            config.app_id, config.app_secret, config.api_url, transport=transport, shared=shared
        )
        if config.can_send
        else None
    )
    outbound = WechatOutbound(api, Window(), history=service, shared=shared)
    inbound = InboundFiles(api, files, service) if api is not None and files is not None else None
    endpoint = WechatEndpoint(
        service, config, outbound, shared=shared, files=inbound, queue=queue if api else None
    )
    return WechatChannel(config, outbound, endpoint)


def wechat_from(settings: Settings) -> ChannelFactory | None:
    """The channel's factory when WECHAT_TOKEN is set; ConfigError names a bad setting."""
    config = WechatConfig.from_settings(settings)
    if config is None:
        log.info("channel off: settings missing", extra={"channel": WechatChannel.name})
        return None

    def build(parts: ChannelParts) -> WechatChannel:
        # The desk's files service is the core's one (the conversation stores with it too).
        # Late answers go through the outbox: leased and retried like staff replies (issue 16).
        return build_channel(
            parts.conversation,
            config,
            shared=parts.shared,
            files=parts.desk.files,
            queue=parts.conversation.queue_answer,
        )

    return build
