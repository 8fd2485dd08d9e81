"""The adapter contract on python-telegram-bot 22: its Bot client and types, translated."""

from __future__ import annotations

import datetime as dtm
import os
from collections.abc import Awaitable, Mapping, Sequence
from typing import Any, TypeVar

from telegram import (
    Bot,
    BotCommand,
    BotCommandScopeAllPrivateChats,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputFile,
    Update,
)
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Conflict,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TelegramError,
    TimedOut,
)
from telegram.request import HTTPXRequest

from bot.channels.telegram.api import FileTooLarge, TgApiError
from bot.channels.telegram.botcalls import SameOnBoth
from bot.channels.telegram.redact import hide_token
from bot.channels.telegram.sends import CommandSpec, Keyboard
from bot.channels.telegram.updates import TgUpdate, update_of, well_typed

# PTB 22 warns on every 429 (even inside its own RetryAfter) unless durations are opted in to
# the coming timedelta type; this documented switch is read by PTB at each access.
os.environ.setdefault("PTB_TIMEDELTA", "true")

T = TypeVar("T")
POOL = 64  # concurrent sends (the rate limiter keeps them within Telegram's limits)
DOWNLOAD_SECONDS = 120.0  # a 20 MB file over a slow link

_STATUS: tuple[tuple[type[TelegramError], int], ...] = (
    (ChatMigrated, 400),
    (BadRequest, 400),  # before NetworkError: PTB derives BadRequest from it
    (InvalidToken, 401),
    (Forbidden, 403),
    (Conflict, 409),
    (TimedOut, 0),
    (NetworkError, 0),
)


class PtbApi(SameOnBoth):
    """``BotApi`` through PTB's Bot (httpx), pointed at ``api_url``."""

    bot: Bot

    def __init__(self, token: str, api_url: str) -> None:
        hide_token(token, ("httpx", "telegram.Bot"))
        self.bot = Bot(
            token,
            base_url=f"{api_url}/bot",
            base_file_url=f"{api_url}/file/bot",
            request=HTTPXRequest(connection_pool_size=POOL),
            get_updates_request=HTTPXRequest(connection_pool_size=2),  # + the shutdown confirmation
        )

    async def _run(self, call: Awaitable[T]) -> T:
        return await _call(call)

    def _keyboard(self, keyboard: Keyboard) -> object:
        return _markup(keyboard)

    def _upload(self, data: bytes, name: str) -> object:
        return InputFile(data, filename=name)

    async def _fetch(self, path: str, limit: int) -> bytes:
        """PTB's request downloads it whole (getFile's size was checked before)."""
        url = path if "://" in path else f"{self.bot.base_file_url}{self.bot.token}/{path}"
        data = await _call(self.bot.request.retrieve(url, read_timeout=DOWNLOAD_SECONDS))
        if len(data) > limit:
            raise FileTooLarge(len(data))
        return bytes(data)

    async def start(self) -> str:
        """Bot.initialize (getMe): checks the token; the bot's username."""
        await _call(self.bot.initialize())
        return self.bot.username

    async def close(self) -> None:
        """Bot.shutdown: closes httpx's clients."""
        await self.bot.shutdown()

    async def get_updates(
        self, offset: int | None, timeout: int, limit: int, allowed: Sequence[str]
    ) -> list[TgUpdate]:
        """getUpdates (PTB adds the poll's timeout to the HTTP read timeout itself)."""
        updates = await _call(
            self.bot.get_updates(
                offset=offset, limit=limit, timeout=timeout, allowed_updates=list(allowed)
            )
        )
        return [update_of(u) for u in updates]

    def parse_update(self, data: Mapping[str, Any]) -> TgUpdate:
        """PTB's own parsing of a pushed update; ValueError when it is not one."""
        try:  # PTB checks no types: ours are checked on our own dataclasses
            return well_typed(update_of(Update.de_json(dict(data), self.bot)))
        except (KeyError, TypeError, AttributeError, IndexError, OverflowError, OSError) as exc:
            # OverflowError/OSError: a "date" past what datetime.fromtimestamp can hold
            raise ValueError(f"not an update: {type(exc).__name__}") from None

    async def get_chat_member(self, chat_id: int, user_id: int) -> str:
        """getChatMember's status."""
        return str((await _call(self.bot.get_chat_member(chat_id, user_id))).status)

    async def set_commands(self, commands: Sequence[CommandSpec], language_code: str) -> None:
        """setMyCommands for all private chats in one language ("" = default)."""
        await _call(
            self.bot.set_my_commands(
                [BotCommand(c.command, c.description) for c in commands],
                scope=BotCommandScopeAllPrivateChats(),
                language_code=language_code or None,
            )
        )


async def _call(call: Awaitable[T]) -> T:
    """Run a PTB call; its exceptions become TgApiError."""
    try:
        return await call
    except RetryAfter as exc:
        raise TgApiError(429, "Too Many Requests", retry_after=_seconds(exc)) from exc
    except InvalidToken as exc:  # PTB's message quotes the token
        raise TgApiError(401, "Unauthorized: the token was rejected") from exc
    except TelegramError as exc:
        status = next((s for kind, s in _STATUS if isinstance(exc, kind)), 500)
        raise TgApiError(status, exc.message) from exc


def _seconds(exc: RetryAfter) -> float:
    value = exc.retry_after  # a timedelta with PTB_TIMEDELTA, else int seconds
    return value.total_seconds() if isinstance(value, dtm.timedelta) else float(value)


def _markup(keyboard: Keyboard) -> InlineKeyboardMarkup | None:
    if not keyboard:
        return None
    rows = [[InlineKeyboardButton(b.text, callback_data=b.data) for b in r] for r in keyboard]
    return InlineKeyboardMarkup(rows)
