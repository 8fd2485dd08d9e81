"""Which language the web chat answers a refused request in: the chat's, else the page's."""

from __future__ import annotations

import logging

from starlette.requests import Request

from bot.core.ports import Conversation
from bot.i18n import UI_LOCALES, UiLocale, locale_from_accept_language, ui_locale
from bot.web import session

RECENT = 20  # stored messages looked at for the chat's locale

log = logging.getLogger(__name__)


async def merchant_locale(
    request: Request, service: Conversation, token: str, new: bool, hint: str | None = None
) -> UiLocale:
    """The merchant's language for a message the page shows: the chat's stored locale (its
    latest reply), else the request's ``lang`` field, else Accept-Language, else English."""
    if not new:
        try:
            stored = await service.history(session.merchant_key(token), RECENT)
        except Exception:  # the store is down: the request still says enough
            log.debug("web chat: no stored locale for an error message", exc_info=True)
            stored = []
        for m in reversed(stored):
            found = next((loc for loc in UI_LOCALES if loc == m.locale), None)
            if m.direction == "out" and found is not None:
                return found
    accepted = locale_from_accept_language(request.headers.get("accept-language"))
    return ui_locale(hint) or accepted or "en"
