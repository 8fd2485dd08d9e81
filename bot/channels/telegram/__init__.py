"""The Telegram channel: merchants in private chats, through aiogram or python-telegram-bot.

Shared, framework-free parts (mapping, ordering, pacing, sending, intake, polling, webhook, the
staff chat's topics in ``staff`` and ``staff_input``) live once; ``aiogram_adapter`` and
``ptb_adapter`` only translate library objects.
"""

from __future__ import annotations

from bot.channels.telegram.channel import TelegramChannel, build_channel, telegram_from
from bot.channels.telegram.config import TelegramConfig, TelegramConfigError, config_from
from bot.channels.telegram.sender import FailedDelivery

__all__ = [
    "FailedDelivery",
    "TelegramChannel",
    "TelegramConfig",
    "TelegramConfigError",
    "build_channel",
    "config_from",
    "telegram_from",
]
