"""UI strings of the Telegram channel (the command menu), marked for gettext extraction."""

from __future__ import annotations

from bot.i18n import _

START_DESCRIPTION = _("Start over and show the menu")
HELP_DESCRIPTION = _("How to ask a question")
