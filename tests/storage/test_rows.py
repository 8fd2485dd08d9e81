"""Core dataclasses to and from ORM rows by field name (``bot.storage.rows``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import pytest

from bot.core.tickets import OutboxItem, Ticket, TicketEvent
from bot.storage.models import OutboxRow, TicketEventRow, TicketRow
from bot.storage.rows import from_row, values_of

AT = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)


def test_every_field_is_read_from_the_column_of_its_name() -> None:
    fields: dict[str, object] = {
        "id": 5,
        "merchant_id": 7,
        "channel": "telegram",
        "status": "waiting",
        "reason": "payments",
        "locale": "ko",
        "team": "kr",
        "assignee": "mina",
        "rating": 4,
        "created_at": AT,
        "updated_at": AT,
        "first_response_at": AT,
        "resolved_at": None,
        "last_merchant_at": AT,
    }
    # the same names on both sides: the row's columns and the dataclass's fields
    assert from_row(Ticket, TicketRow(**fields)) == Ticket(**fields)  # type: ignore[arg-type]


def test_a_given_value_stands_in_for_the_row() -> None:
    row = OutboxRow(
        id=3,
        message_id=11,
        ticket_id=5,
        merchant_id=7,
        channel="wechat",
        status="sending",
        attempts=2,
        error="timeout",
        next_attempt_at=AT,
        lease_until=AT,
    )
    item = from_row(OutboxItem, row, attempt=3)  # the row has no attempt number
    assert (item.id, item.status, item.attempts, item.error, item.attempt) == (
        3,
        "sending",
        2,
        "timeout",
        3,
    )


def test_a_field_without_its_column_is_an_error() -> None:
    @dataclass(frozen=True)
    class Wider:
        id: int
        nowhere: str = ""

    with pytest.raises(AttributeError, match="nowhere"):
        from_row(Wider, TicketRow(id=1))


def test_values_skip_the_columns_the_database_fills() -> None:
    event = TicketEvent(5, "staff:mina", "note", "called back", 11, AT, id=99)
    values = values_of(event, "id")
    assert values == {
        "ticket_id": 5,
        "actor": "staff:mina",
        "action": "note",
        "detail": "called back",
        "message_id": 11,
        "created_at": AT,
    }
    row = TicketEventRow(**values)
    assert row.id is None and from_row(TicketEvent, row, id=1) == TicketEvent(
        5, "staff:mina", "note", "called back", 11, AT, id=1
    )
