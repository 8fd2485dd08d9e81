"""Signing staff in and out: password check, lock-out, and sessions kept as token hashes.

The browser holds a random token; the database holds only its SHA-256, so a leaked table
cannot be replayed. Every failure costs the same: an unknown, disabled or locked account is
verified against a dummy hash, and each failure waits a little before answering. (An account
whose hash predates the current parameters costs its old parameters until its owner's next
sign-in re-hashes it.)

Password checks run through a ``HashGate``: off the event loop, a few at a time, and refused
with ``Busy`` (no check made, no failure counted) when too many are already running or waiting.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import re
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from bot.core.accounts import StaffAccount, StaffSession
from bot.core.ports import UnitOfWork
from bot.core.tickets import utcnow
from bot.staff.passwords import Passwords
from bot.staff.throttle import Busy, HashGate

log = logging.getLogger(__name__)

SESSION_TTL = timedelta(hours=12)
MAX_FAILURES = 5
LOCKOUT = timedelta(minutes=15)
FAILURE_DELAY = 0.5  # seconds, on every failed sign-in
_TOKEN_RE = re.compile(r"[A-Za-z0-9_-]{43}")  # secrets.token_urlsafe(32)


@dataclass(frozen=True)
class SignedIn:
    """A request's staff member and their session."""

    account: StaffAccount
    session: StaffSession


@dataclass(frozen=True)
class Login:
    """A successful sign-in: the token for the cookie (never stored) and the session."""

    token: str
    account: StaffAccount
    session: StaffSession


def token_hash(token: str) -> str:
    """What the database keeps of a session token."""
    return hashlib.sha256(token.encode("ascii")).hexdigest()


def normalise_username(username: str) -> str:
    """Usernames are compared trimmed and in lower case."""
    return username.strip().lower()


class StaffAuth:
    """Sign-in, sessions and lock-out over the staff repository."""

    def __init__(
        self,
        uow: Callable[[], UnitOfWork],
        *,
        passwords: Passwords | None = None,
        clock: Callable[[], datetime] = utcnow,
        session_ttl: timedelta = SESSION_TTL,
        max_failures: int = MAX_FAILURES,
        lockout: timedelta = LOCKOUT,
        failure_delay: float = FAILURE_DELAY,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        gate: HashGate | None = None,
    ) -> None:
        self._uow = uow
        self.passwords = passwords or Passwords()
        self.gate = HashGate() if gate is None else gate
        self._clock = clock
        self.session_ttl = session_ttl
        self.max_failures = max_failures
        self.lockout = lockout
        self._failure_delay = failure_delay
        self._sleep = sleep

    async def login(self, username: str, password: str) -> Login | None:
        """A new session for the right password of an active, unlocked account; else None.

        Raises ``Busy`` when the gate has no room for another password check.
        """
        name = normalise_username(username)
        async with self._uow() as uow:
            account = await uow.staff.get(name) if name else None
        now = self._clock()
        usable = account is not None and not account.disabled and not _locked(account, now)
        stored = account.password_hash if account is not None and usable else None
        passwords = self.passwords

        def verify() -> bool:  # the dummy too is hashed (once) on the gate's thread
            return passwords.verify(stored or passwords.dummy_hash, password)

        # argon2 is CPU- and memory-bound by design: a few at a time, off the event loop
        matches = await self.gate.run(verify)
        if account is None or not usable or not matches:
            if account is not None and usable:
                await self._failed(name)
            log.info("staff sign-in refused", extra={"known": account is not None})
            await self._sleep(self._failure_delay)
            return None
        return await self._open_session(name, password)

    async def locked_until(self, username: str) -> datetime | None:
        """Until when a known, enabled account is locked out (after a refused sign-in, to tell
        its owner); None for an unlocked, disabled or unknown account, which a refused sign-in
        reports like a wrong password."""
        name = normalise_username(username)
        if not name:
            return None
        async with self._uow() as uow:
            account = await uow.staff.get(name)
        if account is None or account.disabled or not _locked(account, self._clock()):
            return None
        return account.locked_until

    async def authenticate(self, token: str | None) -> SignedIn | None:
        """The account behind a session token, unless expired, disabled or unknown."""
        if not token or not _TOKEN_RE.fullmatch(token):
            return None
        digest = token_hash(token)
        async with self._uow() as uow:
            session = await uow.staff.session(digest)
            if session is None:
                return None
            if session.expires_at <= self._clock():
                await uow.staff.drop_session(digest)
                await uow.commit()
                return None
            account = await uow.staff.get(session.username)
        if account is None or account.disabled:
            return None
        return SignedIn(account, session)

    async def logout(self, token: str | None) -> None:
        """Forget the session (nothing happens for an unknown token)."""
        if token and _TOKEN_RE.fullmatch(token):
            async with self._uow() as uow:
                await uow.staff.drop_session(token_hash(token))
                await uow.commit()

    async def colleagues(self) -> list[StaffAccount]:
        """Every account that can sign in, by username (whom a ticket can be assigned to)."""
        async with self._uow() as uow:
            return [a for a in await uow.staff.all() if not a.disabled]

    async def _failed(self, username: str) -> None:
        # Counted in the database (failed_logins + 1, the row locked until commit): concurrent
        # failures, on any replica, each count, and exactly one of them locks the account.
        # The count goes on while locked; the first failure after the lock-out starts again.
        now = self._clock()
        async with self._uow() as uow:
            account = await uow.staff.count_failure(username, now)
            if account is None:
                return
            lock = account.failed_logins >= self.max_failures and not _locked(account, now)
            if lock:
                await uow.staff.update(replace(account, locked_until=now + self.lockout))
            await uow.commit()
        if lock:
            log.warning("staff account locked", extra={"username": username})

    async def _open_session(self, name: str, password: str) -> Login | None:
        token = secrets.token_urlsafe(32)
        now = self._clock()
        csrf, expires = secrets.token_urlsafe(32), now + self.session_ttl
        session = StaffSession(token_hash(token), name, csrf, expires, created_at=now)
        async with self._uow() as uow:
            account = await uow.staff.get(name)  # fresh: an admin may have just disabled it
            if account is None or account.disabled:
                return None
            account.failed_logins, account.locked_until = 0, None
            if self.passwords.needs_rehash(account.password_hash):
                try:
                    account.password_hash = await self.gate.run(
                        lambda: self.passwords.hash(password)
                    )
                except Busy:  # the sign-in stands; the upgrade waits for the next one
                    log.info("staff password re-hash deferred", extra={"username": name})
            await uow.staff.update(account)
            await uow.staff.add_session(session)
            await uow.commit()
        log.info("staff signed in", extra={"username": name})
        return Login(token, account, session)


def _locked(account: StaffAccount, now: datetime) -> bool:
    return account.locked_until is not None and account.locked_until > now
