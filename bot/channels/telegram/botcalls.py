"""The Bot API calls aiogram's and python-telegram-bot's clients take with the same method
names and arguments, written once. Framework-free: the client is duck-typed; each adapter
supplies ``bot``, ``_run`` (its errors as TgApiError) and ``_keyboard`` (its keyboard type)."""

from __future__ import annotations

from collections.abc import Awaitable, Sequence
from typing import Any

from bot.channels.telegram.sends import Keyboard, SendRequest, SendText


class SameOnBoth:
    """Part of ``BotApi``, for an adapter to inherit."""

    bot: Any  # the framework's Bot

    async def _run(self, call: Awaitable[Any]) -> Any:
        """Run one framework call; its exceptions become TgApiError."""
        raise NotImplementedError

    def _keyboard(self, keyboard: Keyboard) -> object:
        """The framework's inline keyboard, or None without buttons."""
        raise NotImplementedError

    async def send(self, request: SendRequest) -> int:
        """sendMessage (plain text) or sendVenue."""
        markup = self._keyboard(request.keyboard)
        if isinstance(request, SendText):
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
