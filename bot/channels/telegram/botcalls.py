"""The Bot API calls aiogram's and python-telegram-bot's clients take with the same method
names and arguments, written once. Framework-free: the client is duck-typed; each adapter
supplies ``bot``, ``_run`` (its errors as TgApiError) and ``_keyboard`` (its keyboard type)."""

from __future__ import annotations

from collections.abc import Awaitable, Sequence
from typing import Any

from bot.channels.telegram.api import FileTooLarge, TgApiError
from bot.channels.telegram.sends import Keyboard, SendFile, SendRequest, SendText


class SameOnBoth:
    """Part of ``BotApi``, for an adapter to inherit."""

    bot: Any  # the framework's Bot

    async def _run(self, call: Awaitable[Any]) -> Any:
        """Run one framework call; its exceptions become TgApiError."""
        raise NotImplementedError

    def _keyboard(self, keyboard: Keyboard) -> object:
        """The framework's inline keyboard, or None without buttons."""
        raise NotImplementedError

    def _upload(self, data: bytes, name: str) -> object:
        """The framework's file to upload (multipart) from bytes and a file name."""
        raise NotImplementedError

    async def _fetch(self, path: str, limit: int) -> bytes:
        """The bytes at a file path getFile returned (the framework's download); errors as
        TgApiError, ``FileTooLarge`` once more than ``limit`` bytes came."""
        raise NotImplementedError

    async def download(self, file_id: str, limit: int) -> bytes:
        """getFile, then the bytes; ``FileTooLarge`` past ``limit`` (Telegram's size first)."""
        try:
            found = await self._run(self.bot.get_file(file_id))
        except TgApiError as exc:  # over 20 MB, Telegram will not serve it to a bot
            if exc.status == 400 and "too big" in exc.description.lower():
                raise FileTooLarge(exc.description) from exc
            raise
        if (found.file_size or 0) > limit:
            raise FileTooLarge(found.file_size)
        if not found.file_path:  # Telegram gives no path for files over 20 MB
            raise FileTooLarge(found.file_size)
        data = await self._fetch(found.file_path, limit)
        if len(data) > limit:
            raise FileTooLarge(len(data))
        return data

    async def send(self, request: SendRequest) -> int:
        """sendMessage (plain text), sendVenue, sendPhoto or sendDocument."""
        markup = self._keyboard(request.keyboard)
        if isinstance(request, SendFile):
            upload = self._upload(request.data, request.name)
            call = self.bot.send_photo if request.photo else self.bot.send_document
            sent = call(
                request.chat_id,
                upload,
                caption=request.caption or None,
                message_thread_id=request.thread_id,
                reply_markup=markup,
            )
        elif isinstance(request, SendText):
            sent = self.bot.send_message(
                request.chat_id,
                request.text,
                message_thread_id=request.thread_id,
                reply_markup=markup,
            )
        else:
            sent = self.bot.send_venue(
                request.chat_id,
                request.latitude,
                request.longitude,
                request.title,
                request.address,
                message_thread_id=request.thread_id,
                reply_markup=markup,
            )
        return int((await self._run(sent)).message_id)

    async def create_topic(self, chat_id: int, name: str) -> int:
        """createForumTopic."""
        topic = await self._run(self.bot.create_forum_topic(chat_id, name))
        return int(topic.message_thread_id)

    async def answer_callback(self, callback_id: str) -> None:
        """answerCallbackQuery."""
        await self._run(self.bot.answer_callback_query(callback_id))

    async def set_webhook(self, url: str, secret: str, allowed: Sequence[str]) -> None:
        """setWebhook with the secret token."""
        await self._run(
            self.bot.set_webhook(url, secret_token=secret, allowed_updates=list(allowed))
        )

    async def delete_webhook(self) -> None:
        """deleteWebhook, keeping pending updates."""
        await self._run(self.bot.delete_webhook(drop_pending_updates=False))
