"""The composition root with Telegram and a staff chat: the bot as ``serve`` builds it."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot import bootstrap
from bot.channels.telegram.staff import StaffGroup
from bot.settings import Settings
from tests.telegram import builders as b
from tests.telegram.conftest import STAFF_CHAT
from tests.telegram.fake_api import TOKEN, FakeBotApi

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
MERCHANT, STAFF = 9001, 9101


async def test_serve_wires_the_staff_chat_to_tickets(fake: FakeBotApi, tmp_path: Path) -> None:
    settings = Settings(
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}",
        faq_dir=ROOT / "faq",
        telegram_bot_token=TOKEN,
        telegram_api_url=fake.url,
        telegram_staff_chat_id=STAFF_CHAT,
    )
    services = await bootstrap.build(settings)
    async with bootstrap.running(services):  # the delivery loop, closed channels at the end
        assert [channel.name for channel in services.channels] == ["web", "telegram"]
        (staff,) = services.listeners
        assert isinstance(staff, StaffGroup) and staff.chat_id == STAFF_CHAT
        assert services.conversation.listeners is services.desk.listeners
        fake.members[STAFF] = "member"
        await fake.add_update(b.command(MERCHANT, "human", "en"))
        await fake.wait_until(lambda: bool(fake.topics.get(STAFF_CHAT)))
        (thread,) = fake.topics[STAFF_CHAT]
        await fake.wait_until(lambda: len(fake.in_topic(STAFF_CHAT, thread)) == 1)
        await fake.add_update(b.staff_text(STAFF_CHAT, thread, STAFF, "Hello, I'm Mei"))
        await fake.wait_until(lambda: fake.texts(MERCHANT)[-1:] == ["Hello, I'm Mei"])
