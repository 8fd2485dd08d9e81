"""One merchant's data out (export) or gone (erase), and old message texts redacted (retention).

PIPL and GDPR requests: ``export_merchant`` gathers everything stored about one merchant (the
merchant row, messages, tickets with their events, 👍/👎, files' metadata); ``erase_merchant``
deletes the merchant row, and every row that belongs to it goes with it (the schema's
``ON DELETE CASCADE``), and returns the file ids whose bytes the caller removes from the file
store. ``redact_older_than`` blanks the texts of old messages (and the copy the unanswered
log keeps) while the rows, and so every count the insights make, stay; ticket events keep
their details, which are codes (a reason, a status, a rating), never what someone wrote.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Select, delete, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.storage.models import (
    Feedback,
    FileRow,
    Merchant,
    Message,
    TicketEventRow,
    TicketRow,
    UnansweredQuestionRow,
)
from bot.storage.rollups import forget_merchant

log = logging.getLogger(__name__)

SWEEP_EVERY_SECONDS = 6 * 3600
REDACTED = ""  # what an expired text becomes (the row, its kind, action and times stay)


@dataclass(frozen=True)
class Erased:
    """What an erase removed: row counts by table, and the file ids to delete from the store."""

    messages: int
    tickets: int
    files: tuple[str, ...]


async def find_merchant(sessions: async_sessionmaker[AsyncSession], ref: str) -> int | None:
    """The merchant id for ``ref``: a number, or ``channel:user id`` as the channel knows them."""
    channel, sep, user = ref.partition(":")
    async with sessions() as session:
        if sep and channel and user:
            query: Select[Any] = select(Merchant.id).where(
                Merchant.channel == channel, Merchant.channel_user_id == user
            )
        elif ref.isdigit():
            query = select(Merchant.id).where(Merchant.id == int(ref))
        else:
            return None
        found = (await session.execute(query)).scalar_one_or_none()
        return int(found) if found is not None else None


async def export_merchant(
    sessions: async_sessionmaker[AsyncSession], merchant_id: int
) -> dict[str, Any]:
    """Everything stored about one merchant, as JSON-ready data."""
    async with sessions() as session:
        merchant = await session.get(Merchant, merchant_id)
        if merchant is None:
            raise LookupError(merchant_id)
        messages = (
            await session.execute(
                select(Message).where(Message.merchant_id == merchant_id).order_by(Message.seq)
            )
        ).scalars()
        tickets = list(
            (
                await session.execute(
                    select(TicketRow).where(TicketRow.merchant_id == merchant_id)
                    .order_by(TicketRow.id)
                )
            ).scalars()
        )  # fmt: skip
        ticket_ids = [t.id for t in tickets]
        events: list[TicketEventRow] = list(
            (
                await session.execute(
                    select(TicketEventRow).where(TicketEventRow.ticket_id.in_(ticket_ids))
                    .order_by(TicketEventRow.id)
                )
            ).scalars()
        )  # fmt: skip
        feedback = (
            await session.execute(select(Feedback).where(Feedback.merchant_id == merchant_id))
        ).scalars()
        files = (
            await session.execute(select(FileRow).where(FileRow.merchant_id == merchant_id))
        ).scalars()
        return {
            "merchant": _row(merchant),
            "messages": [_row(m) for m in messages],
            "tickets": [_row(t) for t in tickets],
            "ticket_events": [_row(e) for e in events],
            "feedback": [_row(f) for f in feedback],
            "files": [_row(f) for f in files],
        }


async def erase_merchant(sessions: async_sessionmaker[AsyncSession], merchant_id: int) -> Erased:
    """Delete one merchant and everything that hangs off it, in one transaction."""
    async with sessions() as session, session.begin():
        if await session.get(Merchant, merchant_id) is None:
            raise LookupError(merchant_id)
        files = tuple(
            (
                await session.execute(select(FileRow.id).where(FileRow.merchant_id == merchant_id))
            ).scalars()
        )
        messages = await _count(session, Message.merchant_id == merchant_id, Message)
        tickets = await _count(session, TicketRow.merchant_id == merchant_id, TicketRow)
        await forget_merchant(session, merchant_id)  # its days' roll-ups count it: rebuilt
        # Explicit deletes child-first as well as the cascade: SQLite enforces ON DELETE only
        # with foreign keys on, and a hand-made connection may not have turned them on.
        await session.execute(delete(FileRow).where(FileRow.merchant_id == merchant_id))
        await session.execute(delete(Feedback).where(Feedback.merchant_id == merchant_id))
        await session.execute(delete(Merchant).where(Merchant.id == merchant_id))
    return Erased(messages, tickets, files)


async def redact_older_than(sessions: async_sessionmaker[AsyncSession], cutoff: datetime) -> int:
    """Blank the texts of messages written before ``cutoff``; how many messages changed."""
    old = select(Message.id).where(Message.created_at < cutoff)
    async with sessions() as session, session.begin():
        changed = await session.execute(
            update(Message)
            .where(
                Message.created_at < cutoff, or_(Message.text != REDACTED, Message.payload != "")
            )
            .values(text=REDACTED, payload="", buttons=[], venue=None)
        )
        await session.execute(
            update(UnansweredQuestionRow)
            .where(UnansweredQuestionRow.message_id.in_(old), UnansweredQuestionRow.text != "")
            .values(text=REDACTED)
        )
    return int(getattr(changed, "rowcount", 0) or 0)


async def _count(session: AsyncSession, where: Any, table: Any) -> int:
    query = select(func.count()).select_from(table).where(where)
    return int((await session.execute(query)).scalar_one())


def _row(row: Any) -> dict[str, Any]:
    """A row's columns, with times as ISO strings."""
    out: dict[str, Any] = {}
    for column in row.__table__.columns:
        value = getattr(row, column.key)
        out[column.key] = value.isoformat() if isinstance(value, datetime) else value
    return out


class TextRetention:
    """MESSAGE_RETENTION_DAYS: a background sweep that blanks message texts older than that."""

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        days: int,
        clock: Callable[[], datetime],
        every: float = SWEEP_EVERY_SECONDS,
    ) -> None:
        self.sessions, self.days, self.clock, self.every = sessions, days, clock, every

    async def sweep(self) -> int:
        """Redact what is older than the retention period now; how many messages changed."""
        if self.days <= 0:
            return 0
        changed = await redact_older_than(self.sessions, self.clock() - timedelta(days=self.days))
        if changed:
            log.info("old message texts deleted", extra={"messages": changed, "days": self.days})
        return changed

    async def run(self) -> None:
        """Sweep now and then every ``every`` seconds until cancelled; failures are logged."""
        while True:
            try:
                await self.sweep()
            except Exception:  # a failed sweep is tried again later; it never stops serve
                log.exception("message retention sweep failed")
            await asyncio.sleep(self.every)
