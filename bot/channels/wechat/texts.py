"""UI strings only the WeChat channel shows, marked for gettext extraction."""

from __future__ import annotations

from bot.i18n import _

SERVICE_FAILED = _("Sorry, something went wrong on our side. Please try again in a moment.")
FILE_NOT_RECEIVED = _(
    "Sorry, your file could not be received from WeChat, so it has not reached our team. "
    "Please send it again in a few minutes."
)
