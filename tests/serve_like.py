"""A `serve`-like build in a fresh interpreter, for the tests of what `serve` loads (issue 15).

``serving`` runs in the child: the app built as `serve` builds it (Telegram with the default
framework on the tests' Bot API server, WeChat not configured, SQLite migrated by a child
process). ``run_build`` runs a script in that child and reads what it printed last.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.bootstrap import Services
    from tests.telegram.fake_api import FakeBotApi

ROOT = Path(__file__).resolve().parent.parent


@dataclass
class Serving:
    """The running build: the fake Bot API it talks to, its services, and whether it migrated."""

    api: FakeBotApi
    services: Services
    migrated: bool


@asynccontextmanager
async def serving(folder: Path) -> AsyncIterator[Serving]:
    """Build and run the app as `serve` does over a database in ``folder``; stop it after."""
    # imported here, not above: a script may patch a library before the bot first imports it
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
        yield Serving(api, services, migrated)
    await api.close()


def run_build(script: str, folder: Path) -> object:
    """Run ``script`` (given ``folder`` as its argument) in a fresh interpreter; the JSON of
    the last line it printed."""
    env = {"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin", "LOG_LEVEL": "WARNING"}
    out = subprocess.run(
        [sys.executable, "-c", script, str(folder)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,  # only so that a hung build ends the test; never a measure
    )
    assert out.returncode == 0, out.stderr[-2000:]
    return json.loads(out.stdout.strip().splitlines()[-1])
