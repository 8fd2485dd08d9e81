"""The flood: 150 questions from 50 merchants, on each framework, SQLite behind the core.

Pacing windows are shortened (tests/telegram/conftest.py FAST_LIMITS) so this measures the
channel and the core, not Telegram's limits; ``python -m benchmarks.telegram_flood`` runs it
with the real limits. The figures are printed, not asserted: the machine is shared.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks.telegram_flood import flood
from bot.faq.matcher import Matcher
from bot.storage.migrate import upgrade
from bot.storage.uow import SqlStore
from tests.telegram.conftest import FAST_LIMITS

pytestmark = pytest.mark.slow


async def test_flood_of_150_questions_from_50_merchants(
    framework: str, shipped_matcher: Matcher, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'flood.db'}"
    await upgrade(url)
    store = SqlStore(url)
    try:
        result = await flood(
            framework, shipped_matcher, store.uow, store="sqlite", limits=FAST_LIMITS
        )
    finally:
        await store.close()
    with capsys.disabled():
        print(f"\n[telegram flood] {result.line()}")
    assert result.updates == 150
    assert result.all_answered_once
    assert result.order_kept
