"""The WeChat channel's settings as one checked value (from WECHAT_* in bot.settings)."""

from __future__ import annotations

from dataclasses import dataclass

from bot.channels.wechat.crypto import aes_key
from bot.core.channel import ChannelConfigError
from bot.settings import Settings

DEFAULT_API_URL = "https://api.weixin.qq.com"
# WeChat drops a reply that takes 5 s; network time to and from its servers comes out of that.
PASSIVE_BUDGET_SECONDS = 4.0


class ConfigError(ValueError, ChannelConfigError):
    """A WECHAT_* setting is unusable; the message names the variable."""


@dataclass(frozen=True)
class WechatConfig:
    """Token, app credentials, safe mode's key and the API base URL."""

    token: str
    app_id: str = ""
    app_secret: str = ""
    encoding_aes_key: str = ""
    api_url: str = DEFAULT_API_URL
    passive_budget: float = PASSIVE_BUDGET_SECONDS

    def __post_init__(self) -> None:
        if not self.token:
            raise ConfigError("WECHAT_TOKEN: must be set")
        if self.encoding_aes_key:
            try:
                aes_key(self.encoding_aes_key)
            except ValueError as exc:
                raise ConfigError(f"WECHAT_ENCODING_AES_KEY: {exc}") from None
            if not self.app_id:
                raise ConfigError("WECHAT_APP_ID: safe mode needs the app id")
        if not self.api_url.startswith(("https://", "http://")):
            raise ConfigError("WECHAT_API_URL: must start with https:// or http://")

    @property
    def safe_mode(self) -> bool:
        """Messages arrive encrypted and replies leave encrypted."""
        return bool(self.encoding_aes_key)

    @property
    def can_send(self) -> bool:
        """The customer-service API is usable (it needs the app id and secret)."""
        return bool(self.app_id and self.app_secret)

    @classmethod
    def from_settings(cls, settings: Settings) -> WechatConfig | None:
        """The channel's config, or None when WECHAT_TOKEN is not set (the channel is off)."""
        if not settings.wechat_token:
            return None
        return cls(
            token=settings.wechat_token,
            app_id=settings.wechat_app_id,
            app_secret=settings.wechat_app_secret,
            encoding_aes_key=settings.wechat_encoding_aes_key,
            api_url=settings.wechat_api_url.rstrip("/"),
        )
