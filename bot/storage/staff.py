"""Staff accounts and their browser sessions, on an AsyncSession. They flush, never commit."""

from __future__ import annotations

from datetime import datetime
from typing import cast

from sqlalchemy import and_, case, delete, null, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.accounts import Role, StaffAccount, StaffSession
from bot.storage.models import StaffAccountRow, StaffSessionRow


def _account(row: StaffAccountRow) -> StaffAccount:
    return StaffAccount(
        username=row.username,
        role=cast(Role, row.role),
        password_hash=row.password_hash,
        teams=tuple(row.teams),
        disabled=row.disabled,
        failed_logins=row.failed_logins,
        locked_until=row.locked_until,
        created_at=row.created_at,
    )


class SqlStaffRepository:
    """Accounts by username, and the sessions of signed-in browsers."""

    def __init__(self, db: AsyncSession) -> None:
        self._db = db

    async def add(self, account: StaffAccount) -> None:
        """Create an account (the username must be new)."""
        self._db.add(
            StaffAccountRow(
                username=account.username,
                role=account.role,
                password_hash=account.password_hash,
                teams=list(account.teams),
                disabled=account.disabled,
                failed_logins=account.failed_logins,
                locked_until=account.locked_until,
                created_at=account.created_at,
            )
        )
        await self._db.flush()

    async def get(self, username: str) -> StaffAccount | None:
        """An account by username."""
        row = await self._db.get(StaffAccountRow, username, populate_existing=True)
        return _account(row) if row is not None else None

    async def all(self) -> list[StaffAccount]:
        """Every account, by username."""
        rows = await self._db.scalars(select(StaffAccountRow).order_by(StaffAccountRow.username))
        return [_account(row) for row in rows]

    async def update(self, account: StaffAccount) -> None:
        """Store role, teams, password hash, disabled flag and lock-out state."""
        row = await self._db.get(StaffAccountRow, account.username)
        if row is None:
            raise LookupError(f"no staff account {account.username}")
        row.role, row.password_hash = account.role, account.password_hash
        row.teams, row.disabled = list(account.teams), account.disabled
        row.failed_logins, row.locked_until = account.failed_logins, account.locked_until
        await self._db.flush()

    async def count_failure(self, username: str, now: datetime) -> StaffAccount | None:
        """Count one failed sign-in in the database (``failed_logins + 1``), row locked.

        A lock-out that ended by ``now`` is cleared and the count starts again at 1. The row
        stays locked until the transaction ends (SQLite: the database), so the caller decides
        on a lock-out from a count no concurrent failure can change meanwhile.
        """
        row = StaffAccountRow
        ended = and_(row.locked_until.is_not(None), row.locked_until <= now)
        counted = await self._db.scalar(
            update(row)
            .where(row.username == username)
            .values(
                failed_logins=case((ended, 1), else_=row.failed_logins + 1),
                locked_until=case((ended, null()), else_=row.locked_until),
            )
            .returning(row.username)
            .execution_options(synchronize_session=False)
        )
        return await self.get(username) if counted is not None else None

    async def add_session(self, session: StaffSession) -> None:
        """Remember a signed-in browser."""
        self._db.add(
            StaffSessionRow(
                token_hash=session.token_hash,
                username=session.username,
                csrf=session.csrf,
                expires_at=session.expires_at,
                created_at=session.created_at,
            )
        )
        await self._db.flush()

    async def session(self, token_hash: str) -> StaffSession | None:
        """A session by the hash of its cookie token."""
        row = await self._db.get(StaffSessionRow, token_hash, populate_existing=True)
        if row is None:
            return None
        return StaffSession(row.token_hash, row.username, row.csrf, row.expires_at, row.created_at)

    async def drop_session(self, token_hash: str) -> None:
        """Sign a browser out."""
        await self._db.execute(
            delete(StaffSessionRow).where(StaffSessionRow.token_hash == token_hash)
        )

    async def drop_sessions(self, username: str) -> None:
        """Sign every browser of an account out (its password changed)."""
        await self._db.execute(delete(StaffSessionRow).where(StaffSessionRow.username == username))
