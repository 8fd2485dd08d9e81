"""The adapter contract on aiogram 3: its Bot client and types, translated to and from ours."""

from __future__ import annotations

from collections.abc import Awaitable, Mapping, Sequence
from enum import Enum
from typing import Any, TypeVar

import aiohttp
from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.exceptions import (
    AiogramError,
    TelegramAPIError,
    TelegramBadRequest,
    TelegramConflictError,
    TelegramEntityTooLarge,
    TelegramForbiddenError,
    TelegramMigrateToChat,
    TelegramNetworkError,
    TelegramNotFound,
    TelegramRetryAfter,
    TelegramUnauthorizedError,
)
from aiogram.types import (
    BotCommand,
    BotCommandScopeAllPrivateChats,
    BufferedInputFile,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Update,
)
from pydantic import ValidationError

from bot.channels.telegram.api import FileTooLarge, TgApiError
from bot.channels.telegram.botcalls import SameOnBoth
from bot.channels.telegram.redact import hide_token
from bot.channels.telegram.sends import CommandSpec, Keyboard
from bot.channels.telegram.updates import TgUpdate, update_of

T = TypeVar("T")
SLACK = 10  # seconds the HTTP timeout of a long poll exceeds the poll itself
DOWNLOAD_SECONDS = 120  # a 20 MB file over a slow link

_STATUS: tuple[tuple[type[TelegramAPIError], int], ...] = (
    (TelegramMigrateToChat, 400),
    (TelegramBadRequest, 400),
    (TelegramUnauthorizedError, 401),
    (TelegramForbiddenError, 403),
    (TelegramNotFound, 404),
    (TelegramConflictError, 409),
    (TelegramEntityTooLarge, 413),
    (TelegramNetworkError, 0),
)


class AiogramApi(SameOnBoth):
    """``BotApi`` through aiogram's Bot and AiohttpSession, pointed at ``api_url``."""

    bot: Bot

    def __init__(self, token: str, api_url: str) -> None:
        hide_token(token, ("aiogram", "aiohttp.client"))
        session = AiohttpSession(api=TelegramAPIServer.from_base(api_url))
        self.bot = Bot(token, session=session)

    async def _run(self, call: Awaitable[T]) -> T:
        return await _call(call)

    def _keyboard(self, keyboard: Keyboard) -> object:
        return _markup(keyboard)

    def _upload(self, data: bytes, name: str) -> object:
        return BufferedInputFile(data, filename=name)

    async def _fetch(self, path: str, limit: int) -> bytes:
        """Streamed from the file URL, stopped as soon as it passes ``limit``."""
        url = self.bot.session.api.file_url(self.bot.token, path)
        chunks, got = [], 0
        try:
            async for chunk in self.bot.session.stream_content(url, timeout=DOWNLOAD_SECONDS):
                got += len(chunk)
                if got > limit:
                    raise FileTooLarge(got)
                chunks.append(chunk)
        except aiohttp.ClientResponseError as exc:
            raise TgApiError(exc.status, f"file download: {exc.message}") from exc
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise TgApiError(0, f"file download: {type(exc).__name__}") from exc
        return b"".join(chunks)

    async def start(self) -> str:
        """getMe: checks the token; the bot's username."""
        me = await _call(self.bot.get_me())
        return me.username or str(me.id)

    async def close(self) -> None:
        """Close aiohttp's session."""
        await self.bot.session.close()

    async def get_updates(
        self, offset: int | None, timeout: int, limit: int, allowed: Sequence[str]
    ) -> list[TgUpdate]:
        """getUpdates with an HTTP timeout longer than the long poll."""
        updates = await _call(
            self.bot.get_updates(
                offset=offset,
                limit=limit,
                timeout=timeout,
                allowed_updates=list(allowed),
                request_timeout=timeout + SLACK,
            )
        )
        return [update_of(u) for u in updates]

    def parse_update(self, data: Mapping[str, Any]) -> TgUpdate:
        """aiogram's own validation of a pushed update (pydantic's error is a ValueError)."""
        try:
            return update_of(Update.model_validate(data, context={"bot": self.bot}))
        except ValidationError as exc:
            raise ValueError(str(exc)) from None

    async def get_chat_member(self, chat_id: int, user_id: int) -> str:
        """getChatMember's status (aiogram's enum member as its plain value)."""
        member = await _call(self.bot.get_chat_member(chat_id, user_id))
        status = member.status
        return str(status.value if isinstance(status, Enum) else status)

    async def set_commands(self, commands: Sequence[CommandSpec], language_code: str) -> None:
        """setMyCommands for all private chats in one language ("" = default)."""
        await _call(
            self.bot.set_my_commands(
                [BotCommand(command=c.command, description=c.description) for c in commands],
                scope=BotCommandScopeAllPrivateChats(),
                language_code=language_code or None,
            )
        )


async def _call(call: Awaitable[T]) -> T:
    """Run an aiogram call; its exceptions become TgApiError."""
    try:
        return await call
    except TelegramRetryAfter as exc:
        raise TgApiError(429, exc.message, retry_after=float(exc.retry_after)) from exc
    except TelegramAPIError as exc:
        status = next((s for kind, s in _STATUS if isinstance(exc, kind)), 500)
        raise TgApiError(status, exc.message) from exc
    except AiogramError as exc:  # a response aiogram could not decode
        raise TgApiError(502, str(exc).splitlines()[0]) from exc


def _markup(keyboard: Keyboard) -> InlineKeyboardMarkup | None:
    if not keyboard:
        return None
    rows = [[InlineKeyboardButton(text=b.text, callback_data=b.data) for b in r] for r in keyboard]
    return InlineKeyboardMarkup(inline_keyboard=rows)
