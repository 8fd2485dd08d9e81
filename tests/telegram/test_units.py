"""Small shared parts: per-chat ordering, settings, the command menu, the token filter."""

from __future__ import annotations

import asyncio
import logging
import re

import pytest

from bot.channels.telegram.api import TgApiError
from bot.channels.telegram.commands import MENU_LANGUAGES, command_menu
from bot.channels.telegram.config import TelegramConfigError, config_from
from bot.channels.telegram.ordering import ChatLocks, by_chat
from bot.channels.telegram.redact import HIDDEN, hide_token
from bot.channels.telegram.split import size
from bot.channels.telegram.topics import Names, mask, thread_of, topic_gone, topic_name, topic_ref
from bot.core.tickets import Ticket
from bot.settings import Settings

TOKEN = "123456:ABC-def_ghi"


def test_by_chat_keeps_order_within_chats() -> None:
    items = [("a", 1), ("b", 1), ("c", 2), ("d", None), ("e", 1), ("f", None)]
    groups = by_chat(items, lambda item: item[1])
    assert [[name for name, _ in g] for g in groups] == [["a", "b", "e"], ["c"], ["d"], ["f"]]


async def test_chat_locks_serialise_one_chat_and_are_dropped_after_use() -> None:
    locks = ChatLocks()
    log: list[str] = []

    async def work(chat: int, name: str) -> None:
        async with locks.hold(chat):
            log.append(f"{name}+")
            await asyncio.sleep(0.01)
            log.append(f"{name}-")

    await asyncio.gather(work(1, "a"), work(1, "b"), work(2, "c"))
    assert log.index("a-") < log.index("b+")  # same chat: one after the other
    assert log.index("c+") < log.index("a-")  # other chat: side by side
    assert len(locks) == 0


def settings(**values: object) -> Settings:
    return Settings(**values)  # type: ignore[arg-type]


def test_no_token_no_channel() -> None:
    assert config_from(settings()) is None


def test_polling_config_from_settings() -> None:
    config = config_from(
        settings(
            telegram_bot_token=TOKEN,
            telegram_framework="ptb",
            telegram_api_url="http://127.0.0.1:8081/",
        )
    )
    assert config is not None
    assert (config.bot_id, config.api_url, config.mode, config.framework) == (
        "123456",
        "http://127.0.0.1:8081",
        "polling",
        "ptb",
    )
    assert TOKEN not in repr(config) and "ABC" not in repr(config)


@pytest.mark.parametrize(
    ("values", "variable"),
    [
        ({"telegram_bot_token": "nonsense"}, "TELEGRAM_BOT_TOKEN"),
        ({"telegram_api_url": "api.telegram.org"}, "TELEGRAM_API_URL"),
        ({"telegram_mode": "webhook", "telegram_webhook_secret": "abc"}, "TELEGRAM_WEBHOOK_URL"),
        (
            {
                "telegram_mode": "webhook",
                "telegram_webhook_url": "https://bot.example/telegram/webhook",
            },
            "TELEGRAM_WEBHOOK_SECRET",
        ),
        (
            {
                "telegram_mode": "webhook",
                "telegram_webhook_url": "https://bot.example/telegram/webhook",
                "telegram_webhook_secret": "has spaces!",
            },
            "TELEGRAM_WEBHOOK_SECRET",
        ),
    ],
)
def test_unusable_settings_name_the_variable(values: dict[str, str], variable: str) -> None:
    with pytest.raises(TelegramConfigError) as exc:
        config_from(settings(**({"telegram_bot_token": TOKEN} | values)))
    assert str(exc.value).startswith(f"{variable}:") and "\n" not in str(exc.value)


def test_webhook_config() -> None:
    config = config_from(
        settings(
            telegram_bot_token=TOKEN,
            telegram_mode="webhook",
            telegram_webhook_secret="s-1_A",
            telegram_webhook_url="https://bot.example/telegram/webhook",
            telegram_staff_chat_id=-1001,
        )
    )
    assert config is not None and config.mode == "webhook" and config.staff_chat_id == -1001


@pytest.mark.parametrize(("code", "locale"), MENU_LANGUAGES)
def test_command_menu_is_valid_and_translated(code: str, locale: str) -> None:
    menu = command_menu(locale)  # type: ignore[arg-type]
    assert [c.command for c in menu] == ["start", "help", "language", "centre", "human"]
    assert all(re.fullmatch(r"[a-z0-9_]{1,32}", c.command) for c in menu)
    assert all(1 <= len(c.description) <= 256 for c in menu)
    if code:
        english = command_menu("en")
        assert all(c.description != e.description for c, e in zip(menu, english, strict=True))


def test_the_token_is_hidden_in_library_logs(caplog: pytest.LogCaptureFixture) -> None:
    hide_token(TOKEN, ["httpx"])
    hide_token(TOKEN, ["httpx"])  # once is enough
    assert len(logging.getLogger("httpx").filters) >= 1
    with caplog.at_level(logging.INFO, logger="httpx"):
        logging.getLogger("httpx").info("HTTP Request: POST %s", f"https://x/bot{TOKEN}/getMe")
    assert TOKEN not in caplog.text and f"bot{HIDDEN}/getMe" in caplog.text


def test_topic_names_fit_telegram_and_hide_the_merchant() -> None:
    ticket = Ticket(42, 7, "telegram", "compliance:frozen-funds", "zh_Hans", "default")
    assert topic_name(ticket, mask("王小明")) == "#42 · 王** · zh_Hans · compliance:frozen-funds"
    ticket.reason = "compliance:" + "😀" * 100  # emoji count two, as Telegram counts
    name = topic_name(ticket, "S**")
    assert size(name) <= 128 and name.endswith("…") and name.startswith("#42 · S**")
    assert mask("  ") == "" and mask("Seller 5") == "S**"


def test_topic_refs_and_deleted_topics() -> None:
    assert thread_of(topic_ref(-1001, 55), -1001) == 55
    assert thread_of(topic_ref(-1002, 55), -1001) is None  # another staff chat
    assert thread_of(None, -1001) is None and thread_of("-1001:x", -1001) is None
    assert topic_gone(TgApiError(400, "Bad Request: message thread not found"))
    assert topic_gone(TgApiError(400, "Message thread not found"))  # PTB drops the prefix
    assert topic_gone(TgApiError(400, "Bad Request: TOPIC_DELETED"))
    assert not topic_gone(TgApiError(400, "Bad Request: chat not found"))
    assert not topic_gone(TgApiError(502, "message thread not found"))


def test_names_are_bounded() -> None:
    names = Names(size=2)
    for user, name in ((1, "A"), (2, "B"), (1, "A2"), (3, "C")):
        names.seen(user, name)
    assert (names.get(1), names.get("2"), names.get(3)) == ("A2", None, "C")
