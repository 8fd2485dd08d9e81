"""UI strings only the WeChat channel shows, marked for gettext extraction."""

from __future__ import annotations

from bot.i18n import _

SERVICE_FAILED = _("Sorry, something went wrong on our side. Please try again in a moment.")
