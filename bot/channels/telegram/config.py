"""The channel's settings, taken from ``bot.settings`` and checked once at start-up."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

from bot.channels.telegram.pacing import Limits
from bot.channels.telegram.sender import RetryPolicy
from bot.core.channel import ChannelConfigError
from bot.settings import Settings, SettingsError

_TOKEN = re.compile(r"\d+:[A-Za-z0-9_-]+")
_SECRET = re.compile(r"[A-Za-z0-9_-]{1,256}")  # what setWebhook accepts as secret_token


class TelegramConfigError(SettingsError, ChannelConfigError):
    """A TELEGRAM_* setting is unusable; the message names it, in one line."""


@dataclass(frozen=True)
class TelegramConfig:
    """Everything the channel needs; the pacing, retry and poll values are for tests."""

    token: str
    api_url: str = "https://api.telegram.org"
    mode: Literal["polling", "webhook"] = "polling"
    webhook_secret: str = ""
    webhook_url: str = ""
    staff_chat_id: int | None = None
    framework: Literal["aiogram", "ptb"] = "aiogram"
    poll_timeout: int = 30
    limits: Limits = field(default_factory=Limits)
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    drain_seconds: float = 10.0  # how long stop() lets queued replies go out
    confirm_seconds: float = 5.0  # how long stop() tries to confirm getUpdates' offset

    @property
    def bot_id(self) -> str:
        """The bot's numeric id, the part of the token before the colon."""
        return self.token.split(":", 1)[0]

    def __repr__(self) -> str:  # the token is a password: never in logs or tracebacks
        return f"TelegramConfig(bot_id={self.bot_id}, mode={self.mode}, framework={self.framework})"


def config_from(settings: Settings) -> TelegramConfig | None:
    """The channel's config, None without a token; TelegramConfigError when unusable."""
    token = settings.telegram_bot_token.strip()
    if not token:
        return None
    if not _TOKEN.fullmatch(token):
        raise TelegramConfigError("TELEGRAM_BOT_TOKEN: expected <digits>:<letters> from @BotFather")
    url = settings.telegram_api_url.strip().rstrip("/")
    if not url.startswith(("https://", "http://")):
        raise TelegramConfigError("TELEGRAM_API_URL: must start with https:// (or http://)")
    config = TelegramConfig(
        token=token,
        api_url=url,
        mode=settings.telegram_mode,
        webhook_secret=settings.telegram_webhook_secret,
        webhook_url=settings.telegram_webhook_url.strip(),
        staff_chat_id=settings.telegram_staff_chat_id,
        framework=settings.telegram_framework,
    )
    if config.mode == "webhook":
        check_webhook(config)
    return config


def check_webhook(config: TelegramConfig) -> None:
    """Webhook mode needs a public URL and a secret Telegram accepts."""
    if not config.webhook_url.startswith(("https://", "http://")):
        raise TelegramConfigError(
            "TELEGRAM_WEBHOOK_URL: required in webhook mode, the public https:// URL of "
            "/telegram/webhook"
        )
    if not _SECRET.fullmatch(config.webhook_secret):
        raise TelegramConfigError(
            "TELEGRAM_WEBHOOK_SECRET: required in webhook mode, 1-256 of A-Z a-z 0-9 _ -"
        )
