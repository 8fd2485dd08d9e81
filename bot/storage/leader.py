"""``Leadership`` (``bot/core/shared.py``) on PostgreSQL: a session advisory lock.

``pg_try_advisory_lock`` on a connection of its own, held while this replica leads; the lock
goes with the connection, so a replica that dies (or loses the database) frees it, and another
one takes it at its next try. Autocommit: the connection is never left "idle in transaction".
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from functools import partial

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine
from sqlalchemy.pool import NullPool

from bot.core.shared import Elect
from bot.storage.database import is_sqlite, normalize_url

log = logging.getLogger(__name__)
CHECK_TIMEOUT = 5.0  # seconds a "still there?" query may take before the lead counts as lost


def lock_key(name: str) -> int:
    """A job's name as PostgreSQL's 64-bit advisory lock key (the same on every replica)."""
    return int.from_bytes(hashlib.sha256(name.encode("utf-8")).digest()[:8], "big", signed=True)


class AdvisoryLock:
    """The lead of one job (``name``) among the replicas on one PostgreSQL database."""

    def __init__(self, url: str, name: str) -> None:
        self.name = name
        self._key = lock_key(name)
        self._engine: AsyncEngine = create_async_engine(normalize_url(url), poolclass=NullPool)
        self._conn: AsyncConnection | None = None

    async def try_lead(self) -> bool:
        if self._conn is not None:
            return await self.still_leading()
        conn = await self._engine.connect()
        try:
            conn = await conn.execution_options(isolation_level="AUTOCOMMIT")
            got = await conn.scalar(text("SELECT pg_try_advisory_lock(:key)"), {"key": self._key})
        except BaseException:
            await _quietly_close(conn)
            raise
        if not got:
            await _quietly_close(conn)
            return False
        self._conn = conn
        log.info("leading", extra={"job": self.name})
        return True

    async def still_leading(self) -> bool:
        conn = self._conn
        if conn is None:
            return False
        try:
            await asyncio.wait_for(conn.scalar(text("SELECT 1")), CHECK_TIMEOUT)
        except Exception as exc:  # the connection, and with it the lock, is gone
            log.warning("lead lost", extra={"job": self.name, "reason": type(exc).__name__})
            self._conn = None
            await _quietly_close(conn)
            return False
        return True

    async def resign(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            try:
                await conn.scalar(text("SELECT pg_advisory_unlock(:key)"), {"key": self._key})
            except Exception:  # closing the connection frees the lock anyway
                log.warning("advisory unlock failed", extra={"job": self.name})
            await _quietly_close(conn)
        await self._engine.dispose()


async def _quietly_close(conn: AsyncConnection) -> None:
    try:
        await conn.close()
    except Exception:
        log.warning("closing the lock's connection failed")


def elect_for(url: str) -> Elect | None:
    """Advisory locks on PostgreSQL; None on SQLite (one replica: it always leads)."""
    return None if is_sqlite(url) else partial(AdvisoryLock, url)
