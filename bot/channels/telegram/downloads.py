"""Files people send on Telegram: downloaded through the Bot API, then checked like any upload.

A photo (its largest size) or a document is fetched with getFile and the file URL, refused
before the download when Telegram already says it is too large, and checked by the core
(``Files.check``: type sniffed from the bytes, size, image metadata stripped). A refusal is a
``FileRefused`` the caller says in the sender's language; nothing is stored.
"""

from __future__ import annotations

from bot.channels.telegram.api import BotApi, FileTooLarge, TgApiError
from bot.channels.telegram.updates import TgFile
from bot.core.files import TOO_LARGE, FileRefused, Files, Upload, megabytes
from bot.core.language import locale_from_tag
from bot.core.ports import Conversation
from bot.core.types import Attachment, Incoming
from bot.i18n import UI_LOCALES, UiLocale, _

TELEGRAM_DOWNLOAD_MAX = 20 * 1024 * 1024  # the Bot API serves bots files up to 20 MB
RECENT = 10  # messages looked at for the merchant's language

NOT_RECEIVED = _("This file could not be received. Please send it again.")


class Downloads:
    """Turns a Telegram file into a checked ``Attachment`` (both the merchants' and staff's)."""

    def __init__(self, api: BotApi, files: Files) -> None:
        self._api = api
        self.files = files
        # FILE_MAX_BYTES or Telegram's own setting, at most the 20 MB bots may download
        self.limit = files.limit_for("telegram", TELEGRAM_DOWNLOAD_MAX)

    async def attachment(self, file: TgFile) -> Attachment:
        """The file, downloaded and checked; ``FileRefused`` (too large, not an accepted kind,
        gone from Telegram); ``TgApiError`` when Telegram is unreachable (worth a retry)."""
        return self.files.check(await self.upload(file), self.limit)

    async def upload(self, file: TgFile) -> Upload:
        """The file's bytes as sent, not checked yet (the desk checks a staff attachment);
        ``FileRefused`` when too large or gone, ``TgApiError`` when Telegram is unreachable."""
        if file.size is not None and file.size > self.limit:
            raise self._too_large()
        try:
            data = await self._api.download(file.file_id, self.limit)
        except FileTooLarge:
            raise self._too_large() from None
        except TgApiError as exc:
            if not exc.permanent:
                raise  # the update stays with Telegram and comes again
            raise FileRefused(400, "not_received", NOT_RECEIVED) from exc
        return Upload(data, file.name)

    def _too_large(self) -> FileRefused:
        return FileRefused(413, "too_large", TOO_LARGE, limit=megabytes(self.limit))


async def merchant_locale(conversation: Conversation, event: Incoming) -> UiLocale:
    """The language to refuse a merchant's file in: the conversation's (its latest answer),
    else the one their Telegram app names, else English."""
    for message in reversed(await conversation.history(event.merchant, RECENT)):
        found = next((loc for loc in UI_LOCALES if loc == message.locale), None)
        if message.direction == "out" and found is not None:
            return found
    return locale_from_tag(event.lang_hint) or "en"
