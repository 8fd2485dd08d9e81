"""The command menu (setMyCommands), in every language Telegram lets us target."""

from __future__ import annotations

import logging

from bot.channels.telegram import texts
from bot.channels.telegram.api import BotApi, TgApiError
from bot.channels.telegram.sends import CommandSpec
from bot.core import texts as core_texts
from bot.core.texts import t
from bot.i18n import UiLocale

log = logging.getLogger(__name__)

# setMyCommands takes two-letter codes only: "zh" cannot tell Simplified from Traditional, so
# Chinese users see Simplified descriptions; "" is the default list (English).
MENU_LANGUAGES: tuple[tuple[str, UiLocale], ...] = (("", "en"), ("ko", "ko"), ("zh", "zh_Hans"))
COMMANDS = (
    ("start", texts.START_DESCRIPTION),
    ("help", texts.HELP_DESCRIPTION),
    ("language", core_texts.MENU_LANGUAGE),
    ("centre", core_texts.MENU_CENTRE),
    ("human", core_texts.MENU_HUMAN),
)


def command_menu(locale: UiLocale) -> list[CommandSpec]:
    """The commands with descriptions in one locale."""
    return [CommandSpec(name, t(locale, description)) for name, description in COMMANDS]


async def register_commands(api: BotApi) -> bool:
    """Set the menu per language; a failure is logged (the bot works without a menu)."""
    try:
        for code, locale in MENU_LANGUAGES:
            await api.set_commands(command_menu(locale), code)
    except TgApiError as exc:
        log.warning("telegram: setMyCommands failed", extra={"reason": str(exc)})
        return False
    return True
