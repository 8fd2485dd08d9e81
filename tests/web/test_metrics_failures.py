"""The failure counters move: a staff reply its channel refuses counts a delivery failure.

Through the real app (the composition root) and GET /metrics, as test_observability.py reads
the counters; only the web channel's outbound is one that refuses every send.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from starlette.testclient import TestClient

from bot.bootstrap import LateApp
from bot.core.outbound import DeliveryError, Outgoing
from bot.core.tickets import TicketFilter
from bot.core.types import MerchantKey
from bot.staff.accounts import Accounts
from tests.staff.conftest import FAST, PASSWORD
from tests.web.test_observability import PERSON, scrape, settings, value

FAILURES = "merchantbot_delivery_failures_total"


class Refusing:
    """The web channel's outbound, refusing for good (no retry that could count twice)."""

    channel = "web"

    def __init__(self) -> None:
        self.sent: list[tuple[MerchantKey, list[str]]] = []

    async def send(self, merchant: MerchantKey, messages: Sequence[Outgoing], locale: str) -> None:
        """Record the attempt, then refuse it."""
        self.sent.append((merchant, [m.text for m in messages]))
        raise DeliveryError("the merchant closed the chat", permanent=True)


def test_a_staff_reply_its_channel_refuses_counts_one_delivery_failure(tmp_path: Path) -> None:
    refusing = Refusing()
    app = LateApp(settings(tmp_path), outbounds={"web": refusing})
    with TestClient(app) as client:
        assert value(scrape(client), FAILURES, channel="web") == 0
        assert client.post("/api/chat", json={"type": "text", "text": PERSON}).status_code == 200
        services = app.services
        assert services is not None

        async def reply() -> int:
            accounts = Accounts(services.store.uow, passwords=FAST, clock=services.clock)
            staff = await accounts.add("ana", "admin", PASSWORD)
            async with services.store.uow() as uow:
                (ticket,) = await uow.tickets.find(TicketFilter())
            await services.desk.reply(staff, ticket.id, "We are on it.")
            # the background pass may have taken it already: either way it has run after this
            return await services.deliverer.deliver_due()

        portal = client.portal
        assert portal is not None
        assert portal.call(reply) == 0  # nothing sent
        after = scrape(client)
    assert [texts for _, texts in refusing.sent] == [["We are on it."]]
    assert value(after, FAILURES, channel="web") == 1
