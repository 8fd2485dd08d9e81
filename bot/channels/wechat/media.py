"""Files merchants send on WeChat: fetched with the temporary-media API (``media/get``), checked
exactly like a web chat upload (``Files.check``: sniffed kind, FILE_MAX_BYTES, metadata
stripped) and handed to the core as a "file" event, which stores it with the message.

A file that cannot be taken (too large, not an image or PDF, a download that keeps failing) is
refused in the merchant's language and nothing is stored. The download runs inside the
message's flight (``endpoint``), so WeChat's retries of a slow one wait for the same answer.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import replace

from bot.channels.wechat import texts
from bot.channels.wechat.api import ApiError, CustomerServiceApi
from bot.channels.wechat.mapping import DEFAULT_LOCALE, Media
from bot.core.files import FileRefused, Files, Upload
from bot.core.language import parse_locale
from bot.core.ports import Conversation
from bot.core.types import Incoming, MerchantKey, Outgoing, Reply
from bot.i18n import UiLocale

RECENT = 20  # messages looked at for the merchant's language
NOT_RECEIVED_STATUS = 502

log = logging.getLogger(__name__)


class InboundFiles:
    """Turns an image (or file) message into a checked "file" event, or a refusal."""

    def __init__(self, api: CustomerServiceApi, files: Files, service: Conversation) -> None:
        self._api, self._files, self._service = api, files, service

    async def event(self, event: Incoming, media: Media) -> Incoming | Reply:
        """``event`` as a "file" event with its attachment, or the reply refusing the file."""
        try:
            data = await self._download(media)
            # Off the event loop: cleaning a large image takes a while, and other merchants'
            # messages must still be answered within WeChat's 5 seconds meanwhile.
            most = self._files.limit_for("wechat")
            attachment = await asyncio.to_thread(self._files.check, Upload(data, media.name), most)
        except FileRefused as exc:
            log.info("wechat: file refused", extra={"code": exc.code})
            locale = await self._locale(event.merchant)
            return Reply((Outgoing(exc.text(locale)),), locale)
        return replace(event, kind="file", text="", attachment=attachment)

    async def _download(self, media: Media) -> bytes:
        try:
            return await self._api.media(media.media_id, self._files.limit_for("wechat"))
        except ApiError as exc:
            log.warning(
                "wechat: a file could not be fetched",
                extra={"reason": exc.reason, "permanent": exc.permanent},
            )
            raise FileRefused(
                NOT_RECEIVED_STATUS, "not_received", texts.FILE_NOT_RECEIVED
            ) from None

    async def _locale(self, merchant: MerchantKey) -> UiLocale:
        """The language of the bot's latest reply to the merchant, else WeChat's default."""
        try:
            history = await self._service.history(merchant, RECENT)
        except Exception:  # the store is down: the refusal is still worth saying
            log.warning("wechat: no stored language for a refusal", exc_info=True)
            return DEFAULT_LOCALE
        for message in reversed(history):
            found = parse_locale(message.locale or "")
            if message.direction == "out" and found is not None:
                return found
        return DEFAULT_LOCALE
