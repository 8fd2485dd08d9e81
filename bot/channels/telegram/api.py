"""The adapter contract: what the channel needs from a framework's Bot API client.

``aiogram_adapter`` and ``ptb_adapter`` implement it; they translate library objects and
exceptions to and from ours and do nothing else, so both behave the same by construction.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Protocol

from bot.channels.telegram.sends import CommandSpec, SendRequest
from bot.channels.telegram.updates import TgUpdate

ALLOWED_UPDATES = ("message", "callback_query")  # staff write in the group: messages too


class TgApiError(Exception):
    """A failed Bot API call.

    ``status`` is the HTTP status (0: no response, a network error or a timeout);
    ``retry_after`` is set for flood control (429); ``permanent`` when retrying cannot help
    (the user blocked the bot, the chat is gone, the request is malformed).
    """

    def __init__(self, status: int, description: str, retry_after: float | None = None) -> None:
        super().__init__(f"{status or 'network'}: {description}")
        self.status = status
        self.description = description
        self.retry_after = retry_after

    @property
    def permanent(self) -> bool:
        """A 4xx other than 429: the same request will fail again."""
        return 400 <= self.status < 500 and self.status != 429


class FileTooLarge(Exception):
    """A file over the limit: refused before (Telegram's size) or while it is downloaded."""


class BotApi(Protocol):
    """One bot's Bot API client, as a framework provides it."""

    async def start(self) -> str:
        """Open the client and check the token (getMe); returns the bot's username."""
        ...

    async def close(self) -> None:
        """Close the client's connections."""
        ...

    async def get_updates(
        self, offset: int | None, timeout: int, limit: int, allowed: Sequence[str]
    ) -> list[TgUpdate]:
        """getUpdates: long-poll; passing ``offset`` confirms every update below it."""
        ...

    def parse_update(self, data: Mapping[str, Any]) -> TgUpdate:
        """An update pushed to the webhook, parsed by the framework; ValueError if invalid."""
        ...

    async def send(self, request: SendRequest) -> int:
        """sendMessage, sendVenue, sendPhoto or sendDocument; returns the new message's id."""
        ...

    async def download(self, file_id: str, limit: int) -> bytes:
        """getFile, then the file's bytes from the download URL; ``FileTooLarge`` when Telegram
        says it (or it turns out) larger than ``limit`` bytes."""
        ...

    async def create_topic(self, chat_id: int, name: str) -> int:
        """createForumTopic; returns the new topic's message_thread_id."""
        ...

    async def get_chat_member(self, chat_id: int, user_id: int) -> str:
        """getChatMember: the user's status there ("creator", "member", "left", ...)."""
        ...

    async def answer_callback(self, callback_id: str) -> None:
        """answerCallbackQuery without text: stops the button's spinner."""
        ...

    async def set_commands(self, commands: Sequence[CommandSpec], language_code: str) -> None:
        """setMyCommands for private chats; ``language_code`` "" sets the default list."""
        ...

    async def set_webhook(self, url: str, secret: str, allowed: Sequence[str]) -> None:
        """setWebhook with the secret Telegram echoes in X-Telegram-Bot-Api-Secret-Token."""
        ...

    async def delete_webhook(self) -> None:
        """deleteWebhook, keeping pending updates (polling then fetches them)."""
        ...
