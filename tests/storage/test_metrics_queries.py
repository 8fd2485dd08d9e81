"""What /metrics reads when scraped: the outbox backlog and the open tickets by team, the same
on the fake, SQLite and PostgreSQL."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from bot.core.metrics import gauges
from bot.core.ports import NewMessage
from bot.core.types import MerchantKey
from tests.storage.conftest import StoreUnderTest
from tests.storage.test_tickets import open_ticket


async def test_gauges_count_the_backlog_and_the_active_tickets_by_team(
    store: StoreUnderTest,
) -> None:
    empty = await gauges(store.uow)
    assert (empty.outbox_pending, empty.outbox_oldest, dict(empty.open_tickets)) == (0, None, {})
    before = datetime.now(UTC) - timedelta(seconds=1)
    async with store.uow() as uow:
        ticket_id = await open_ticket(uow)
        await open_ticket(uow, MerchantKey("web", "b" * 32), team="foshan")
        resolved_id = await open_ticket(uow, MerchantKey("web", "c" * 32), team="foshan")
        resolved = await uow.tickets.get(resolved_id)
        assert resolved is not None
        await uow.tickets.update(replace(resolved, status="resolved"))
        merchant = await uow.merchants.get_or_create(MerchantKey("telegram", "1001"))
        ids = []
        for text in ("one", "two", "three"):
            message = await uow.messages.add(NewMessage(merchant.id, "out", "staff", text))
            ids.append(await uow.outbox.add(message.id, ticket_id, merchant.id, "telegram"))
        sent = await uow.outbox.get(ids[0])
        assert sent is not None
        await uow.outbox.save(replace(sent, status="sent", attempts=1))
        await uow.commit()
    found = await gauges(store.uow)
    assert found.outbox_pending == 2
    assert found.outbox_oldest is not None and found.outbox_oldest >= before
    assert dict(found.open_tickets) == {"shenzhen": 1, "foshan": 1}
