"""What `serve` leaves out of its process (issue 15): a channel that is not configured, the other
Telegram framework, and Alembic once the database is at the newest revision."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from bot import bootstrap
from bot.settings import Settings

ROOT = Path(__file__).resolve().parent.parent

# Builds the app as `serve` does (Telegram with python-telegram-bot, the default framework, on
# the tests' Bot API server; WeChat not configured; SQLite migrated by a child process), runs
# and stops it, then prints the channels and every module the process imported.
BUILD = """
import asyncio, json, sys
from pathlib import Path

async def main(folder: Path) -> None:
    from bot import bootstrap
    from bot.settings import Settings
    from bot.storage.migrate import upgrade_apart
    from tests.telegram.fake_api import TOKEN, FakeBotApi

    api = FakeBotApi()
    await api.start()
    url = f"sqlite+aiosqlite:///{folder / 'bot.db'}"
    migrated = await upgrade_apart(url)
    settings = Settings(
        database_url=url,
        faq_dir=Path("faq"),
        snapshot_dir=folder / "snapshots",
        files_dir=folder / "files",
        matcher_encoder="none",
        telegram_bot_token=TOKEN,
        telegram_api_url=api.url,
        wechat_token="",
    )
    services = await bootstrap.build(settings)
    bootstrap.app(services)
    async with bootstrap.running(services):
        pass
    await api.close()
    print(json.dumps({
        "migrated": migrated,
        "channels": [channel.name for channel in services.channels],
        "modules": sorted(sys.modules),
    }))

asyncio.run(main(Path(sys.argv[1])))
"""


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    """What one `serve`-like build imported, in a fresh interpreter."""
    folder = tmp_path_factory.mktemp("lazy")
    env = {"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin", "LOG_LEVEL": "WARNING"}
    out = subprocess.run(
        [sys.executable, "-c", BUILD, str(folder)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,  # only so that a hung build ends the test; never a measure
    )
    assert out.returncode == 0, out.stderr[-2000:]
    result: dict[str, object] = json.loads(out.stdout.strip().splitlines()[-1])
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
