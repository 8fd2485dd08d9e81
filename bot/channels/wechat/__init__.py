"""The WeChat Official Account channel: safe mode, retries and the customer-service API."""

from bot.channels.wechat.channel import WechatChannel, build_channel, wechat_from
from bot.channels.wechat.config import ConfigError, WechatConfig
from bot.channels.wechat.outbound import WechatOutbound

__all__ = [
    "ConfigError",
    "WechatChannel",
    "WechatConfig",
    "WechatOutbound",
    "build_channel",
    "wechat_from",
]
