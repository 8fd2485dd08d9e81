"""A 429 from the Bot API counts on ``merchantbot_telegram_429_total``, wired as ``serve`` is."""

from __future__ import annotations

from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

from bot import bootstrap
from bot.settings import Settings
from bot.web.metrics import PrometheusMetrics
from tests.telegram import builders as b
from tests.telegram.fake_api import TOKEN, FakeBotApi

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
MERCHANT = 9001


def counted(metrics: PrometheusMetrics, name: str) -> float:
    """A sample's value in the text GET /metrics serves (0 when absent)."""
    return sum(
        sample.value
        for family in text_string_to_metric_families(metrics.exposition().decode())
        for sample in family.samples
        if sample.name == name and not sample.labels
    )


async def test_a_send_answered_429_counts_once_and_is_still_delivered(
    fake: FakeBotApi, tmp_path: Path
) -> None:
    settings = Settings(
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}",
        faq_dir=ROOT / "faq",
        snapshot_dir=tmp_path / "snapshots",
        matcher_encoder="none",
        telegram_bot_token=TOKEN,
        telegram_api_url=fake.url,
    )
    services = await bootstrap.build(settings)
    metrics = services.metrics
    assert isinstance(metrics, PrometheusMetrics)
    async with bootstrap.running(services):
        assert counted(metrics, "merchantbot_telegram_429_total") == 0
        fake.fail("sendMessage", 429, retry_after=1, chat_id=MERCHANT)
        await fake.add_update(b.command(MERCHANT, "start"))
        await fake.wait_until(lambda: len(fake.sent(MERCHANT)) == 2)  # refused, then sent
        await fake.wait_until(lambda: len(fake.texts(MERCHANT)) == 1)
        assert counted(metrics, "merchantbot_telegram_429_total") == 1
