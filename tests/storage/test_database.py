"""Database URLs and engines: async drivers, the default SQLite file under ./data/."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.storage.database import (
    DEFAULT_DATABASE_URL,
    StorageError,
    display_url,
    is_sqlite,
    normalize_url,
)
from bot.storage.uow import SqlStore


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("postgres://u:p@db:5432/bot", "postgresql+asyncpg://u:p@db:5432/bot"),
        ("postgresql://u@db/bot?ssl=require", "postgresql+asyncpg://u@db/bot?ssl=require"),
        ("postgresql+asyncpg://u@db/bot", "postgresql+asyncpg://u@db/bot"),
        ("sqlite:///data/x.db", "sqlite+aiosqlite:///data/x.db"),
        ("sqlite+aiosqlite:////abs/x.db", "sqlite+aiosqlite:////abs/x.db"),
    ],
)
def test_urls_get_an_async_driver(given: str, expected: str) -> None:
    assert normalize_url(given) == expected


def test_url_helpers() -> None:
    assert DEFAULT_DATABASE_URL == "sqlite+aiosqlite:///data/merchant-bot.db"
    assert is_sqlite(DEFAULT_DATABASE_URL) and not is_sqlite("postgres://db/bot")
    assert display_url("postgres://u:pw@db/bot") == "postgresql+asyncpg://u:***@db/bot"
    with pytest.raises(StorageError):
        normalize_url("merchant-bot.db")


async def test_default_store_is_a_file_under_data_in_the_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    store = SqlStore()
    try:
        await store.ping()
    finally:
        await store.close()
    assert (tmp_path / "data" / "merchant-bot.db").is_file()


async def test_ping_fails_when_the_database_is_unreachable() -> None:
    store = SqlStore("postgresql://nobody@127.0.0.1:1/nowhere")
    try:
        with pytest.raises(OSError):
            await store.ping()
    finally:
        await store.close()
