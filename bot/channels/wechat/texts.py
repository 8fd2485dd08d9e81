"""UI strings only the WeChat channel shows, marked for gettext extraction."""

from __future__ import annotations

from bot.i18n import _

# Under a numbered menu: WeChat has no buttons, so merchants answer with the number.
MENU_HINT = _("Reply with a number to choose.")
SERVICE_FAILED = _("Sorry, something went wrong on our side. Please try again in a moment.")
