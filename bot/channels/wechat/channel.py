"""The WeChat channel put together: API client, window, outbound and endpoint."""

from __future__ import annotations

from dataclasses import dataclass

import httpx
from starlette.routing import BaseRoute

from bot.channels.wechat.api import CustomerServiceApi
from bot.channels.wechat.config import WechatConfig
from bot.channels.wechat.endpoint import WechatEndpoint
from bot.channels.wechat.outbound import WechatOutbound
from bot.channels.wechat.window import Window
from bot.core.ports import Conversation


@dataclass
class WechatChannel:
    """What the composition root holds: routes for the app, the outbound, and ``aclose``."""

    config: WechatConfig
    outbound: WechatOutbound
    endpoint: WechatEndpoint

    def routes(self) -> list[BaseRoute]:
        """GET/POST /wechat."""
        return self.endpoint.routes()

    async def aclose(self) -> None:
        """Finish answers in work, then close the API client."""
        await self.endpoint.aclose()
        if self.outbound.api is not None:
            await self.outbound.api.aclose()


def build_channel(
    service: Conversation,
    config: WechatConfig,
    *,
    transport: httpx.AsyncBaseTransport | None = None,
) -> WechatChannel:
    """Wire the channel; without an app id and secret it answers passively only."""
    api = (
        CustomerServiceApi(config.app_id, config.app_secret, config.api_url, transport=transport)
        if config.can_send
        else None
    )
    outbound = WechatOutbound(api, Window(), history=service)
    return WechatChannel(config, outbound, WechatEndpoint(service, config, outbound))
