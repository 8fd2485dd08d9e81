"""What `serve` leaves out of its process (issue 15): a channel that is not configured, the other
Telegram framework, and Alembic once the database is at the newest revision."""

from __future__ import annotations

import sys

import pytest

from bot import bootstrap
from bot.settings import Settings
from tests.serve_like import run_build

# Builds the app as `serve` does (tests/serve_like.py: Telegram with python-telegram-bot, the
# default framework; WeChat not configured), runs and stops it, then prints the channels and
# every module the process imported.
BUILD = """
import asyncio, json, sys
from pathlib import Path

async def main(folder: Path) -> None:
    from tests.serve_like import serving

    async with serving(folder) as served:
        pass
    print(json.dumps({
        "migrated": served.migrated,
        "channels": [channel.name for channel in served.services.channels],
        "modules": sorted(sys.modules),
    }))

asyncio.run(main(Path(sys.argv[1])))
"""


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    """What one `serve`-like build imported, in a fresh interpreter."""
    result = run_build(BUILD, tmp_path_factory.mktemp("lazy"))
    assert isinstance(result, dict)
    return result


def _loaded(built: dict[str, object], package: str) -> list[str]:
    modules = built["modules"]
    assert isinstance(modules, list)
    return [m for m in modules if m == package or m.startswith(package + ".")]


def test_the_build_serves_telegram_through_python_telegram_bot(built: dict[str, object]) -> None:
    assert built["channels"] == ["web", "telegram"]
    assert _loaded(built, "telegram.request")  # the configured framework is there


def test_aiogram_is_not_imported_when_ptb_is_the_framework(built: dict[str, object]) -> None:
    assert _loaded(built, "aiogram") == []


def test_the_wechat_channel_and_its_crypto_are_not_imported_without_wechat_token(
    built: dict[str, object],
) -> None:
    assert _loaded(built, "bot.channels.wechat") == []


def test_alembic_runs_in_a_child_and_never_in_the_server(built: dict[str, object]) -> None:
    assert built["migrated"] is True  # a fresh database: the child ran the migrations
    assert _loaded(built, "alembic") == []


def test_wechat_is_imported_and_built_when_its_token_is_set() -> None:
    assert bootstrap.wechat_from(Settings(wechat_token="")) is None
    assert bootstrap.wechat_from(Settings(wechat_token="a-token")) is not None
    assert "bot.channels.wechat.crypto" in sys.modules  # the positive case of the check above


def test_boto3_is_not_imported_without_a_files_bucket(built: dict[str, object]) -> None:
    assert _loaded(built, "boto3") == [] and _loaded(built, "bot.storage.s3files") == []
