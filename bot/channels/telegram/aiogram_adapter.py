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
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
    Update,
    User,
)
from pydantic import ValidationError

from bot.channels.telegram.api import FileTooLarge, TgApiError
from bot.channels.telegram.botcalls import SameOnBoth
from bot.channels.telegram.redact import hide_token
from bot.channels.telegram.sends import CommandSpec, Keyboard
from bot.channels.telegram.updates import (
    TgCallback,
    TgLocation,
    TgMessage,
    TgUpdate,
    TgUser,
    command_of,
    file_of,
    full_name,
    unsupported_kind,
)

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
        return [to_update(u) for u in updates]

    def parse_update(self, data: Mapping[str, Any]) -> TgUpdate:
        """aiogram's own validation of a pushed update (pydantic's error is a ValueError)."""
        try:
            return to_update(Update.model_validate(data, context={"bot": self.bot}))
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


def to_update(update: Update) -> TgUpdate:
    """Our update for aiogram's (only a new message or a button press is kept)."""
    if update.message is not None:
        return TgUpdate(update.update_id, message=to_message(update.message))
    if update.callback_query is not None:
        return TgUpdate(update.update_id, callback=to_callback(update.callback_query))
    return TgUpdate(update.update_id)


def to_message(m: Message) -> TgMessage:
    """Our message for aiogram's."""
    leading = any(e.type == "bot_command" and e.offset == 0 for e in m.entities or ())
    return TgMessage(
        message_id=m.message_id,
        chat_id=m.chat.id,
        chat_type=str(m.chat.type),
        user=to_user(m.from_user) if m.from_user else None,
        text=m.text,
        command=command_of(m.text, leading),
        location=TgLocation(m.location.latitude, m.location.longitude) if m.location else None,
        unsupported=unsupported_kind(m),
        thread_id=m.message_thread_id,
        file=file_of(m),
        caption=m.caption,
    )


def to_callback(q: CallbackQuery) -> TgCallback:
    """Our button press for aiogram's (its message may be inaccessible, never its chat)."""
    return TgCallback(
        id=q.id,
        user=to_user(q.from_user),
        data=q.data,
        chat_id=q.message.chat.id if q.message else None,
        chat_type=str(q.message.chat.type) if q.message else None,
        message_id=q.message.message_id if q.message else None,
    )


def to_user(u: User) -> TgUser:
    """Our user for aiogram's."""
    return TgUser(u.id, u.is_bot, u.language_code, full_name(u.first_name, u.last_name))
