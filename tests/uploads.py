"""A merchant's uploaded file kept as a channel keeps one, for the tests of files over storage."""

from __future__ import annotations

from bot.core.files import Files, StoredFile, Upload
from bot.core.ports import NewMessage
from bot.core.types import MerchantKey
from bot.storage.uow import SqlStore


async def keep_upload(
    store: SqlStore, files: Files, merchant: MerchantKey, data: bytes, name: str
) -> StoredFile:
    """``data`` sent by ``merchant`` as the file ``name``: its message, then the checked upload
    kept with it, committed together."""
    async with store.uow() as uow:
        sender = await uow.merchants.get_or_create(merchant)
        message = await uow.messages.add(NewMessage(sender.id, "in", "file", name))
        kept = await files.keep(uow, files.check(Upload(data, name)), sender.id, message.id, None)
        await uow.commit()
    return kept
