"""``Outbound`` for WeChat: late answers and staff replies through the customer-service API."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC
from functools import partial

from bot.channels.wechat.api import WINDOW_ERRORS, ApiError, CustomerServiceApi
from bot.channels.wechat.mapping import (
    CHANNEL,
    STAFF_FILE_KINDS,
    STAFF_IMAGE_MAX_BYTES,
    chunks,
    render,
)
from bot.channels.wechat.window import LocalWindow, SharedWindow, Window
from bot.core.outbound import DeliveryError
from bot.core.ports import Conversation
from bot.core.shared import Shared
from bot.core.types import Attachment, MerchantKey, Outgoing

log = logging.getLogger(__name__)
SEED_HISTORY = 20


class WechatOutbound:
    """Sends to WeChat merchants while their 48-hour window is open; raises when it is not."""

    channel = CHANNEL

    def __init__(
        self,
        api: CustomerServiceApi | None,
        window: Window | None = None,
        history: Conversation | None = None,
        shared: Shared | None = None,
    ) -> None:
        self.api = api
        self.window = window or Window()  # this process's own (used without ``shared``)
        # the window as counted: with ``shared`` (REDIS_URL), by every replica together
        self.windows: LocalWindow | SharedWindow = (
            LocalWindow(self.window) if shared is None else SharedWindow(shared)
        )
        self._history = history

    async def send(self, merchant: MerchantKey, messages: Sequence[Outgoing], locale: str) -> None:
        """Deliver the messages as one text (split only past WeChat's size limit), then their
        images (uploaded as temporary media) as image messages."""
        if merchant.channel != CHANNEL:
            raise DeliveryError(f"not a WeChat merchant: {merchant.channel}", permanent=True)
        api = self.api
        if api is None:
            raise DeliveryError("WECHAT_APP_ID/WECHAT_APP_SECRET are not set", permanent=True)
        openid = merchant.user_id
        await self._seed(merchant)
        files = [m.attachment for m in messages if m.attachment is not None]
        images: list[str] = []
        if files:
            await self._open(openid)  # no upload for a merchant who cannot be reached
            # Uploaded before anything is sent: a failed upload then sends nothing, so the
            # delivery's retry does not send the text twice.
            images = [await self._upload(api, file) for file in files]
        for piece in chunks(render(messages, locale)):
            await self._one(openid, partial(api.send_text, openid, piece))
        for media_id in images:
            await self._one(openid, partial(api.send_image, openid, media_id))

    async def _upload(self, api: CustomerServiceApi, file: Attachment) -> str:
        if file.kind not in STAFF_FILE_KINDS:  # the desk refuses these; a guard all the same
            raise DeliveryError(f"WeChat cannot carry {file.kind} files", permanent=True)
        if len(file.data) > STAFF_IMAGE_MAX_BYTES:  # WeChat would refuse it at every attempt
            raise DeliveryError("image larger than WeChat's 10 MB", permanent=True)
        return await api.upload_image(file.data, file.kind, file.name)

    async def _open(self, openid: str) -> None:
        """Raise when the merchant's window is closed (as counted here and by the API)."""
        reason = await self.windows.closed_reason(openid)
        if reason is not None:
            raise DeliveryError(f"undeliverable: {reason}", permanent=True)

    async def _one(self, openid: str, send: Callable[[], Awaitable[None]]) -> None:
        """One customer-service message, counted against the merchant's window."""
        await self._open(openid)
        try:
            await send()
        except ApiError as exc:
            if exc.errcode in WINDOW_ERRORS:
                await self.windows.close(openid)
            raise
        await self.windows.sent(openid)

    async def _seed(self, merchant: MerchantKey) -> None:
        """After a restart, learn when the merchant last wrote from the stored history."""
        if self._history is None or await self.windows.known(merchant.user_id):
            return
        try:
            stored = await self._history.history(merchant, SEED_HISTORY)
        except Exception:  # no history is no reason not to try: the API has the last word
            log.exception("wechat: reading the history for the window failed")
            return
        last = next((m for m in reversed(stored) if m.direction == "in"), None)
        if last is not None:
            at = last.created_at
            at = at if at.tzinfo is not None else at.replace(tzinfo=UTC)
            await self.windows.opened(merchant.user_id, at=at.timestamp())
